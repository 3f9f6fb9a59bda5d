"""The areas the survey scores: the standards and the other areas, from ``data/reference/areas.csv``.

The areas table (:func:`load_areas`) is the one source of which areas there are, in what order,
and what they are called; the functions below read the lists and counts a report needs from it,
so a survey with another area needs only the codebook and ``areas.csv``.
"""

from __future__ import annotations

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.reference.readers import read_reference_csv
from healthcheck.text.words import number_word

AREA_COLUMNS = ["area", "kind", "number", "title", "short_title", "order"]
STANDARD, OTHER = "standard", "other"


def load_areas(project: Project | None = None) -> pd.DataFrame:
    """The areas in report order: id, kind (standard/other), number, title, short title, order."""
    project = project or Project.default()
    areas = read_reference_csv(catalogue.AREAS.path(project), ["area", "kind", "title", "short_title", "order"])
    areas["order"] = areas["order"].astype(int)
    areas["number"] = pd.to_numeric(areas["number"], errors="coerce").astype("Int64")
    return areas.sort_values("order").reset_index(drop=True)


def area_codes(areas: pd.DataFrame) -> list[str]:
    """Every area's id, in report order."""
    return areas.sort_values("order")["area"].tolist()


def standard_codes(areas: pd.DataFrame) -> list[str]:
    """The standards' ids, in report order."""
    ordered = areas.sort_values("order")
    return ordered.loc[ordered["kind"] == STANDARD, "area"].tolist()


def other_codes(areas: pd.DataFrame) -> list[str]:
    """The other areas' ids (not standards), in report order."""
    ordered = areas.sort_values("order")
    return ordered.loc[ordered["kind"] != STANDARD, "area"].tolist()


def area_order(areas: pd.DataFrame) -> dict[str, int]:
    """Area id -> position in report order (0 first), for sorting tables."""
    return {a: i for i, a in enumerate(area_codes(areas))}


def areas_phrase(areas: pd.DataFrame, *, words: bool = False) -> str:
    """'8 standards and 5 other areas' (``words``: 'eight standards and five other areas')."""
    n_std, n_other = len(standard_codes(areas)), len(other_codes(areas))
    count = number_word if words else str
    phrase = f"{count(n_std)} standard{'s' if n_std != 1 else ''}"
    if n_other:
        phrase += f" and {count(n_other)} other area{'s' if n_other != 1 else ''}"
    return phrase


def standards_phrase(areas: pd.DataFrame) -> str:
    """'the eight standards': the standards counted from the table, in words."""
    n = len(standard_codes(areas))
    return f"the {number_word(n)} standard{'s' if n != 1 else ''}"


def area_row(areas: pd.DataFrame, area: str) -> pd.Series:
    """An area's row of the table; an unknown id reads as its own title (so a sentence never breaks)."""
    rows = areas[areas["area"] == area] if "area" in areas else areas.iloc[0:0]
    if rows.empty:
        return pd.Series({"area": area, "kind": "", "number": pd.NA, "title": area, "short_title": area})
    return rows.iloc[0]


def area_title(areas: pd.DataFrame, area: str, *, short: bool = False) -> str:
    """'Continuing professional development' (``short``: 'CPD')."""
    return str(area_row(areas, area)["short_title" if short else "title"])


def area_label(areas: pd.DataFrame, area: str, *, short: bool = False) -> str:
    """'6. Continuing professional development' ('6. CPD' when short); other areas by title alone."""
    row = area_row(areas, area)
    text = str(row["short_title" if short else "title"])
    if row["kind"] == STANDARD and not pd.isna(row["number"]):
        return f"{int(row['number'])}. {text}"
    return text
