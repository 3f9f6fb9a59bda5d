"""The committee paper's boiler plate: ``params/paper/default.yaml`` with a council's own file over it.

What the data cannot say (the board, the officers, the recommendation, the implications, what the
council offers its staff) comes from YAML. ``params/paper/<ONS code>.yaml`` replaces any key of
the default; a value left null is printed as a highlighted '[To be completed: ...]' box.
Text may use ``{council}``, ``{board}``, ``{service}`` and ``{year}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError

#: The services ``--service`` may name.
SERVICES = ("adults", "children", "both")


class Priority(BaseModel):
    """One of the council's priorities (section 6.0) and what the report means for it."""

    model_config = ConfigDict(extra="forbid")
    heading: str
    text: str | None = None


class Boilerplate(BaseModel):
    """Every key of ``params/paper/default.yaml``; None where the author still has to write it."""

    model_config = ConfigDict(extra="forbid")
    board: str | None = None
    board_short: str | None = None
    meeting_date: str | None = None
    reporting_officer: str | None = None
    portfolio: str | None = None
    wards: str | None = None
    author: str | None = None
    subject: str | None = None
    service: dict[str, str] = Field(default_factory=dict)
    recommendations: list[str] = Field(default_factory=list)
    headcount_basis: str | None = None
    local_support: list[str] = Field(default_factory=list)
    self_assessment_process: str | None = None
    next_round: str | None = None
    next_steps: list[str] = Field(default_factory=list)
    policy_implications: str | None = None
    financial_implications: str | None = None
    council_priorities: list[Priority] = Field(default_factory=list)
    risk_analysis: str | None = None
    equality_and_diversity: str | None = None
    background_papers: str | None = None

    def fill(self, text: str | None, **names: object) -> str | None:
        """``text`` with {council}, {board}, {service} and {year} put in (None stays None)."""
        if text is None:
            return None
        try:
            return text.format(**names)
        except (KeyError, IndexError, ValueError) as exc:
            raise InputError(
                f"the text {text[:60]!r} uses a name the paper does not know ({exc}): use {{council}}, {{board}}, "
                "{service} or {year}, and write a brace as {{ or }}",
                file="params/paper/",
            ) from None


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"not readable YAML: {getattr(exc, 'problem', exc)}", file=path,
                         row=mark.line + 1 if mark else None) from None  # fmt: skip
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("the file must be a list of keys and values (see params/paper/default.yaml)", file=path)
    return data


def load_boilerplate(project: Project, code: str) -> Boilerplate:
    """The default boiler plate with the council's own file (if any) over it, checked.

    An unknown key or a value of the wrong kind is an :class:`InputError` naming the file and the key.
    """
    merged: dict[str, Any] = {}
    for path in (catalogue.PAPER_DEFAULT.path(project), catalogue.PAPER.path(project, org_code=code.upper())):
        if not path.is_file():
            continue
        data = _read(path)
        for key, value in data.items():
            if key == "service" and isinstance(value, dict):
                merged["service"] = {**merged.get("service", {}), **value}
            else:
                merged[key] = value
        try:
            Boilerplate.model_validate(merged)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(p) for p in error["loc"])
            raise InputError(f"{error['msg']}", file=path, column=key,
                             hint="params/paper/default.yaml lists every key and what it holds") from None  # fmt: skip
    return Boilerplate.model_validate(merged)


def service_words(boilerplate: Boilerplate, service: str) -> str:
    """What the paper calls the service ('Adult Social Care'); a :class:`ParameterError` for an unknown one."""
    from healthcheck.errors import ParameterError

    if service not in SERVICES:
        raise ParameterError(f"--service must be one of {', '.join(SERVICES)}, got {service!r}")
    return boilerplate.service.get(service, "social care")


__all__ = ["SERVICES", "Boilerplate", "Priority", "load_boilerplate", "service_words"]
