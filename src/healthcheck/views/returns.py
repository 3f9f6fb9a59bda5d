"""Published-style tables of the organisational return, in the conventions of the LGA's national reports.

Pure functions from the cleaned returns (``org_return.parquet``) and the return codebook to
:class:`PublishedTable` objects that a notebook shows with :func:`healthcheck.publish.display.show_table`.
The conventions, all from the 2018 children's health check report of findings (and written up
in docs/organisational-return.md):

* Tables give **Number** and **Per cent** side by side for every option, options in the form's
  order; per cents are of the **base**, the organisations that answered the question (for a
  follow-up, those in its filter group who answered), rounded half up to whole numbers (2.5 ->
  3), with ``*`` for more than 0 but under 0.5 per cent. The base is the first note:
  'Base = All respondents (77)' or, for a follow-up, 'Base = Respondents with supervision
  training that includes critical reflection models (68)'.
* **Base under 50**: the table keeps both columns and adds a caution note; charts label each bar
  with its number beside its per cent ('45% (9)') and the key findings add 'n of N' after the
  per cent. (At 50 or more, charts and sentences give per cents only, as in the 2018 report.)
* **Multi-choice** tables are sorted by frequency, ties in the form's order, with 'Don't know'
  and then 'Other' last; the note reads 'Base = All respondents (77). Respondents were allowed
  to select more than one option.'
* **Numbers by council type** (Shire County, London Borough, Metropolitan District, Unitary
  Authority, then non-council employers when there are any, and All) give the mean and the
  sample size. A proportion (unfilled posts / FTE posts, ...) is the **mean of the
  organisations' own proportions**, so each organisation counts once whatever its size.
* **Response rates** by council type are against every English county and single tier council
  in the reference data: 'Base = All English county and single tier councils (151)'.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from healthcheck.text.numbers import whole_number
from healthcheck.reference.organisations import NON_COUNCIL, ORG_TYPES, is_council
from healthcheck.reference.return_codebook import parse_filter, qids, question, split_options

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Under this base, numbers go beside per cents (charts and sentences) and a caution note is added.
SMALL_BASE = 50
PLACEHOLDER = "<Council Name>"
ALL = "All"
TOTAL = "Total"
NON_COUNCIL_LABEL = "Non-council employers"
#: Options kept at the end of a sorted multi-choice table, in this order ('Other' last).
RESIDUAL = ("Don't know", "Other")
MULTI_NOTE = "Respondents were allowed to select more than one option."
STAR_NOTE = "* less than 0.5 per cent"
SMALL_BASE_NOTE = (
    "The base is under 50: figures can be skewed by so few respondents and small differences "
    "can seem large, so numbers are shown beside per cents; interpret them with care."
)
MEAN_OF_PROPORTIONS_NOTE = (
    "Each per cent is the mean of the respondent organisations' own proportions (for example an "
    "organisation's unfilled posts as a share of its FTE social worker posts), so every organisation "
    "counts equally whatever its size; organisations that did not give both figures, or gave no "
    "FTE posts, are left out of that column."
)
ELIGIBLE_LABEL = "All English county and single tier councils"
#: Section titles, as in the 2018 survey form.
SECTION_TITLES = {
    "general": "Achievements over the last year",
    "s2": "Effective Workforce Planning",
    "s3": "Safe Workloads and Case Allocation",
    "s4": "Managing Risks and Resources",
    "s5": "Effective and Appropriate Supervision",
    "s6": "Continuing Professional Development",
    "s7": "Professional Registration",
    "s8": "Effective Partnerships",
}
_YND = ["Yes", "No", "Don't know"]
_SMALL_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


# --------------------------------------------------------------------------------------------
# Rounding and per cents


def format_percent(p: float | None) -> int | str | None:
    """A per cent as published: '*' for more than 0 but under 0.5, else the half-up whole number.

    Missing (None or NaN) stays None, which tables show as 'n/a'.
    """
    if p is None or (isinstance(p, float) and math.isnan(p)) or p is pd.NA:
        return None
    if 0 < p < 0.5:
        return "*"
    return whole_number(p)


def percent(n: int, base: int) -> float | None:
    """``n`` as a per cent of ``base`` (None for an empty base)."""
    return 100.0 * n / base if base else None


def percent_words(value: int | str | None) -> str:
    """A published per cent in words, as the 2018 report writes them: 'six per cent', '12 per cent'."""
    if value is None:
        return "no figure"
    if value == "*":
        return "less than 0.5 per cent"
    number = int(value)
    return f"{_SMALL_NUMBERS[number] if 0 <= number < 10 else number} per cent"


def number_words(value: int) -> str:
    """A whole number under ten in words (as the 2018 report writes hours), else digits."""
    return _SMALL_NUMBERS[value] if 0 <= value < 10 else str(value)


def proportion_words(value: int | str | None) -> str | None:
    """The 2018 report's word for a share, or None where it would give the per cent alone.

    Bands (on the published whole-number per cent): 100 'all'; 90-99 'almost all'; 80-89
    'most'; within 1 point of three quarters, two thirds, half, a third or a quarter the fraction
    itself ('half' for 49-51); 1 to 5 points above it 'just over ...' (77: 'just over three
    quarters', 55: 'just over half'), 1 to 5 points below 'just under ...' (32: 'just under a
    third'); checked in that order, so 70 is 'just under three quarters'. Anything else: None.
    """
    if value is None or value == "*":
        return None
    p = int(value)
    if p == 100:
        return "all"
    if p >= 90:
        return "almost all"
    if p >= 80:
        return "most"
    fractions = ((75, "three quarters"), (200 / 3, "two thirds"), (50, "half"), (100 / 3, "a third"), (25, "a quarter"))
    for target, word in fractions:
        d = p - target
        if abs(d) <= 1:
            return word
        if 1 < d <= 5:
            return f"just over {word}"
        if -5 <= d < -1:
            return f"just under {word}"
    return None


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------------
# The table object


@dataclass(frozen=True)
class PublishedTable:
    """One published table: the frame to show, its title, base(s) and notes (base note first).

    ``values`` holds unrounded figures behind the frame where they exist (means by type).
    """

    name: str
    title: str
    frame: pd.DataFrame
    bases: tuple[int, ...]
    notes: tuple[str, ...]
    qid: str | None = None
    kind: str = "single"
    values: pd.DataFrame | None = field(default=None, compare=False)

    @property
    def base(self) -> int:
        return self.bases[0]

    @property
    def small_base(self) -> bool:
        """Whether numbers must go beside per cents (base under :data:`SMALL_BASE`)."""
        return min(self.bases) < SMALL_BASE

    def numbered(self, label: str) -> PublishedTable:
        """The same table titled 'Table 3: ...' (``label`` = 'Table 3')."""
        return replace(self, title=f"{label}: {self.title}")


def base_note(label: str, bases: Sequence[int]) -> str:
    """'Base = All respondents (77)', or '(62 and 64)' for two columns with different bases."""
    values = [str(b) for b in bases]
    shown = values[0] if len(set(values)) == 1 else (", ".join(values[:-1]) + " and " + values[-1])
    return f"Base = {label} ({shown})"


def _default_base_label(codebook: pd.DataFrame, qid: str) -> str:
    row = question(codebook, qid)
    if str(row.get("base_label", "") or "").strip():
        return str(row["base_label"]).strip()
    parsed = parse_filter(row["filter"])
    if parsed is None:
        return "All respondents"
    parent, value = parsed
    parent_row = question(codebook, parent)
    return f"Respondents who answered '{value}' to '{parent_row['title'] or parent_row['question']}'"


def _title(codebook: pd.DataFrame, qid: str) -> str:
    row = question(codebook, qid)
    return str(row.get("title", "") or "").strip() or str(row["question"])


def in_filter_group(df: pd.DataFrame, codebook: pd.DataFrame, qid: str) -> pd.Series:
    """Rows asked the question: everyone, or for a follow-up those whose parent answer is the filter value."""
    parsed = parse_filter(question(codebook, qid)["filter"])
    if parsed is None:
        return pd.Series(True, index=df.index)
    parent, value = parsed
    parent_answers = df[parent].astype(object).where(df[parent].notna(), "")
    if question(codebook, parent)["type"] == "multi":
        group = parent_answers.map(lambda s: value in str(s).split(";"))
    else:
        group = parent_answers.eq(value)
    # a chain of follow-ups: the parent must itself have been asked
    return group.astype(bool) & in_filter_group(df, codebook, parent)


def answered(df: pd.DataFrame, codebook: pd.DataFrame, qid: str) -> pd.Series:
    """The answers that make the base: non-blank and in the filter group."""
    values = df[qid]
    keep = values.notna() & in_filter_group(df, codebook, qid)
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        keep &= values.astype(object).where(values.notna(), "").map(lambda s: str(s).strip() != "")
    return values[keep]


def _notes(bases: Sequence[int], label: str, per_cents: Sequence[object], *, multi: bool = False) -> tuple[str, ...]:
    first = base_note(label, bases) + (f". {MULTI_NOTE}" if multi else "")
    notes = [first]
    if "*" in list(per_cents):
        notes.append(STAR_NOTE)
    if bases and min(bases) < SMALL_BASE:
        notes.append(SMALL_BASE_NOTE)
    return tuple(notes)


# --------------------------------------------------------------------------------------------
# Single and multi choice


def single_choice_table(
    df: pd.DataFrame, qid: str, codebook: pd.DataFrame, *, base_label: str | None = None
) -> PublishedTable:
    """Number and Per cent of each option, in the form's order, of those who answered."""
    row = question(codebook, qid)
    if row["type"] != "single":
        raise ValueError(f"{qid!r} is a {row['type']} question, not single choice")
    labels = split_options(row["options"])
    given = answered(df, codebook, qid).astype(str)
    unknown = sorted(set(given) - set(labels))
    if unknown:
        raise ValueError(f"{qid!r} holds answers that are not its options: {unknown} (clean the return first)")
    base = len(given)
    counts = [int((given == label).sum()) for label in labels]
    per_cents = [format_percent(percent(n, base)) for n in counts]
    frame = pd.DataFrame({"Answer": labels, "Number": counts, "Per cent": pd.Series(per_cents, dtype=object)})
    label = base_label or _default_base_label(codebook, qid)
    return PublishedTable(
        name=qid, title=_title(codebook, qid), frame=frame, bases=(base,), notes=_notes([base], label, per_cents),
        qid=qid, kind="single",
    )  # fmt: skip


def multi_choice_table(
    df: pd.DataFrame, qid: str, codebook: pd.DataFrame, *, base_label: str | None = None
) -> PublishedTable:
    """Number and Per cent of respondents ticking each option, most often ticked first.

    Ties keep the form's order; 'Don't know' and 'Other' come last whatever their counts. The
    base is everyone who ticked at least one option.
    """
    row = question(codebook, qid)
    if row["type"] != "multi":
        raise ValueError(f"{qid!r} is a {row['type']} question, not multi choice")
    labels = split_options(row["options"])
    ticked = [{p.strip() for p in str(s).split(";") if p.strip()} for s in answered(df, codebook, qid)]
    ticked = [chosen for chosen in ticked if chosen]
    unknown = sorted(set().union(*ticked) - set(labels)) if ticked else []
    if unknown:
        raise ValueError(f"{qid!r} holds answers that are not its options: {unknown} (clean the return first)")
    base = len(ticked)
    counts = {label: sum(label in chosen for chosen in ticked) for label in labels}
    position = {label: i for i, label in enumerate(labels)}
    main = sorted((lab for lab in labels if lab not in RESIDUAL), key=lambda lab: (-counts[lab], position[lab]))
    order = main + [lab for lab in RESIDUAL if lab in counts]
    per_cents = [format_percent(percent(counts[lab], base)) for lab in order]
    frame = pd.DataFrame(
        {"Answer": order, "Number": [counts[lab] for lab in order], "Per cent": pd.Series(per_cents, dtype=object)}
    )
    label = base_label or _default_base_label(codebook, qid)
    return PublishedTable(
        name=qid, title=_title(codebook, qid), frame=frame, bases=(base,),
        notes=_notes([base], label, per_cents, multi=True), qid=qid, kind="multi",
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Numbers by council type


@dataclass(frozen=True)
class Measure:
    """A column of a by-type table: a number, or a proportion (numerator / denominator, in per cent)."""

    label: str
    numerator: str
    denominator: str | None = None

    @property
    def is_proportion(self) -> bool:
        return self.denominator is not None


#: The 2018 report's tables 4-10: (name, title, measures).
NUMERIC_TABLES: dict[str, list[tuple[str, str, list[Measure]]]] = {
    "s2": [
        ("unfilled_agency", "Unfilled posts and posts covered by agency or temporary staff", [
            Measure("Proportion of unfilled posts", "unfilled_posts", "fte_posts"),
            Measure("Proportion of posts covered by agency or temporary staff", "agency_posts", "fte_posts"),
        ]),
        ("frozen_deleted", "Frozen posts and posts deleted in the last 12 months", [
            Measure("Proportion of posts vacant with frozen recruitment", "frozen_posts", "fte_posts"),
            Measure("Proportion of posts deleted in the last 12 months", "deleted_posts", "fte_posts"),
        ]),
        ("sick_leave", "Long-term sick leave (more than 2 weeks)", [
            Measure("Sick leave due to work related stress", "absence_stress", "fte_posts"),
            Measure("Planned sick leave", "absence_planned", "fte_posts"),
        ]),
        ("maternity_other", "Maternity leave and other long term absence (more than 2 weeks)", [
            Measure("Maternity leave", "absence_maternity", "fte_posts"),
            Measure("Other long term absence", "absence_other", "fte_posts"),
        ]),
        ("market_supplements", "Posts paid market supplements", [
            Measure("Posts paid market supplements", "market_supplements", "fte_posts"),
        ]),
    ],
    "s3": [
        ("caseload", "Average social worker caseload", [Measure("Average caseload", "caseload")]),
        ("hours_over", "Average hours over contracted hours worked a week", [
            Measure("Hours over contracted hours a week", "hours_over"),
        ]),
    ],
}  # fmt: skip


def organisation_values(df: pd.DataFrame, measure: Measure) -> pd.Series:
    """Each organisation's figure: the number, or 100 x numerator / denominator.

    NaN where a figure is missing or the denominator is not positive.
    """
    num = pd.to_numeric(df[measure.numerator], errors="coerce").astype("float64")
    if not measure.is_proportion:
        return num
    den = pd.to_numeric(df[measure.denominator], errors="coerce").astype("float64")
    return (100.0 * num / den).where(den > 0)


def _type_rows(types: pd.Series) -> list[str]:
    rows = list(ORG_TYPES)
    if (types == NON_COUNCIL).any():
        rows.append(NON_COUNCIL_LABEL)
    return rows + [ALL]


def numeric_by_type(
    df: pd.DataFrame,
    measures: Sequence[Measure],
    *,
    name: str,
    title: str,
    base_label: str = "All respondents",
) -> PublishedTable:
    """Mean of each measure by council type, with the sample size behind each mean.

    Rows: the four council types, non-council employers (only when present) and All (every
    organisation). A proportion's figure is the mean of the organisations' own proportions,
    published as a per cent ('*' under 0.5); a number's is the mean rounded half up. A type with
    no figure shows n/a and a sample size of 0. The base note gives the All sample sizes.
    """
    types = df["org_type"].astype(object).where(df["org_type"].notna(), "")
    group = types.map(lambda t: NON_COUNCIL_LABEL if t == NON_COUNCIL else t)
    rows = _type_rows(types)
    frame = pd.DataFrame({"Council type": rows})
    values = pd.DataFrame({"Council type": rows})
    bases, published = [], []
    single = len(measures) == 1
    for measure in measures:
        per_org = organisation_values(df, measure)
        means, sizes = [], []
        for row in rows:
            pick = per_org if row == ALL else per_org[group == row]
            pick = pick.dropna()
            means.append(float(pick.mean()) if len(pick) else float("nan"))
            sizes.append(len(pick))
        unit = "Per cent" if measure.is_proportion else "Number"
        shown = [
            format_percent(m) if measure.is_proportion else (None if math.isnan(m) else whole_number(m)) for m in means
        ]
        value_col = unit if single else f"{measure.label} – {unit}"
        size_col = "Sample size" if single else f"{measure.label} – Sample size"
        frame[value_col] = pd.Series(shown, dtype=object)
        frame[size_col] = sizes
        values[measure.label] = means
        values[f"{measure.label} n"] = sizes
        bases.append(sizes[-1])
        published += shown
    notes = [base_note(base_label, bases)]
    if "*" in published:
        notes.append(STAR_NOTE)
    if any(m.is_proportion for m in measures):
        notes.append(MEAN_OF_PROPORTIONS_NOTE)
    return PublishedTable(
        name=name, title=title, frame=frame, bases=tuple(bases), notes=tuple(notes), kind="numeric", values=values
    )


# --------------------------------------------------------------------------------------------
# Response rates


def response_rate_by_type(return_df: pd.DataFrame, orgs: pd.DataFrame) -> PublishedTable:
    """Returns received and the response rate by council type, against every eligible council.

    Eligible: every English county and single tier council in the reference data (the four
    council types). Returns from non-council employers are counted in a note, not in the rate.
    """
    councils = orgs[is_council(orgs)]
    eligible = councils.groupby("org_type").size().reindex(ORG_TYPES, fill_value=0)
    codes = set(return_df["org_code"].dropna().astype(str))
    responded = councils[councils["org_code"].isin(codes)].groupby("org_type").size().reindex(ORG_TYPES, fill_value=0)
    numbers = [int(n) for n in responded] + [int(responded.sum())]
    totals = [int(n) for n in eligible] + [int(eligible.sum())]
    per_cents = [format_percent(percent(n, t)) for n, t in zip(numbers, totals, strict=True)]
    frame = pd.DataFrame(
        {"Council type": [*ORG_TYPES, TOTAL], "Number": numbers, "Per cent": pd.Series(per_cents, dtype=object)}
    )
    notes = [base_note(ELIGIBLE_LABEL, [totals[-1]])]
    others = codes & set(orgs.loc[~is_council(orgs), "org_code"])
    if others:
        notes.append(
            f"A further {len(others)} return{'s' if len(others) != 1 else ''} came from non-council employers "
            "(children's trusts, NHS trusts and others); they are in the findings but not in the response rate."
        )
    return PublishedTable(
        name="response_rate", title="Responses by council type", frame=frame, bases=(totals[-1],),
        notes=tuple(notes), kind="response",
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Key findings


def _share_text(value: int | str | None, n: int, base: int) -> str:
    """'77 per cent', with ', 10 of 13' when the base is under 50."""
    words = f"{value} per cent" if value not in (None, "*") else percent_words(value)
    return words + (f", {n} of {base}" if base < SMALL_BASE else "")


def _band_sentence(value: int | str | None, n: int, base: int, subject: str, predicate: str) -> str:
    """'Almost all (96 per cent) of respondent organisations had ...' or '44 per cent of ... felt ...'."""
    band = proportion_words(value)
    share = _share_text(value, n, base)
    if band:
        return f"{_capital(band)} ({share}) of {subject} {predicate}."
    if base < SMALL_BASE:
        return f"{_capital(percent_words(value))} ({n} of {base}) of {subject} {predicate}."
    return f"{_capital(percent_words(value))} of {subject} {predicate}."


def _label_text(label: str) -> str:
    return f"'{label}'"


def _yes_finding(table: PublishedTable, row: pd.Series, follow_up: bool, noun: str) -> str | None:
    if table.base == 0:
        return None
    yes = table.frame.iloc[0]
    if follow_up:
        band = proportion_words(yes["Per cent"])
        share = _share_text(yes["Per cent"], int(yes["Number"]), table.base)
        count = f" ({int(yes['Number'])} of {table.base})" if table.small_base else ""
        lead = f"{band} ({share})" if band else f"{percent_words(yes['Per cent'])}{count}"
        return f"Of these, {lead} {row['finding']}."
    return _band_sentence(yes["Per cent"], int(yes["Number"]), table.base, f"respondent {noun}", row["finding"])


def _top_finding(table: PublishedTable, row: pd.Series, noun: str) -> str | None:
    frame = table.frame[~table.frame["Answer"].isin(RESIDUAL)]
    frame = frame.sort_values("Number", ascending=False, kind="stable")
    if table.base == 0 or frame.empty or int(frame.iloc[0]["Number"]) == 0:
        return None
    first = frame.iloc[0]
    text = (
        f"Among respondent {noun} the most common {row['finding']} was {_label_text(first['Answer'])} "
        f"({_share_text(first['Per cent'], int(first['Number']), table.base)})"
    )
    if len(frame) > 1 and int(frame.iloc[1]["Number"]) > 0:
        second = frame.iloc[1]
        share = _share_text(second["Per cent"], int(second["Number"]), table.base)
        text += f", followed by {_label_text(second['Answer'])} ({share})"
    dont_know = table.frame[table.frame["Answer"] == "Don't know"]
    if len(dont_know) and int(dont_know.iloc[0]["Number"]) > int(first["Number"]):
        dk = dont_know.iloc[0]
        text += f"; {percent_words(dk['Per cent'])} did not know"
    return text + "."


def _multi_finding(table: PublishedTable, row: pd.Series, noun: str) -> str | None:
    frame = table.frame[~table.frame["Answer"].isin(RESIDUAL) & (table.frame["Number"] > 0)].head(3)
    if table.base == 0 or frame.empty:
        return None
    parts = [
        f"{_label_text(r['Answer'])} ({_share_text(r['Per cent'], int(r['Number']), table.base)})"
        for _, r in frame.iterrows()
    ]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    verb = "was" if len(parts) == 1 else "were"
    return f"The {row['finding']} most often selected by respondent {noun} {verb} {listed}."


def _mean(table: PublishedTable, label: str) -> tuple[float, int]:
    values = table.values
    assert values is not None
    last = values.iloc[-1]
    return float(last[label]), int(last[f"{label} n"])


def _workforce_findings(df: pd.DataFrame, noun: str) -> list[tuple[str, str]]:
    tables = {name: numeric_by_type(df, ms, name=name, title=title) for name, title, ms in NUMERIC_TABLES["s2"]}
    out = []

    def pct(table: str, label: str) -> str | None:
        mean, n = _mean(tables[table], label)
        return percent_words(format_percent(mean)) if n else None

    unfilled = pct("unfilled_agency", "Proportion of unfilled posts")
    agency = pct("unfilled_agency", "Proportion of posts covered by agency or temporary staff")
    parts = []
    if unfilled:
        parts.append(f"{unfilled} of posts were unfilled in respondent {noun}")
    if agency:
        parts.append(f"the proportion of posts covered by agency or temporary staff was {agency}")
    if parts:
        out.append(("unfilled_posts", "On average, " + ", and ".join(parts) + "."))
    frozen = pct("frozen_deleted", "Proportion of posts vacant with frozen recruitment")
    deleted = pct("frozen_deleted", "Proportion of posts deleted in the last 12 months")
    parts = []
    if frozen:
        parts.append(f"Vacant posts with frozen recruitment made up {frozen} of posts")
    if deleted:
        parts.append(f"the proportion of posts deleted in the last 12 months was {deleted}")
    if parts:
        out.append(("frozen_posts", _capital(", while ".join(parts)) + "."))
    stress = pct("sick_leave", "Sick leave due to work related stress")
    planned = pct("sick_leave", "Planned sick leave")
    parts = []
    if stress:
        parts.append(
            f"In respondent {noun} {stress} of posts were held by staff on sick leave of more than two weeks "
            "due to work related stress"
        )
    if planned:
        parts.append(f"for planned long-term sick leave, such as for medical procedures, the proportion was {planned}")
    if parts:
        out.append(("absence_stress", _capital("; ".join(parts)) + "."))
    maternity = pct("maternity_other", "Maternity leave")
    other = pct("maternity_other", "Other long term absence")
    parts = []
    if maternity:
        parts.append(f"Maternity leave accounted for {maternity} of posts")
    if other:
        parts.append(f"long term absence for other reasons for {other}" if maternity else
                     f"Long term absence for other reasons accounted for {other} of posts")
    if parts:
        out.append(("absence_maternity", " and ".join(parts) + "."))
    mean, n = _mean(tables["market_supplements"], "Posts paid market supplements")
    if n:
        value = format_percent(mean)
        band = proportion_words(value)
        lead = f"{_capital(band)} ({value} per cent)" if band else _capital(percent_words(value))
        sentence = f"{lead} of social worker posts in respondent {noun} were paid market supplements."
        out.append(("market_supplements", sentence))
    return out


def _workload_findings(df: pd.DataFrame, noun: str) -> list[tuple[str, str]]:
    caseload = organisation_values(df, Measure("caseload", "caseload")).dropna()
    hours = organisation_values(df, Measure("hours", "hours_over")).dropna()
    if not len(caseload):
        return []
    text = f"The average caseload held by social workers in respondent {noun} was {whole_number(caseload.mean())}"
    if len(hours):
        h = whole_number(hours.mean())
        hours_text = f"{number_words(h)} hour{'s' if h != 1 else ''}"
        text += f" and on average they worked an additional {hours_text} over their contracted hours a week"
    return [("caseload", text + ".")]


def key_findings(
    df: pd.DataFrame, codebook: pd.DataFrame, orgs: pd.DataFrame | None = None, *, noun: str = "organisations"
) -> pd.DataFrame:
    """Executive-summary sentences in the 2018 report's style, written from the data.

    Returns ``section`` (``response``, ``s2`` ... ``s8``), ``qid`` and ``sentence``, in report
    order. Yes/No/Don't know questions give 'Almost all (96 per cent) of respondent
    organisations had ...' (the share answering Yes, worded with :func:`proportion_words`;
    follow-ups 'Of these, ...'); other single-choice questions the most common answer and the
    next; multi-choice questions the three options most often ticked. Only questions with a
    ``finding`` phrase in the codebook are written up. Under a base of 50 each per cent is
    followed by 'n of N'.
    """
    out: list[tuple[str, str, str]] = []
    if orgs is not None:
        rate = response_rate_by_type(df, orgs)
        total = rate.frame.iloc[-1]
        councils = int(total["Number"])
        text = (
            f"Responses were received from {councils} council{'s' if councils != 1 else ''}, giving a "
            f"response rate of {percent_words(total['Per cent'])}."
        )
        others = df["org_code"].isin(orgs.loc[~is_council(orgs), "org_code"]).sum()
        if others > 0:
            text += f" A further {others} return{'s' if others != 1 else ''} came from non-council employers."
        out.append(("response", "", text))
    out += [("s2", q, s) for q, s in _workforce_findings(df, noun)]
    out += [("s3", q, s) for q, s in _workload_findings(df, noun)]
    for row in codebook.itertuples(index=False):
        series = pd.Series(row._asdict())
        if not str(series.get("finding", "") or "").strip():
            continue
        follow_up = parse_filter(row.filter) is not None
        sentence = None
        if row.type == "single":
            table = single_choice_table(df, row.qid, codebook)
            if split_options(row.options) == _YND:
                sentence = _yes_finding(table, series, follow_up, noun)
            else:
                sentence = _top_finding(table, series, noun)
        elif row.type == "multi":
            sentence = _multi_finding(multi_choice_table(df, row.qid, codebook), series, noun)
        if sentence:
            out.append((row.standard, row.qid, sentence))
    return pd.DataFrame(out, columns=["section", "qid", "sentence"]).astype(str)


# --------------------------------------------------------------------------------------------
# Free text


_APOSTROPHE = "['\u2019\u2018]"
#: Names that are also everyday words: matched only with a capital first letter.
COMMON_WORDS = {"reading", "bury", "slough", "harrow", "hull", "stoke", "derby"}
# 'Halton Borough Council', 'Halton Council', 'Kent CC': a council's name with its generic ending.
_SUFFIX = r"(?:\s+(?:Metropolitan\s+)?(?:Borough|City|County|District)?\s*Council|\s+(?:MBC|BC|CC|MDC))?"


def _spelling_regex(spelling: str) -> str:
    parts = []
    for char in spelling:
        if char.isspace():
            parts.append(r"\s+")
        elif char in "'\u2019\u2018":
            parts.append(_APOSTROPHE)
        elif char in "-\u2013":
            parts.append(r"[-\u2013 ]")
        else:
            parts.append(re.escape(char))
    return re.sub(r"(?:\\s\+)+", r"\\s+", "".join(parts))


def name_pattern(orgs: pd.DataFrame) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """Regexes matching every organisation's name, official name and aliases as whole words.

    Case-insensitive, longest spelling first (so 'Halton Borough Council' goes whole rather than
    leaving 'Borough Council'), with an optional generic ending ('Council', 'MBC'). Names that are
    everyday words (:data:`COMMON_WORDS`, 'reading', 'bury') are in a second, case-sensitive
    pattern that needs the capital letter.
    """
    spellings: set[str] = set()
    for row in orgs.itertuples(index=False):
        for text in (row.name, row.official_name, *str(row.aliases or "").split(";")):
            text = str(text or "").strip()
            if len(text) >= 3 or text.isupper() and len(text) >= 2:
                spellings.add(text)
    common = sorted((s for s in spellings if s.lower() in COMMON_WORDS), key=lambda s: (-len(s), s))
    usual = sorted((s for s in spellings if s.lower() not in COMMON_WORDS), key=lambda s: (-len(s), s))

    def build(names: list[str], flags: int) -> re.Pattern[str]:
        body = "|".join(_spelling_regex(s) for s in names)
        return re.compile(rf"(?<![\w])(?:{body}){_SUFFIX}(?![\w])", flags)

    return build(usual, re.IGNORECASE), (build(common, 0) if common else None)


def redact_names(
    text: str, patterns: tuple[re.Pattern[str], re.Pattern[str] | None], placeholder: str = PLACEHOLDER
) -> str:
    """``text`` with every organisation name replaced by ``placeholder``."""
    usual, common = patterns
    text = usual.sub(placeholder, text)
    return common.sub(placeholder, text) if common is not None else text


def free_text_annex(
    df: pd.DataFrame, codebook: pd.DataFrame, orgs: pd.DataFrame, *, placeholder: str = PLACEHOLDER
) -> pd.DataFrame:
    """Every free-text answer, grouped by question (codebook order), names replaced.

    Columns ``qid``, ``title`` and ``answer``; within a question, answers sorted alphabetically
    (ignoring case) as in the 2018 report's Annex A, so nothing follows the order of the file.
    """
    patterns = name_pattern(orgs)
    rows = []
    for qid in qids(codebook, "text"):
        if qid not in df.columns:
            continue
        answers = answered(df, codebook, qid).astype(str)
        redacted = sorted((redact_names(a, patterns, placeholder) for a in answers), key=lambda s: (s.casefold(), s))
        title = _title(codebook, qid)
        rows += [(qid, title, a) for a in redacted]
    return pd.DataFrame(rows, columns=["qid", "title", "answer"]).astype(str)


# --------------------------------------------------------------------------------------------
# Charts


def bar_labels(table: PublishedTable) -> list[str]:
    """Bar labels: '96%' ('*' under 0.5), with the number beside it when the base is under 50: '45% (9)'."""
    labels = []
    for _, row in table.frame.iterrows():
        value = row["Per cent"]
        text = "n/a" if value is None else ("*" if value == "*" else f"{value}%")
        labels.append(f"{text} ({int(row['Number'])})" if table.small_base else text)
    return labels


def chart_alt(table: PublishedTable) -> str:
    """A text description of a choice chart: every option's per cent (and number), and the base."""
    labels = bar_labels(table)
    parts = [f"{row['Answer']}: {label}" for (_, row), label in zip(table.frame.iterrows(), labels, strict=True)]
    return f"Bar chart of {table.title.split(': ', 1)[-1].lower()}. " + "; ".join(parts) + f". {table.notes[0]}."


def choice_chart(table: PublishedTable, *, title: str | None = None) -> go.Figure:
    """A horizontal bar chart of a choice table's per cents, options top to bottom as in the table."""
    import plotly.graph_objects as go

    numbers = [0.0 if v in (None, "*") else float(v) for v in table.frame["Per cent"]]
    fig = go.Figure(
        go.Bar(
            x=numbers,
            y=table.frame["Answer"].tolist(),
            orientation="h",
            text=bar_labels(table),
            textposition="outside",
            marker_color="#1f5f8b",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or table.title,
        xaxis={"title": "Per cent of respondents", "range": [0, 115], "ticksuffix": "%"},
        yaxis={"autorange": "reversed"},
        height=170 + 36 * len(table.frame),
        width=760,
        margin={"l": 10, "r": 20, "t": 60, "b": 85},
        template="simple_white",
        annotations=[{  # the base under the axis title, a fixed distance whatever the height
            "text": table.notes[0], "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left",
            "yanchor": "top", "yshift": -62, "showarrow": False, "font": {"size": 11},
        }],
    )  # fmt: skip
    fig.update_yaxes(automargin=True)
    return fig


# --------------------------------------------------------------------------------------------
# The whole report


@dataclass
class Section:
    """One section of the national report: its title, its findings and its tables in order."""

    key: str
    title: str
    findings: list[str]
    tables: list[PublishedTable]
    charts: dict[str, str] = field(default_factory=dict)  # qid -> 'Figure k: title' of tables also charted


def report_sections(df: pd.DataFrame, codebook: pd.DataFrame, *, start: int = 1) -> list[Section]:
    """Every standard's tables in report order, numbered 'Table <start>' onwards.

    Numbers by council type first (standards 2 and 3), then every single- and multi-choice
    question in the form's order; Yes/No/Don't know questions also get a chart, numbered
    'Figure 1' onwards as in the 2018 report.
    """
    findings = key_findings(df, codebook)
    sections = []
    number = start - 1
    figure = 0
    for key in [k for k in SECTION_TITLES if k != "general"]:
        tables = [numeric_by_type(df, ms, name=name, title=title) for name, title, ms in NUMERIC_TABLES.get(key, [])]
        charts = {}
        for row in codebook[codebook["standard"] == key].itertuples(index=False):
            if row.type == "single":
                table = single_choice_table(df, row.qid, codebook)
                tables.append(table)
                if split_options(row.options) == _YND:
                    figure += 1
                    charts[row.qid] = f"Figure {figure}: {table.title}"
            elif row.type == "multi":
                tables.append(multi_choice_table(df, row.qid, codebook))
        numbered = []
        for table in tables:
            number += 1
            numbered.append(table.numbered(f"Table {number}"))
        sentences = findings.loc[findings["section"] == key, "sentence"].tolist()
        sections.append(Section(key, SECTION_TITLES[key], sentences, numbered, charts))
    return sections


def annex_tables(df: pd.DataFrame, codebook: pd.DataFrame, orgs: pd.DataFrame) -> list[PublishedTable]:
    """Annex A: one table per free-text question with answers, 'Table A1' onwards."""
    annex = free_text_annex(df, codebook, orgs)
    tables = []
    for k, (qid, group) in enumerate(annex.groupby("qid", sort=False), start=1):
        frame = pd.DataFrame({"Answer": group["answer"].tolist()})
        label = _default_base_label(codebook, qid)
        notes = (
            base_note(label if label != "All respondents" else "All respondents who answered", [len(frame)]),
            f"Organisation names are replaced by {PLACEHOLDER}.",
        )
        tables.append(
            PublishedTable(
                name=f"annex_{qid}"[:60], title=f"Table A{k}: {group['title'].iloc[0]}", frame=frame,
                bases=(len(frame),), notes=notes, qid=qid, kind="text",
            )  # fmt: skip
        )
    return tables


def methodology(df: pd.DataFrame, orgs: pd.DataFrame, year: int) -> str:
    """The methodology section's text (Markdown), in the 2018 report's words where they fit."""
    rate = response_rate_by_type(df, orgs).frame.iloc[-1]
    councils = int(rate["Number"])
    others = int(df["org_code"].isin(orgs.loc[~is_council(orgs), "org_code"]).sum())
    total = councils + others
    extra = f", {councils} of them from councils and {others} from non-council employers" if others else ""
    return "\n\n".join([
        f"The principal social worker of each organisation taking part in the {year} Social Work Health Check "
        "was asked to complete a return for the organisation as a whole. Overall a total of "
        f"{total} returns were received{extra}, giving a response rate of {percent_words(rate['Per cent'])} "
        "among English county and single tier councils. A breakdown of responses by council type is shown in Table 1.",
        "Some respondents did not answer all of the questions, and follow-up questions were asked only of "
        "those who gave the answer that leads to them, so findings are based on different numbers of "
        "respondents: this number (the base) is shown below every table and figure.",
        "Where the base is less than 50, figures can be skewed by the small sample and care should be taken "
        "when interpreting percentages, as small differences can seem magnified. Therefore, where this is "
        "the case, absolute numbers are reported alongside the percentage values.",
        "Percentages are rounded to whole numbers (halves up), so they may add to more than 100 per cent; "
        "'*' marks a figure of less than 0.5 per cent. Proportions of posts are the average of each "
        "respondent organisation's own proportion, so each organisation counts equally.",
        "Every free-text answer is listed in Annex A, with the names of organisations replaced by "
        f"{PLACEHOLDER}. The answers have not been coded into themes.",
    ])  # fmt: skip
