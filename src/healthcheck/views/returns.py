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
* **Base under 50** (:data:`SMALL_BASE`): the table keeps both columns and adds a caution note;
  charts label each bar with its number beside its per cent ('45% (9)') and the key findings add
  'n of N' after the per cent. (At 50 or more, charts and sentences give per cents only, as in
  the 2018 report.)
* **Multi-choice** tables are sorted by frequency, ties in the form's order, with 'Don't know'
  and then 'Other' last; the note reads 'Base = All respondents (77). Respondents were allowed
  to select more than one option.'
* **Numbers by council type** (Shire County, London Borough, Metropolitan District, Unitary
  Authority, then non-council employers when there are any, and All) give the mean and the
  sample size. A proportion (unfilled posts / FTE posts, ...) is the **mean of the
  organisations' own proportions**, so each organisation counts once whatever its size.
* **Response rates** by council type are against every English county and single tier council
  in the reference data: 'Base = All English county and single tier councils (151)'.

The key findings and the methodology in words are in :mod:`healthcheck.findings.returns`, the
charts in :mod:`healthcheck.charts.returns`; the report notebook puts them together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from healthcheck.reference.organisations import NON_COUNCIL, ORG_TYPES, is_council
from healthcheck.reference.return_codebook import parse_filter, qids, question, split_options
from healthcheck.text.numbers import whole_number
from healthcheck.text.redact import ORG_MARK, organisation_names, organisation_pattern, redact_organisations

#: Under this base, numbers go beside per cents (charts and sentences) and a caution note is added.
SMALL_BASE = 50
#: What replaces an organisation's name in the annex of free-text answers.
PLACEHOLDER = ORG_MARK
ALL = "All"
TOTAL = "Total"
NON_COUNCIL_LABEL = "Non-council employers"
#: Options kept at the end of a sorted multi-choice table, in this order ('Other' last).
RESIDUAL = ("Don't know", "Other")
MULTI_NOTE = "Respondents were allowed to select more than one option."
STAR_NOTE = "* less than 0.5 per cent"
SMALL_BASE_NOTE = (
    f"The base is under {SMALL_BASE}: figures can be skewed by so few respondents and small differences "
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
#: The options of a Yes / No / Don't know question, in the form's order.
YES_NO_DONT_KNOW = ["Yes", "No", "Don't know"]


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
    return [*rows, ALL]


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
# Free text


def free_text_annex(
    df: pd.DataFrame, codebook: pd.DataFrame, orgs: pd.DataFrame, *, placeholder: str = PLACEHOLDER
) -> pd.DataFrame:
    """Every free-text answer, grouped by question (codebook order), names replaced.

    Columns ``qid``, ``title`` and ``answer``; within a question, answers sorted alphabetically
    (ignoring case) as in the 2018 report's Annex A, so nothing follows the order of the file.
    Organisation names go as in the council reports' comments
    (:func:`healthcheck.text.redact.organisation_pattern`).
    """
    pattern = organisation_pattern(organisation_names(orgs))
    rows = []
    for qid in qids(codebook, "text"):
        if qid not in df.columns:
            continue
        answers = answered(df, codebook, qid).astype(str)
        redacted = sorted(
            (redact_organisations(a, pattern, placeholder) for a in answers), key=lambda s: (s.casefold(), s)
        )
        title = _title(codebook, qid)
        rows += [(qid, title, a) for a in redacted]
    return pd.DataFrame(rows, columns=["qid", "title", "answer"]).astype(str)


# --------------------------------------------------------------------------------------------
# The whole report


@dataclass
class Section:
    """One section of the national report: its title and its tables in order.

    ``charts`` maps the qid of each table also drawn as a chart to the chart's caption
    ('Figure 2: ...'). The section's findings are :func:`healthcheck.findings.returns.section_findings`.
    """

    key: str
    title: str
    tables: list[PublishedTable]
    charts: dict[str, str] = field(default_factory=dict)  # qid -> 'Figure k: title' of tables also charted


def report_sections(df: pd.DataFrame, codebook: pd.DataFrame, *, start: int = 1) -> list[Section]:
    """Every standard's tables in report order, numbered 'Table <start>' onwards.

    Numbers by council type first (standards 2 and 3), then every single- and multi-choice
    question in the form's order; Yes/No/Don't know questions also get a chart, numbered
    'Figure 1' onwards as in the 2018 report.
    """
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
                if split_options(row.options) == YES_NO_DONT_KNOW:
                    figure += 1
                    charts[row.qid] = f"Figure {figure}: {table.title}"
            elif row.type == "multi":
                tables.append(multi_choice_table(df, row.qid, codebook))
        numbered = []
        for table in tables:
            number += 1
            numbered.append(table.numbered(f"Table {number}"))
        sections.append(Section(key, SECTION_TITLES[key], numbered, charts))
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
                name=f"annex_{qid}"[:60],
                title=f"Table A{k}: {group['title'].iloc[0]}",
                frame=frame,
                bases=(len(frame),),
                notes=notes,
                qid=qid,
                kind="text",
            )
        )
    return tables
