"""A council's workforce context, from its own organisational return, beside its region and England.

Four figures from the cleaned return (``data/processed/<year>/org_return.parquet``, questions
of ``data/reference/return_codebook.csv``):

* **vacancy rate**: ``unfilled_posts`` / ``fte_posts``, in per cent;
* **agency rate**: ``agency_posts`` / ``fte_posts``, in per cent;
* **average caseload**: ``caseload`` as returned (cases held by a social worker);
* **supervision frequency**: ``supervision_frequency``, the form's option label.

The region's and England's figures follow the national report of the return (and the 2018
report): a rate is the **mean of the organisations' own rates**, not the pooled ratio of all
posts, so each organisation counts once whatever its size; the caseload is the mean of the
organisations' caseloads; for supervision the most common answer is given with the share of
organisations giving it (ties: the form's order). An organisation without both figures, or
with no FTE posts, is left out of a rate. Every organisation that returned counts, councils and
non-council employers alike (the region's are those with that region in the reference data).

Disclosure: a region's figure is shown only when at least ``min_region_orgs``
(``params/scoring.yaml``) organisations gave it; otherwise it is suppressed (``[c]``). The same
rule is applied to England. A council's own figures are its own return.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from healthcheck.config import Project
from healthcheck.text.numbers import round_half_up
from healthcheck.views.council import NATIONAL_GROUP
from healthcheck.views.tables import read_return, scored_params

FTE = "fte_posts"
UNFILLED = "unfilled_posts"
AGENCY = "agency_posts"
CASELOAD = "caseload"
SUPERVISION = "supervision_frequency"

#: The numeric measures: (key, numerator, denominator or None, label in the table).
NUMERIC_MEASURES: tuple[tuple[str, str, str | None, str], ...] = (
    ("vacancy_rate", UNFILLED, FTE, "Vacancy rate: unfilled posts as a share of FTE social worker posts"),
    ("agency_rate", AGENCY, FTE, "Agency rate: posts covered by agency or temporary staff, share of FTE posts"),
    ("caseload", CASELOAD, None, "Average caseload held by a social worker (cases)"),
)
SUPERVISION_LABEL = "How often qualified social workers have supervision"
MEASURE_KEYS = ("vacancy_rate", "agency_rate", "caseload", "supervision_frequency")
RATES = ("vacancy_rate", "agency_rate")
SUPPRESSED = "[c]"
NOT_GIVEN = "n/a"


# --------------------------------------------------------------------------------------
# per organisation
# --------------------------------------------------------------------------------------
def _number(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(math.nan, index=df.index, dtype="float64")
    return pd.to_numeric(df[column], errors="coerce").astype("float64")


def organisation_figures(returns: pd.DataFrame) -> pd.DataFrame:
    """One row per organisation: ``org_code, org_name, region, service`` and the four figures.

    Rates are per cent (0-100, not rounded), NaN where a figure is missing or FTE posts are
    not positive; ``supervision_frequency`` is the label or missing.
    """
    out = pd.DataFrame(
        {
            "org_code": returns["org_code"].astype("str"),
            "org_name": returns["org_name"].astype("str")
            if "org_name" in returns
            else returns["org_code"].astype("str"),
            "region": returns["region"] if "region" in returns else pd.Series(pd.NA, index=returns.index),
            "service": returns["service"] if "service" in returns else pd.Series(pd.NA, index=returns.index),
        }
    )
    for key, numerator, denominator, _ in NUMERIC_MEASURES:
        num = _number(returns, numerator)
        if denominator is None:
            out[key] = num
        else:
            den = _number(returns, denominator)
            out[key] = (100.0 * num / den).where(den > 0)
    supervision = returns[SUPERVISION] if SUPERVISION in returns else pd.Series(pd.NA, index=returns.index)
    out[SUPERVISION] = supervision.astype("object").where(supervision.notna(), None)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# a group (region or England)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupFigure:
    """A region's or England's figure for one measure.

    ``value`` is the mean (numbers) or the most common label (supervision), None when
    ``suppressed`` or nobody gave it; ``share`` the per cent of organisations giving that label;
    ``orgs`` the organisations behind the figure.
    """

    value: float | str | None
    orgs: int
    suppressed: bool = False
    share: float | None = None


def most_common(labels: pd.Series, order: list[str] | None = None) -> tuple[str | None, float | None]:
    """The most common label and its per cent of the labels given; ties go to the form's order."""
    given = labels.dropna().astype(str)
    if given.empty:
        return None, None
    counts = given.value_counts()
    top = counts.max()
    tied = [label for label in counts.index if counts[label] == top]
    rank = {label: i for i, label in enumerate(order or [])}
    best = min(tied, key=lambda label: (rank.get(label, len(rank)), label))
    return best, 100.0 * top / len(given)


def group_figures(
    figures: pd.DataFrame, *, min_orgs: int, supervision_order: list[str] | None = None
) -> dict[str, GroupFigure]:
    """Figures of a group of organisations (rows of :func:`organisation_figures`).

    A measure given by fewer than ``min_orgs`` organisations is suppressed.
    """
    out: dict[str, GroupFigure] = {}
    for key, *_ in NUMERIC_MEASURES:
        values = figures[key].dropna()
        n = int(values.size)
        if n < min_orgs:
            out[key] = GroupFigure(None, n, suppressed=n > 0)
        else:
            out[key] = GroupFigure(float(values.mean()), n)
    labels = figures[SUPERVISION].dropna()
    n = int(labels.size)
    if n < min_orgs:
        out[SUPERVISION] = GroupFigure(None, n, suppressed=n > 0)
    else:
        label, share = most_common(labels, supervision_order)
        out[SUPERVISION] = GroupFigure(label, n, share=share)
    return out


# --------------------------------------------------------------------------------------
# one council's context
# --------------------------------------------------------------------------------------
@dataclass
class WorkforceContext:
    """What the report's workforce context section shows for one organisation."""

    year: int
    org_code: str
    name: str
    region: str | None
    min_region_orgs: int
    any_returns: bool  # was there a return at all for the year
    returned: bool  # did this organisation return
    service: str | None = None
    own: dict[str, float | str | None] = field(default_factory=dict)
    regional: dict[str, GroupFigure] = field(default_factory=dict)
    national: dict[str, GroupFigure] = field(default_factory=dict)
    region_returns: int = 0
    national_returns: int = 0


def _own_value(value: object) -> float | str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value if isinstance(value, str) else float(value)


def workforce_context(
    returns: pd.DataFrame | None,
    org_code: str,
    *,
    year: int,
    name: str,
    region: str | None,
    min_region_orgs: int,
    supervision_order: list[str] | None = None,
) -> WorkforceContext:
    """The context of ``org_code`` from a year's cleaned returns (None: no return that year)."""
    context = WorkforceContext(
        year=year, org_code=org_code, name=name, region=region, min_region_orgs=min_region_orgs,
        any_returns=returns is not None and not returns.empty, returned=False,
    )  # fmt: skip
    if not context.any_returns:
        return context
    figures = organisation_figures(returns)
    context.national = group_figures(figures, min_orgs=min_region_orgs, supervision_order=supervision_order)
    context.national_returns = len(figures)
    if region:
        in_region = figures[figures["region"].astype("object").eq(region).fillna(False).astype(bool)]
        context.regional = group_figures(in_region, min_orgs=min_region_orgs, supervision_order=supervision_order)
        context.region_returns = len(in_region)
    mine = figures[figures["org_code"] == org_code]
    if mine.empty:
        return context
    row = mine.iloc[0]
    context.returned = True
    context.service = None if pd.isna(row["service"]) else str(row["service"])
    context.own = {key: _own_value(row[key]) for key in MEASURE_KEYS}
    return context


def load_workforce_context(
    project: Project, year: int, org_code: str, *, name: str, region: str | None
) -> WorkforceContext:
    """:func:`workforce_context` from the year's cleaned return and the parameters it was scored with."""
    from healthcheck.reference.return_codebook import load_return_codebook, options

    returns = read_return(project, year)
    try:
        order = options(load_return_codebook(project, year), SUPERVISION)
    except KeyError:  # a year whose form has no such question: the figure is simply missing
        order = None
    params = scored_params(project, year)
    return workforce_context(
        returns, org_code, year=year, name=name, region=region,
        min_region_orgs=params.min_region_orgs, supervision_order=order,
    )  # fmt: skip


# --------------------------------------------------------------------------------------
# words and table
# --------------------------------------------------------------------------------------
def fmt_rate(value: float | None) -> str:
    """A per cent to one decimal place, rounded half up: '12.5%'."""
    return NOT_GIVEN if value is None or pd.isna(value) else f"{round_half_up(value, 1):.1f}%"


def fmt_number(value: float | None) -> str:
    """A caseload to one decimal place, rounded half up: '18.7'."""
    return NOT_GIVEN if value is None or pd.isna(value) else f"{round_half_up(value, 1):.1f}"


def _fmt(key: str, value: float | str | None) -> str:
    if key in RATES:
        return fmt_rate(value)  # type: ignore[arg-type]
    if key == "caseload":
        return fmt_number(value)  # type: ignore[arg-type]
    return NOT_GIVEN if value is None else str(value)


def _fmt_group(key: str, figure: GroupFigure | None) -> str:
    if figure is None or figure.suppressed:
        return SUPPRESSED if figure is not None else NOT_GIVEN
    if figure.value is None:
        return NOT_GIVEN
    if key == SUPERVISION:
        return f"{figure.value} ({round_half_up(figure.share or 0.0):.0f}% of organisations)"
    return _fmt(key, figure.value)


def context_table(context: WorkforceContext) -> pd.DataFrame:
    """The section's table: one row per measure; the council, its region (if any) and England."""
    labels = [label for *_, label in NUMERIC_MEASURES] + [SUPERVISION_LABEL]
    table = pd.DataFrame({"Measure": labels})
    table[context.name] = [_fmt(key, context.own.get(key)) for key in MEASURE_KEYS]
    if context.region:
        table[context.region] = [_fmt_group(key, context.regional.get(key)) for key in MEASURE_KEYS]
    table[NATIONAL_GROUP] = [_fmt_group(key, context.national.get(key)) for key in MEASURE_KEYS]
    return table


def context_notes(context: WorkforceContext) -> tuple[str, ...]:
    """The table's notes: what the figures are, how the comparators are made, the symbols."""
    where = f"{context.region} and England" if context.region else "England"
    notes = [
        f"From the organisational return each principal social worker completes for the organisation, {context.year}. "
        "Rates are shares of FTE social worker posts (including first line managers), as returned.",
        f"{where}: the mean of the organisations' own figures (each organisation counts once, whatever its size), "
        "as in the national report of the return; for supervision, the most common answer.",
        f"Organisations behind the comparators: {_orgs_text(context)}.",
    ]
    if any(f.suppressed for f in (*context.regional.values(), *context.national.values())):
        notes.append(
            f"{SUPPRESSED}: fewer than {context.min_region_orgs} organisations gave this figure, so it is not shown."
        )
    if any(v is None for v in context.own.values()) or any(
        f.value is None and not f.suppressed for f in (*context.regional.values(), *context.national.values())
    ):
        notes.append(f"{NOT_GIVEN}: not given in the return.")
    return tuple(notes)


def _orgs_text(context: WorkforceContext) -> str:
    parts = []
    if context.region:
        parts.append(f"{context.region} {context.region_returns}")
    parts.append(f"England {context.national_returns}")
    text = ", ".join(parts)
    return text + " returns (fewer for a question some left blank)"


def _service_phrase(service: str | None) -> str:
    return {"Children": " for children's services", "Adults": " for adult social care"}.get(service or "", "")


def context_text(context: WorkforceContext) -> str:
    """A sentence or two for the section: the council's figures beside England's, or why there are none."""
    if not context.any_returns:
        return f"No organisational return was collected for {context.year}, so there is no workforce context this year."
    if not context.returned:
        return (
            f"{context.name} did not submit an organisational return for {context.year}, so its workforce "
            "context (vacancies, agency staff, caseloads and supervision) cannot be shown."
        )
    own = context.own

    def beside(key: str, fmt: Callable[[float | None], str]) -> str:
        # the comparators that can be shown, in brackets: "(North West 14.2%, England 12.5%)"
        groups = [(context.region, context.regional.get(key)), (NATIONAL_GROUP, context.national.get(key))]
        parts = [
            f"{where} {fmt(figure.value)}"  # type: ignore[arg-type]
            for where, figure in groups
            if where and figure is not None and figure.value is not None and not figure.suppressed
        ]
        return f" ({', '.join(parts)})" if parts else ""

    clauses = []
    if own.get("vacancy_rate") is not None:
        clauses.append(
            f"{fmt_rate(own['vacancy_rate'])} of its social worker posts were unfilled{beside('vacancy_rate', fmt_rate)}"
        )
    if own.get("agency_rate") is not None:
        subject = "" if clauses else " of its social worker posts"  # "were" needs the posts named once
        clauses.append(
            f"{fmt_rate(own['agency_rate'])}{subject} were covered by agency or temporary staff{beside('agency_rate', fmt_rate)}"
        )
    if own.get("caseload") is not None:
        clauses.append(f"the average caseload was {fmt_number(own['caseload'])} cases{beside('caseload', fmt_number)}")
    first = f"From {context.name}'s organisational return{_service_phrase(context.service)} for {context.year}"
    if clauses:
        body = ", ".join(clauses[:-1]) + (" and " if len(clauses) > 1 else "") + clauses[-1]
        text = f"{first}: {body}."
    else:
        text = f"{first}: the return gave no figures for posts or caseloads."
    label = own.get(SUPERVISION)
    if label:
        national = context.national.get(SUPERVISION)
        common = national.value if national is not None and not national.suppressed else None
        if label == "Other":
            sentence = "Supervision of qualified social workers follows a pattern other than the form's options"
        else:
            sentence = f"Qualified social workers have supervision {str(label)[0].lower()}{str(label)[1:]}"
        if common is not None:
            sentence += (
                ", the most common answer in England"
                if common == label
                else f" (most common in England: {str(common).lower()})"
            )
        text += f" {sentence}."
    return text


def has_section(context: WorkforceContext) -> bool:
    """Whether the table is worth showing: the organisation returned."""
    return context.returned


def source_text(context: WorkforceContext) -> str:
    return f"Social Work Health Check {context.year}, organisational return (LGA)"


__all__ = [
    "GroupFigure",
    "WorkforceContext",
    "context_notes",
    "context_table",
    "context_text",
    "group_figures",
    "has_section",
    "load_workforce_context",
    "most_common",
    "organisation_figures",
    "source_text",
    "workforce_context",
]
