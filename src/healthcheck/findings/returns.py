"""The organisational return's key findings and methodology, in the words of the LGA's 2018 report.

Sentences written from the published tables of :mod:`healthcheck.views.returns`: a share in
words ('almost all', 'just over half') with its per cent ('96 per cent'), 'n of N' after it when
the base is under :data:`~healthcheck.views.returns.SMALL_BASE`, and the response rate.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.ingest.returns import parse_filter, split_options
from healthcheck.reference.organisations import is_council
from healthcheck.text.numbers import whole_number
from healthcheck.text.words import capitalise, number_word
from healthcheck.views.returns import (
    NUMERIC_TABLES,
    PLACEHOLDER,
    RESIDUAL,
    SMALL_BASE,
    YES_NO_DONT_KNOW,
    Measure,
    PublishedTable,
    format_percent,
    multi_choice_table,
    numeric_by_type,
    organisation_values,
    response_rate_by_type,
    single_choice_table,
)

# --------------------------------------------------------------------------------------------
# Per cents in words


def percent_words(value: int | str | None) -> str:
    """A published per cent in words, as the 2018 report writes them: 'six per cent', '12 per cent'."""
    if value is None:
        return "no figure"
    if value == "*":
        return "less than 0.5 per cent"
    return f"{number_word(int(value))} per cent"


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
        return f"{capitalise(band)} ({share}) of {subject} {predicate}."
    if base < SMALL_BASE:
        return f"{capitalise(percent_words(value))} ({n} of {base}) of {subject} {predicate}."
    return f"{capitalise(percent_words(value))} of {subject} {predicate}."


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
        out.append(("frozen_posts", capitalise(", while ".join(parts)) + "."))
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
        out.append(("absence_stress", capitalise("; ".join(parts)) + "."))
    maternity = pct("maternity_other", "Maternity leave")
    other = pct("maternity_other", "Other long term absence")
    parts = []
    if maternity:
        parts.append(f"Maternity leave accounted for {maternity} of posts")
    if other:
        parts.append(
            f"long term absence for other reasons for {other}"
            if maternity
            else f"Long term absence for other reasons accounted for {other} of posts"
        )
    if parts:
        out.append(("absence_maternity", " and ".join(parts) + "."))
    mean, n = _mean(tables["market_supplements"], "Posts paid market supplements")
    if n:
        value = format_percent(mean)
        band = proportion_words(value)
        lead = f"{capitalise(band)} ({value} per cent)" if band else capitalise(percent_words(value))
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
        hours_text = f"{number_word(h)} hour{'s' if h != 1 else ''}"
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
            if split_options(row.options) == YES_NO_DONT_KNOW:
                sentence = _yes_finding(table, series, follow_up, noun)
            else:
                sentence = _top_finding(table, series, noun)
        elif row.type == "multi":
            sentence = _multi_finding(multi_choice_table(df, row.qid, codebook), series, noun)
        if sentence:
            out.append((row.standard, row.qid, sentence))
    return pd.DataFrame(out, columns=["section", "qid", "sentence"]).astype(str)


def section_findings(findings: pd.DataFrame, section: str) -> list[str]:
    """The sentences of one section (``s2`` ... ``s8``, or ``response``) of :func:`key_findings`."""
    return findings.loc[findings["section"] == section, "sentence"].tolist()


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
        f"Where the base is less than {SMALL_BASE}, figures can be skewed by the small sample and care should be taken "
        "when interpreting percentages, as small differences can seem magnified. Therefore, where this is "
        "the case, absolute numbers are reported alongside the percentage values.",
        "Percentages are rounded to whole numbers (halves up), so they may add to more than 100 per cent; "
        "'*' marks a figure of less than 0.5 per cent. Proportions of posts are the average of each "
        "respondent organisation's own proportion, so each organisation counts equally.",
        "Every free-text answer is listed in Annex A, with the names of organisations replaced by "
        f"{PLACEHOLDER}. The answers have not been coded into themes.",
    ])  # fmt: skip


__all__ = ["key_findings", "methodology", "percent_words", "proportion_words", "section_findings"]
