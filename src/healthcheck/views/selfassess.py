"""A council's self-assessment against the eight Standards, beside its survey ratings, and its action plan.

The file ``params/self_assessment/<council code>.csv`` has one row per element of each
standard: ``standard`` (1-8), ``element`` (short text), ``status`` (Fully met / Partially met /
Not met) and optional ``notes``; and, for the action plan the Standards' audit tools keep,
optional ``commentary`` (what will be done), ``priority`` (High / Medium / Low), ``owner`` and
``target_date``. docs/self-assessment.md describes it. The file is read like an export (CSV in
any usual encoding or delimiter, or a title row above the header) and checked once where it is
read; any problem is an :class:`~healthcheck.errors.InputError` naming the file, the
spreadsheet row and the column.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.ingest.readers import column_key, read_raw
from healthcheck.text.words import rating_label
from healthcheck.views.council import CouncilView

FULLY, PARTIALLY, NOT_MET = "Fully met", "Partially met", "Not met"
STATUSES = [FULLY, PARTIALLY, NOT_MET]
NOT_ASSESSED = "Not assessed"
REQUIRED = ["standard", "element", "status"]
#: The action plan's columns, each optional.
PLAN_COLUMNS = ["commentary", "priority", "owner", "target_date"]
COLUMNS = [*REQUIRED, "notes", *PLAN_COLUMNS]
PRIORITIES = ["High", "Medium", "Low"]
#: Ways a target date may be written (ISO first); a spreadsheet's own dates arrive as ISO.
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y")

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
    return catalogue.SELF_ASSESSMENT.path(project, org_code=code.upper())


def load_self_assessment(project: Project | None, code: str) -> pd.DataFrame | None:
    """The council's validated self-assessment, or None when it supplied none."""
    project = project or Project.default()
    path = self_assessment_path(project, code)
    return read_self_assessment(path) if path.is_file() else None


def _read_table(path: Path) -> pd.DataFrame:
    """The file as text cells, the header found below any title row, each row numbered as a spreadsheet shows it."""
    if not path.read_bytes().strip():
        raise InputError("the file is empty", file=path, hint="see docs/self-assessment.md")
    raw = read_raw(path, expected=REQUIRED)
    first = int(raw.attrs.get("header_row", 1)) + 1
    raw.columns = [column_key(c) for c in raw.columns]
    raw.index = pd.RangeIndex(first, first + len(raw))
    return raw


def target_date(text: str) -> date | None:
    """A target date as people write it ('2022-03-31', '31/03/2022', '31 March 2022', 'March 2022'); None if not one.

    A month alone means its last day: 'March 2022' is 31 March 2022.
    """
    for fmt in _DATE_FORMATS:
        try:
            value = datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        if "%d" not in fmt:  # a month: its last day
            value = (pd.Timestamp(value) + pd.offsets.MonthEnd(0)).date()
        return value
    return None


def read_self_assessment(path: Path) -> pd.DataFrame:
    """Read and check one self-assessment file.

    Returns columns ``standard`` (int 1-8), ``element``, ``status`` (one of :data:`STATUSES`),
    ``notes``, ``commentary``, ``priority`` (one of :data:`PRIORITIES` or ''), ``owner`` ('' when
    blank) and ``target_date`` (a :class:`datetime.date` or None), in file order.
    """
    if not path.is_file():
        raise InputError("self-assessment file is missing", file=path)
    raw = _read_table(path)
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(
            f"missing required column(s) {', '.join(missing)}",
            file=path,
            column=missing[0],
            hint="the header must read standard,element,status (then notes,commentary,priority,owner,target_date)",
        )
    for column in COLUMNS:
        if column not in raw.columns:
            raw[column] = ""
    raw = raw[COLUMNS].map(lambda v: " ".join(str(v).split()))
    raw = raw[(raw != "").any(axis=1)]  # rows left blank in a spreadsheet are not elements
    if raw.empty:
        raise InputError("the file has no elements", file=path, hint="add one row per element of each standard")

    standards, statuses, priorities, dates = [], [], [], []
    seen: dict[tuple[int, str], int] = {}
    for line, row in raw.iterrows():
        line = int(line)
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
        priority = row["priority"].capitalize()
        if row["priority"] and priority not in PRIORITIES:
            raise InputError(f"priority must be High, Medium or Low, got {row['priority']!r}", file=path, row=line,
                             column="priority")  # fmt: skip
        when = target_date(row["target_date"]) if row["target_date"] else None
        if row["target_date"] and when is None:
            raise InputError(f"target_date must be a date such as 2022-03-31 or 31/03/2022, got {row['target_date']!r}",
                             file=path, row=line, column="target_date")  # fmt: skip
        planned = any(row[c] for c in PLAN_COLUMNS)
        if planned and not row["commentary"]:
            raise InputError("an action has a priority, owner or target date but no commentary: say what will be done",
                             file=path, row=line, column="commentary")  # fmt: skip
        if planned and not priority:
            raise InputError("an action needs a priority: High, Medium or Low", file=path, row=line, column="priority")
        standards.append(int(number))
        statuses.append(status)
        priorities.append(priority if row["priority"] else "")
        dates.append(when)
    return pd.DataFrame(
        {
            "standard": pd.array(standards, dtype="int64"),
            "element": raw["element"].to_numpy(),
            "status": statuses,
            "notes": raw["notes"].to_numpy(),
            "commentary": raw["commentary"].to_numpy(),
            "priority": priorities,
            "owner": raw["owner"].to_numpy(),
            "target_date": pd.Series(dates, dtype=object).to_numpy(),
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


# --------------------------------------------------------------------------------------
# the action plan
# --------------------------------------------------------------------------------------
def _long_date(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{value.day} {value:%B %Y}"


def actions(sa: pd.DataFrame) -> pd.DataFrame:
    """The elements with an action (a commentary), High priority first, then the earliest target date, then file order."""
    plan = sa[sa["commentary"] != ""].copy()
    plan["_p"] = plan["priority"].map({p: i for i, p in enumerate(PRIORITIES)}).fillna(len(PRIORITIES))
    plan["_d"] = plan["target_date"].map(lambda d: d if d is not None and not pd.isna(d) else date.max)
    plan["_o"] = range(len(plan))
    return plan.sort_values(["_p", "_d", "_o"]).drop(columns=["_p", "_d", "_o"]).reset_index(drop=True)


def action_plan(sa: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The action plan as the report prints it: standard, element, status, action, priority, owner, target date."""
    titles = _standard_titles(areas)
    plan = actions(sa)
    return pd.DataFrame(
        {
            "Standard": [titles.get(int(n), str(n)) for n in plan["standard"]],
            "Element": plan["element"].to_numpy(),
            "Self-assessment": plan["status"].to_numpy(),
            "Action": plan["commentary"].to_numpy(),
            "Priority": plan["priority"].to_numpy(),
            "Owner": plan["owner"].to_numpy(),
            "Target date": [_long_date(d) for d in plan["target_date"]],
        }
    )


def plan_sentence(sa: pd.DataFrame) -> str:
    """'The action plan has 7 actions: 2 high, 4 medium and 1 low priority; the first is due by 31 March 2022.'"""
    plan = actions(sa)
    if plan.empty:
        return "The self-assessment records no actions."
    counts = [f"{int((plan['priority'] == p).sum())} {p.lower()}" for p in PRIORITIES if (plan["priority"] == p).any()]
    listed = ", ".join(counts[:-1]) + (" and " if len(counts) > 1 else "") + counts[-1]
    text = f"The action plan has {len(plan)} action{'' if len(plan) == 1 else 's'}: {listed} priority"
    dated = [d for d in plan["target_date"] if d is not None and not pd.isna(d)]
    if dated:
        text += f"; the first is due by {_long_date(min(dated))}"
    return text + "."


def action_progress(sa: pd.DataFrame, areas: pd.DataFrame, trend: object) -> pd.DataFrame:
    """Each action beside how its standard's survey score moved since the previous round.

    ``trend`` is the council's :class:`~healthcheck.views.trend.CouncilTrend`; without a
    comparison (no previous round, too few responses) the table is empty. The scores are those
    of the change table: both years on the questions asked in both.
    """
    from healthcheck.views.trend import change_table

    table = change_table(trend)  # type: ignore[arg-type]
    if table.empty:
        return pd.DataFrame()
    prev, year = trend.previous_year, trend.year  # type: ignore[attr-defined]
    by_area = dict(zip(trend.changes["area"], table.to_dict("records"), strict=True))  # type: ignore[attr-defined]
    plan = action_plan(sa, areas)
    rows = [by_area.get(f"s{int(n)}", {}) for n in actions(sa)["standard"]]
    return pd.DataFrame(
        {
            "Standard": plan["Standard"],
            "Action": plan["Action"],
            "Priority": plan["Priority"],
            f"{prev} score": pd.array([r.get(f"{prev} score") for r in rows], dtype="Float64"),
            f"{year} score": pd.array([r.get(f"{year} score") for r in rows], dtype="Float64"),
            "Change": pd.array([r.get("Change") for r in rows], dtype="Int64"),
            f"Compared with {prev}": [r.get(f"Compared with {prev}", "Not compared") for r in rows],
        }
    )


__all__ = [
    "FULLY",
    "NOT_MET",
    "PARTIALLY",
    "PRIORITIES",
    "STATUSES",
    "action_plan",
    "action_progress",
    "actions",
    "areas_for_improvement",
    "compare_with_survey",
    "improvement_text",
    "load_self_assessment",
    "plan_sentence",
    "read_self_assessment",
    "self_assessment_path",
    "summary",
    "summary_sentence",
    "target_date",
    "verdict",
]
