"""The worker survey's codebook: item id, area, scoring direction and wording.

Per-year codebook revisions live in ``params/<year>/codebook.csv`` and override the base
codebook in ``data/reference/codebook.csv`` for that year.
"""

from __future__ import annotations

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.reference.areas import area_codes, load_areas
from healthcheck.reference.readers import read_reference_csv

#: Answer labels in scale order; codes 1-5 in the cleaned data.
ANSWER_LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
MISSING_LABELS = ["Don't know", "Not applicable"]


def load_codebook(year: int | None = None, project: Project | None = None) -> pd.DataFrame:
    """Item id, area, reverse flag and wording; the year's revision where one exists.

    Every item's area must be an area of the project's areas table (``data/reference/areas.csv``).
    """
    project = project or Project.default()
    path = catalogue.CODEBOOK.path(project)
    if year is not None and catalogue.YEAR_CODEBOOK.exists(project, year):
        path = catalogue.YEAR_CODEBOOK.path(project, year)
    book = read_reference_csv(path, ["item", "area", "reverse", "wording"])
    bad = ~book["reverse"].str.lower().isin(["true", "false"])
    if bad.any():
        row = int(bad.idxmax()) + 2
        raise InputError("reverse must be true or false", file=path, row=row, column="reverse")
    book["reverse"] = book["reverse"].str.lower() == "true"
    unknown = ~book["area"].isin(area_codes(load_areas(project)))
    if unknown.any():
        row = int(unknown.idxmax()) + 2
        raise InputError(f"unknown area {book.loc[unknown.idxmax(), 'area']!r}", file=path, row=row, column="area")
    return book


def item_columns(codebook: pd.DataFrame) -> list[str]:
    """The item ids, in codebook order (the export's item columns)."""
    return codebook["item"].tolist()
