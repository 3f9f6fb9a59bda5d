"""Parameters from ``params/``: validated once where they enter, with clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from healthcheck.catalogue import PUBLICATION, SCORING, YEAR_SCORING
from healthcheck.config import Project
from healthcheck.errors import ParameterError


class Band(BaseModel):
    rating: str
    action: str
    min: float = Field(ge=0, le=100)


class ScoringParams(BaseModel):
    """The scoring method's numbers, all from ``params/scoring.yaml`` (docs/method.md explains each).

    There are no defaults in code: the YAML file is the one place the numbers are set, so a
    report, a test and the documentation can never disagree about them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    answer_points: dict[int, float]
    min_answered_share: float = Field(gt=0, le=1)
    bands: list[Band]
    min_respondents: int = Field(ge=1)
    min_item_base: int = Field(ge=1)
    min_region_orgs: int = Field(ge=1)
    confidence: float = Field(gt=0, lt=1)
    alpha: float = Field(gt=0, lt=1)
    driver_area: str
    min_driver_respondents: int = Field(ge=3)

    def but(self, **changes: object) -> ScoringParams:
        """A copy with some numbers changed, validated like the file."""
        return ScoringParams(**{**self.model_dump(), **changes})

    @field_validator("answer_points")
    @classmethod
    def _five_points(cls, v: dict[int, float]) -> dict[int, float]:
        if sorted(v) != [1, 2, 3, 4, 5]:
            raise ValueError("answer_points needs exactly the codes 1 to 5")
        return v

    @field_validator("bands")
    @classmethod
    def _bands_cover_scale(cls, v: list[Band]) -> list[Band]:
        bands = sorted(v, key=lambda b: -b.min)
        if not bands or bands[-1].min != 0:
            raise ValueError("the lowest band must start at 0")
        return bands


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
    base = SCORING.path(project)
    if not base.is_file():
        raise ParameterError(
            f"{base}: the scoring parameters are missing (copy params/scoring.yaml from the repository)"
        )
    data = _load_yaml(base)
    if year is not None and YEAR_SCORING.exists(project, year):
        data.update(_load_yaml(YEAR_SCORING.path(project, year)))
    try:
        return ScoringParams(**data)
    except ValidationError as exc:
        raise ParameterError(f"params/scoring.yaml: {exc}") from exc


class Contact(BaseModel):
    """Who answers a reader's questions about the reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None


class Publication(BaseModel):
    """``params/publication.yaml``: the survey's name, the publisher, the date, the contact, other formats."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    survey: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    published: dt.date | None = None
    contact: Contact
    alternative_formats: str = Field(min_length=1)

    def date(self, today: dt.date | None = None) -> dt.date:
        """The date of publication: the one set, else ``today`` (the day the report is built)."""
        return self.published or today or dt.date.today()


def load_publication(project: Project | None = None) -> Publication:
    """``params/publication.yaml``, validated; ParameterError names the file and what is wrong."""
    project = project or Project.default()
    path = PUBLICATION.path(project)
    if not path.is_file():
        raise ParameterError(
            f"{path}: the publication details are missing (copy params/publication.yaml from the repository)"
        )
    data = _load_yaml(path)
    if isinstance(data.get("contact"), dict) and data["contact"].get("phone") is not None:
        data["contact"] = {**data["contact"], "phone": str(data["contact"]["phone"])}
    try:
        return Publication(**data)
    except ValidationError as exc:
        raise ParameterError(f"{path}: {exc}") from exc
