"""Parameters from ``params/``: validated once where they enter, with clear errors."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from healthcheck.config import Project
from healthcheck.errors import ParameterError


class Band(BaseModel):
    rating: str
    action: str
    min: float = Field(ge=0, le=100)


class ScoringParams(BaseModel):
    """The scoring method's numbers (see ``params/scoring.yaml`` and docs/method.md)."""

    answer_points: dict[int, float] = {1: 0, 2: 25, 3: 50, 4: 75, 5: 100}
    min_answered_share: float = Field(0.5, gt=0, le=1)
    bands: list[Band] = [
        Band(rating="Green", action="sustain", min=75),
        Band(rating="Amber", action="monitor", min=51),
        Band(rating="Red", action="improve", min=0),
    ]
    min_respondents: int = Field(10, ge=1)
    min_item_base: int = Field(5, ge=1)
    min_region_orgs: int = Field(3, ge=1)
    confidence: float = Field(0.95, gt=0, lt=1)
    alpha: float = Field(0.05, gt=0, lt=1)
    driver_area: str = "stay"
    min_driver_respondents: int = Field(30, ge=3)

    @field_validator("answer_points")
    @classmethod
    def _five_points(cls, v: dict[int, float]) -> dict[int, float]:
        if sorted(v) != [1, 2, 3, 4, 5]:
            raise ValueError("answer_points needs exactly the codes 1 to 5")
        return v

    @model_validator(mode="after")
    def _bands_cover_scale(self) -> ScoringParams:
        self.bands = sorted(self.bands, key=lambda b: -b.min)
        if self.bands[-1].min != 0:
            raise ValueError("the lowest band must start at 0")
        return self


def _load_yaml(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)  # safe_load: a params file can never run code
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: expected a mapping of names to values")
    return data


def load_scoring_params(project: Project | None = None, year: int | None = None) -> ScoringParams:
    """``params/scoring.yaml``, overridden by ``params/<year>/scoring.yaml`` where present."""
    project = project or Project.default()
    data: dict = {}
    for path in (project.params_dir / "scoring.yaml", project.year_params_dir(year) / "scoring.yaml" if year else None):
        if path is not None and path.is_file():
            data.update(_load_yaml(path))
    try:
        return ScoringParams(**data)
    except ValidationError as exc:
        raise ParameterError(f"params/scoring.yaml: {exc}") from exc
