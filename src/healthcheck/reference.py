"""Reference data: the areas, the codebook and the organisations, read from files in the project.

Per-year codebook revisions live in ``params/<year>/codebook.csv`` and override the base
codebook in ``data/reference/codebook.csv`` for that year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import Project
from .errors import InputError

STANDARDS = [f"s{i}" for i in range(1, 9)]
OTHER_AREAS = ["covid", "contribution", "tensions", "satisfaction", "stay"]
AREAS = STANDARDS + OTHER_AREAS

#: Answer labels in scale order; codes 1-5 in the cleaned data.
ANSWER_LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
MISSING_LABELS = ["Don't know", "Not applicable"]

ORG_TYPES = ["Shire County", "London Borough", "Metropolitan District", "Unitary Authority"]
NON_COUNCIL = "Non-council"
REGIONS = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]

ORG_COLUMNS = ["org_code", "name", "official_name", "org_type", "region", "aliases"]


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError("reference file is missing", file=path)
    # utf-8-sig: a file saved from Excel as "CSV UTF-8" starts with a byte-order mark
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}", file=path, column=missing[0])
    return frame


def load_areas(project: Project | None = None) -> pd.DataFrame:
    """The thirteen areas: id, kind (standard/other), number, title, short title, order."""
    project = project or Project.default()
    areas = _read_csv(project.reference_dir / "areas.csv", ["area", "kind", "title", "short_title", "order"])
    areas["order"] = areas["order"].astype(int)
    areas["number"] = pd.to_numeric(areas["number"], errors="coerce").astype("Int64")
    return areas.sort_values("order").reset_index(drop=True)


def load_codebook(year: int | None = None, project: Project | None = None) -> pd.DataFrame:
    """Item id, area, reverse flag and wording; the year's revision where one exists."""
    project = project or Project.default()
    path = project.reference_dir / "codebook.csv"
    if year is not None and (project.year_params_dir(year) / "codebook.csv").is_file():
        path = project.year_params_dir(year) / "codebook.csv"
    book = _read_csv(path, ["item", "area", "reverse", "wording"])
    bad = ~book["reverse"].str.lower().isin(["true", "false"])
    if bad.any():
        row = int(bad.idxmax()) + 2
        raise InputError("reverse must be true or false", file=path, row=row, column="reverse")
    book["reverse"] = book["reverse"].str.lower() == "true"
    unknown = ~book["area"].isin(AREAS)
    if unknown.any():
        row = int(unknown.idxmax()) + 2
        raise InputError(f"unknown area {book.loc[unknown.idxmax(), 'area']!r}", file=path, row=row, column="area")
    return book


def item_columns(codebook: pd.DataFrame) -> list[str]:
    return codebook["item"].tolist()


def load_organisations(project: Project | None = None) -> pd.DataFrame:
    """Every council in the reference data plus the non-council employers in ``params/``."""
    project = project or Project.default()
    councils = _read_csv(project.reference_dir / "organisations.csv", ORG_COLUMNS)
    extra_path = project.params_dir / "organisations_extra.csv"
    frames = [councils]
    if extra_path.is_file():
        extra = _read_csv(extra_path, ["org_code", "name"])
        for col in ORG_COLUMNS:
            if col not in extra.columns:
                extra[col] = ""
        extra["org_type"] = extra["org_type"].replace("", NON_COUNCIL)
        extra["official_name"] = extra["official_name"].where(extra["official_name"] != "", extra["name"])
        frames.append(extra[ORG_COLUMNS])
    orgs = pd.concat(frames, ignore_index=True)
    orgs["org_code"] = orgs["org_code"].str.strip().str.upper()
    dupes = orgs["org_code"].duplicated()
    if dupes.any():
        first = int(dupes.idxmax())
        # name the file holding the second copy (the councils file when both are in it)
        in_councils = first < len(councils)
        path = project.reference_dir / "organisations.csv" if in_councils else extra_path
        row = first + 2 if in_councils else first - len(councils) + 2
        raise InputError(
            f"organisation code {orgs.loc[first, 'org_code']} appears twice", file=path, row=row, column="org_code"
        )
    orgs["region"] = orgs["region"].replace("", pd.NA)
    return orgs.reset_index(drop=True)


def is_council(orgs: pd.DataFrame) -> pd.Series:
    return orgs["org_type"].isin(ORG_TYPES)
