"""A council's self-assessment against the eight Standards, beside its survey ratings.

The file ``params/self_assessment/<council code>.csv`` has one row per element of each
standard: ``standard`` (1-8), ``element`` (short text), ``status`` (Fully met / Partially met /
Not met) and optional ``notes``. docs/self-assessment.md describes it. The file is checked once
where it is read; any problem is an :class:`~healthcheck.errors.InputError` naming the file, the
spreadsheet row and the column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.text.words import rating_label
from healthcheck.views.council import CouncilView

FULLY, PARTIALLY, NOT_MET = "Fully met", "Partially met", "Not met"
STATUSES = [FULLY, PARTIALLY, NOT_MET]
NOT_ASSESSED = "Not assessed"
REQUIRED = ["standard", "element", "status"]
COLUMNS = [*REQUIRED, "notes"]

# Other ways people write a status; matched ignoring case and spaces.
_STATUS_ALIASES = {
    "fully met": FULLY,
    "fully": FULLY,
    "met": FULLY,
    "partially met": PARTIALLY,
    "partially": PARTIALLY,
    "partly met": PARTIALLY,
    "not met": NOT_MET,
    "not at all met": NOT_MET,
    "not meeting": NOT_MET,
}

SAME_WAY = "Yes"


def self_assessment_path(project: Project, code: str) -> Path:
    """Where a council's self-assessment lives: ``params/self_assessment/<code>.csv``."""
    return project.params_dir / "self_assessment" / f"{code.upper()}.csv"


def load_self_assessment(project: Project | None, code: str) -> pd.DataFrame | None:
    """The council's validated self-assessment, or None when it supplied none."""
    project = project or Project.default()
    path = self_assessment_path(project, code)
    return read_self_assessment(path) if path.is_file() else None


def _read_text_csv(path: Path) -> pd.DataFrame:
    # spreadsheets save CSV as UTF-8 (often with a byte-order mark) or as Windows-1252
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, skip_blank_lines=False)
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise InputError("the file is empty", file=path, hint="see docs/self-assessment.md") from None
        except pd.errors.ParserError as exc:
            raise InputError(f"not a readable CSV file: {exc}", file=path) from None
    raise InputError("the file is neither UTF-8 nor Windows-1252 text", file=path)


def read_self_assessment(path: Path) -> pd.DataFrame:
    """Read and check one self-assessment file.

    Returns columns ``standard`` (int 1-8), ``element``, ``status`` (one of
    :data:`STATUSES`) and ``notes`` ('' when blank), in file order.
    """
    if not path.is_file():
        raise InputError("self-assessment file is missing", file=path)
    raw = _read_text_csv(path)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(
            f"missing required column(s) {', '.join(missing)}",
            file=path,
            column=missing[0],
            hint="the header must read standard,element,status,notes",
        )
    if "notes" not in raw.columns:
        raw["notes"] = ""
    raw = raw[COLUMNS].map(lambda v: " ".join(str(v).split()))
    raw = raw[(raw != "").any(axis=1)]  # rows left blank in a spreadsheet are not elements
    if raw.empty:
        raise InputError("the file has no elements", file=path, hint="add one row per element of each standard")

    standards, statuses = [], []
    seen: dict[tuple[int, str], int] = {}
    for index, row in raw.iterrows():
        line = int(index) + 2  # header is row 1
        text = row["standard"].lower().removeprefix("standard").strip()
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not (number == number and number.is_integer() and 1 <= number <= 8):
            raise InputError(
                f"standard must be a whole number from 1 to 8, got {row['standard']!r}",
                file=path,
                row=line,
                column="standard",
            )
        if not row["element"]:
            raise InputError(
                "element is blank: describe the element in a few words", file=path, row=line, column="element"
            )
        status = _STATUS_ALIASES.get(row["status"].lower())
        if status is None:
            raise InputError(
                f"status must be Fully met, Partially met or Not met, got {row['status']!r}",
                file=path,
                row=line,
                column="status",
            )
        key = (int(number), row["element"].lower())
        if key in seen:
            raise InputError(
                f"standard {int(number)} lists this element twice (first on row {seen[key]})",
                file=path,
                row=line,
                column="element",
            )
        seen[key] = line
        standards.append(int(number))
        statuses.append(status)
    return pd.DataFrame(
        {
            "standard": pd.array(standards, dtype="int64"),
            "element": raw["element"].to_numpy(),
            "status": statuses,
            "notes": raw["notes"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------------------
# summaries
# --------------------------------------------------------------------------------------
def verdict(statuses: list[str] | pd.Series) -> str:
    """A standard's overall self-assessment: fully met only if every element is, not met if none is."""
    statuses = list(statuses)
    if not statuses:
        return NOT_ASSESSED
    if all(s == FULLY for s in statuses):
        return FULLY
    if all(s == NOT_MET for s in statuses):
        return NOT_MET
    return PARTIALLY


def _standard_titles(areas: pd.DataFrame) -> dict[int, str]:
    standards = areas[areas["kind"] == "standard"]
    return {int(n): f"{int(n)}. {t}" for n, t in zip(standards["number"], standards["title"], strict=True)}


def summary(sa: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Per standard: counts of fully, partially and not met elements, and the overall verdict."""
    titles = _standard_titles(areas)
    rows = []
    for number, title in titles.items():
        statuses = sa.loc[sa["standard"] == number, "status"]
        rows.append(
            {
                "Standard": title,
                "Fully met": int((statuses == FULLY).sum()),
                "Partially met": int((statuses == PARTIALLY).sum()),
                "Not met": int((statuses == NOT_MET).sum()),
                "Elements": len(statuses),
                "Self-assessment": verdict(statuses),
            }
        )
    return pd.DataFrame(rows)


def areas_for_improvement(sa: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The elements assessed as partially or not met, by standard, in file order within each."""
    titles = _standard_titles(areas)
    gaps = sa[sa["status"] != FULLY].copy()
    gaps["_o"] = range(len(gaps))
    gaps = gaps.sort_values(["standard", "_o"])
    return pd.DataFrame(
        {
            "Standard": [titles.get(int(n), str(n)) for n in gaps["standard"]],
            "Element": gaps["element"].to_numpy(),
            "Status": gaps["status"].to_numpy(),
            "Notes": gaps["notes"].to_numpy(),
        }
    ).reset_index(drop=True)


def _count(n: int) -> str:
    return "none" if n == 0 else str(n)


def summary_sentence(sa: pd.DataFrame) -> str:
    """'The self-assessment found 40 of 48 elements fully met, 8 partially met and none not met.'"""
    total = len(sa)
    fully = int((sa["status"] == FULLY).sum())
    partially = int((sa["status"] == PARTIALLY).sum())
    not_met = int((sa["status"] == NOT_MET).sum())
    return (
        f"The self-assessment found {fully} of {total} elements fully met, "
        f"{_count(partially)} partially met and {_count(not_met)} not met."
    )


def improvement_text(sa: pd.DataFrame, areas: pd.DataFrame) -> str:
    """The areas for improvement as a Markdown list, one line per standard ('' when there are none)."""
    gaps = areas_for_improvement(sa, areas)
    if gaps.empty:
        return ""
    lines = []
    for standard, group in gaps.groupby("Standard", sort=False):
        parts = []
        for status in (PARTIALLY, NOT_MET):
            elements = group.loc[group["Status"] == status, "Element"].tolist()
            if elements:
                parts.append(f"{status.lower()}: {'; '.join(elements)}")
        title = standard.split(". ", 1)
        lines.append(f"- Standard {title[0]}: {title[1]} – {'. '.join(parts)}.")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# beside the survey
# --------------------------------------------------------------------------------------
def compare_with_survey(sa: pd.DataFrame, view: CouncilView) -> pd.DataFrame:
    """Each standard's self-assessment beside its survey score and rating.

    'Both point the same way' compares the verdict with the rating band in order: fully met
    with the top band (Green), partially met with the middle one (Amber), not met with the
    lowest (Red). Otherwise it says which of the two is the more positive.
    """
    table = summary(sa, view.areas)
    bands = [b.rating for b in sorted(view.bands, key=lambda b: -b.min)]
    level = {FULLY: 0, PARTIALLY: min(1, len(bands) - 1), NOT_MET: len(bands) - 1}
    rated = view.comparison().set_index("area") if not view.suppressed else pd.DataFrame()
    scores, ratings, same = [], [], []
    for number, self_view in zip(range(1, 9), table["Self-assessment"], strict=True):
        area = f"s{number}"
        row = rated.loc[area] if area in rated.index else None
        if row is None or pd.isna(row["rating"]):
            scores.append(None)
            ratings.append("")
            same.append("No survey figure")
            continue
        scores.append(float(row["score"]))
        ratings.append(rating_label(row["rating"], row["action"]))
        if self_view == NOT_ASSESSED:
            same.append("Not assessed")
            continue
        survey_level = bands.index(row["rating"]) if row["rating"] in bands else len(bands) - 1
        if survey_level == level[self_view]:
            same.append(SAME_WAY)
        elif survey_level < level[self_view]:
            same.append("No: the survey is more positive")
        else:
            same.append("No: the self-assessment is more positive")
    name = view.name
    return pd.DataFrame(
        {
            "Standard": table["Standard"],
            "Self-assessment": [
                f"{v} ({f} of {e} element{'' if e == 1 else 's'} fully met)" if e else v
                for v, f, e in zip(table["Self-assessment"], table["Fully met"], table["Elements"], strict=True)
            ],
            f"{name} survey score": pd.array(scores, dtype="Float64"),
            f"{name} survey rating": ratings,
            "Both point the same way": same,
        }
    )


__all__ = [
    "FULLY",
    "NOT_MET",
    "PARTIALLY",
    "STATUSES",
    "areas_for_improvement",
    "compare_with_survey",
    "improvement_text",
    "load_self_assessment",
    "read_self_assessment",
    "self_assessment_path",
    "summary",
    "summary_sentence",
    "verdict",
]
