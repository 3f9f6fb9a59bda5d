"""What a run builds: the reports of a year, each a :class:`Target` with its folder and notebook.

Four kinds of report (:data:`NOTEBOOKS`), each a parameterised notebook: one per council (and
non-council employer) from ``03-council-report``, the national worker-survey report
(``06-national-report``, folder ``england``), one per region (``07-regional-report``, folder
``region-<name>``) and the national report of the organisational return
(``05-national-return-report``, folder ``england-organisational-return``). Those folder names
cannot be a council's: a council whose name would read the same gets its code added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import ParameterError, UnknownOrganisationError
from healthcheck.reference.organisations import ENGLAND_CODE, REGION_CODES, organisation_index
from healthcheck.reference.organisations import slug as make_slug
from healthcheck.reference.services import SINGULAR, Service, of_service, service_slug

NOTEBOOK = "03-council-report.ipynb"
#: The index page of a year's reports (``reports/<year>/``) and of the years (``reports/``).
INDEX = "index.html"
#: The kinds of report and their notebooks, in the order a run lists them.
KINDS = ("national", "return", "region", "council")
NOTEBOOKS = {
    "council": NOTEBOOK,
    "national": "06-national-report.ipynb",
    "region": "07-regional-report.ipynb",
    "return": "05-national-return-report.ipynb",
}
KIND_TEXT = {
    "council": "council report",
    "national": "national report",
    "region": "regional report",
    "return": "national report of the organisational return",
}
NATIONAL_SLUG = "england"
RETURN_SLUG = "england-organisational-return"
REGION_PREFIX = "region-"
_SLUG_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class Target:
    """One report to build: a council's (``kind`` "council"), England's, a region's or the return's.

    For a national or regional report ``org_code`` is the ONS code of England or the region,
    ``name`` what the index shows and ``region`` the region (the notebook's parameter).
    """

    org_code: str
    name: str
    region: str | None
    slug: str
    kind: str = "council"
    service: Service = "all"  # a council's report of all services, or of its adults' or children's services


@dataclass
class Result:
    """What happened to one target. ``outputs`` are paths relative to ``reports/<year>/``."""

    org_code: str
    name: str
    slug: str
    region: str | None = None
    status: str = "ok"  # ok / failed / skipped
    cause: str = ""  # why it failed
    reason: str = ""  # why it was built (or "up to date")
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    retries: list[str] = field(default_factory=list)
    failed_notebook: str | None = None
    kind: str = "council"

    @classmethod
    def failed(cls, target: Target, cause: str, **kwargs: Any) -> Result:
        return cls(
            target.org_code,
            target.name,
            target.slug,
            target.region,
            status="failed",
            cause=cause,
            kind=target.kind,
            **kwargs,
        )


def safe_out_dir(project: Project, year: int, name: str) -> Path:
    """``reports/<year>/<name>``, refusing any name that is not a plain slug inside that folder."""
    base = project.reports_dir(year).resolve()
    text = str(name)
    if not text or not set(text) <= _SLUG_OK or text.startswith("-"):
        raise ParameterError(f"refusing {text!r} as a report folder name: only a-z, 0-9 and '-' are allowed")
    candidate = (base / text).resolve()
    if candidate.parent != base:
        raise ParameterError(f"refusing to write outside {base}: {text!r}")
    return candidate


def report_parameters(
    project: Project, year: int, org_code: str, *, free_text: bool = False, service: Service = "all"
) -> dict[str, Any]:
    """The report notebook's parameters for one organisation and service (free text off unless asked for)."""
    parameters = {
        "council": org_code,
        "year": year,
        "project_root": str(project.root),
        "show_free_text": bool(free_text),
    }
    return parameters if service == "all" else {**parameters, "service": service}


def target_parameters(project: Project, year: int, target: Target, *, free_text: bool = False) -> dict[str, Any]:
    """The parameters of a target's notebook: a council's, or ``year``, ``project_root`` (and ``region``)."""
    if target.kind == "council":
        return report_parameters(project, year, target.org_code, free_text=free_text, service=target.service)
    parameters: dict[str, Any] = {"year": year, "project_root": str(project.root)}
    if target.kind == "region":
        parameters = {"region": target.region, **parameters}
    return parameters


def notebook_path(project: Project, kind: str) -> Path:
    """The notebook of a kind of report."""
    if kind not in NOTEBOOKS:
        raise ParameterError(f"unknown kind of report {kind!r}: choose from {', '.join(KINDS)}")
    return project.notebooks_dir / NOTEBOOKS[kind]


def region_slug(region: str) -> str:
    """``region-north-west``: the folder of a region's report."""
    return f"{REGION_PREFIX}{make_slug(region)}"


def _reserved(folder: str) -> bool:
    """A folder name kept for the national and regional reports."""
    return folder == NATIONAL_SLUG or folder.startswith((f"{NATIONAL_SLUG}-", REGION_PREFIX))


def _org_scores(project: Project, year: int, column: str) -> pd.Series:
    """One column of the year's ``org_scores`` table; ParameterError when the year is not scored."""
    path = catalogue.ORG_SCORES.path(project, year)
    if not path.is_file():
        raise ParameterError(f"no scoring tables for {year} ({path} is missing): run `healthcheck score --year {year}`")
    return pd.read_parquet(path, columns=[column])[column]


def service_codes(project: Project, year: int, service: Service) -> set[str]:
    """The organisations with a reportable result for a service in the year's scoring tables."""
    path = catalogue.ORG_SCORES.path(project, year)
    if not path.is_file():
        raise ParameterError(f"no scoring tables for {year} ({path} is missing): run `healthcheck score --year {year}`")
    table = of_service(pd.read_parquet(path), service)  # a table scored before services holds all services only
    return set(table.loc[table["reportable"].fillna(False).astype(bool), "org_code"].astype(str))


def scored_regions(project: Project, year: int) -> list[str]:
    """The regions of the organisations in the year's scoring tables, sorted."""
    return sorted(_org_scores(project, year, "region").dropna().astype(str).unique().tolist())


def scored_codes(project: Project, year: int) -> list[str]:
    """Every organisation in the year's scoring tables (reportable and suppressed), sorted."""
    return sorted(_org_scores(project, year, "org_code").astype(str).unique().tolist())


def has_return(project: Project, year: int) -> bool:
    """Whether the year has an organisational return (raw or cleaned); InputError if both raw spellings are there."""
    return catalogue.ORG_RETURN_RAW.found(project, year) is not None or catalogue.ORG_RETURN.exists(project, year)


def special_targets(
    project: Project,
    year: int,
    *,
    national: bool = True,
    regions: bool | Sequence[str] = True,
    org_return: bool = True,
    need_notebooks: bool = True,
) -> tuple[list[Target], list[str]]:
    """Targets of the national, regional and return reports, and a message for each one left out.

    ``regions`` is True (every region with a scored organisation), False, or region names
    (matched ignoring case; an unknown name is a :class:`ParameterError`). A kind whose notebook
    is missing (when ``need_notebooks``), a national or regional report without scoring tables,
    and the return report of a year with no return are left out, each with a message.
    """
    targets: list[Target] = []
    notes: list[str] = []

    def notebook_ok(kind: str) -> bool:
        path = notebook_path(project, kind)
        if need_notebooks and not path.is_file():
            what = "regional reports are" if kind == "region" else f"{KIND_TEXT[kind]} is"
            notes.append(f"{path.relative_to(project.root).as_posix()} is missing: the {what} skipped")
            return False
        return True

    if national and notebook_ok("national"):
        if catalogue.ORG_SCORES.exists(project, year):
            targets.append(Target(ENGLAND_CODE, "England", None, NATIONAL_SLUG, "national"))
        else:
            notes.append(f"no scoring tables for {year}: the national report is skipped")
    if org_return and notebook_ok("return"):
        if has_return(project, year):
            targets.append(Target(ENGLAND_CODE, "England: organisational return", None, RETURN_SLUG, "return"))
        else:
            notes.append(f"no organisational return for {year}: its national report is skipped")
    if regions and notebook_ok("region"):
        try:
            known = scored_regions(project, year)
        except ParameterError:
            known = []
            notes.append(f"no scoring tables for {year}: the regional reports are skipped")
        if regions is True:
            chosen = known
        else:
            by_key = {r.lower(): r for r in known}
            wanted = [str(r).strip() for r in regions]  # type: ignore[union-attr]
            unknown = [r for r in wanted if r.lower() not in by_key]
            if unknown and known:
                raise ParameterError(
                    f"no organisation scored for {year} is in region(s) {', '.join(map(repr, unknown))}: "
                    f"choose from {', '.join(known)}"
                )
            chosen = list(dict.fromkeys(by_key[r.lower()] for r in wanted if r.lower() in by_key))
        for region in chosen:
            folder = region_slug(region)
            safe_out_dir(project, year, folder)
            targets.append(Target(REGION_CODES.get(region, folder), region, region, folder, "region"))
    return targets, notes


def resolve_targets(
    project: Project, year: int, councils: Sequence[str] | None = None, services: Sequence[Service] | None = None
) -> tuple[list[Target], list[Result]]:
    """Targets for the named councils (codes or names), or every organisation scored, for each service.

    ``services`` lists the reports of each council to build: 'all' (the default alone) is its
    report of all services (folder ``halton``); 'adults' and 'children' its report of that
    service (``halton-adults``, ``halton-children``), built where it has enough respondents in
    the service (``healthcheck run --service``). Names that match no organisation come
    back as failed results (the others still run).
    """
    wanted = ["all"] if not services else list(dict.fromkeys(services))
    by_service = {s: service_codes(project, year, s) for s in wanted if s != "all"}
    index = organisation_index(project, year)  # the year's councils, and the older names of their services
    unknown: list[Result] = []
    if councils:
        codes = []
        for council in councils:
            code, _ = index.resolve(council, council)
            if code is None:
                try:
                    index.lookup(council)
                except UnknownOrganisationError as exc:
                    unknown.append(
                        Result("", str(council), "", status="failed", cause=f"UnknownOrganisationError: {exc}")
                    )
            else:
                codes.append(code)
    else:
        codes = scored_codes(project, year)
    targets: list[Target] = []
    seen_codes: set[str] = set()
    seen_slugs: set[str] = set()
    for code in codes:
        if code in seen_codes:
            continue
        seen_codes.add(code)
        if code in index.orgs.index:
            row = index.orgs.loc[code]
            name, region = str(row["name"]), None if pd.isna(row["region"]) else str(row["region"])
        else:  # scored but not in the reference data: keep the code as its name
            name, region = code, None
        folder = make_slug(name)
        if folder in seen_slugs or _reserved(folder):  # two names that read the same: the code tells them apart
            folder = f"{folder}-{code.lower()}"
        seen_slugs.add(folder)
        for service in wanted:
            if service != "all" and code not in by_service[service]:
                continue  # too few (or no) respondents in that service: its all-services report says so
            slug = service_slug(folder, service)
            safe_out_dir(project, year, slug)
            label = name if service == "all" else f"{name} ({SINGULAR[service]})"
            targets.append(Target(code, label, region, slug, service=service))
    return targets, unknown


__all__ = [
    "INDEX", "KINDS", "KIND_TEXT", "NATIONAL_SLUG", "NOTEBOOK", "NOTEBOOKS", "REGION_PREFIX", "RETURN_SLUG", "Result", "Target",
    "has_return", "notebook_path", "region_slug", "report_parameters", "resolve_targets", "safe_out_dir",
    "scored_codes", "scored_regions", "service_codes", "special_targets", "target_parameters",
]  # fmt: skip
