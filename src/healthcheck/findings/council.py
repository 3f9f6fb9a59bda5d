"""Plain sentences from one council's view, in the voice of a committee paper.

Every function takes a :class:`~healthcheck.views.council.CouncilView` and returns a sentence (or
an empty string when it has nothing to say), so the report's author can lift each one into
their paper. Scores are whole numbers rounded half up, as the ratings are; ratings are
written as words ('amber'), never as colours alone, and tables carry the action too. The
notes are in :mod:`healthcheck.findings.notes`, the change since last year in
:mod:`healthcheck.findings.trends` and the council's own comments in
:mod:`healthcheck.findings.free_text`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from healthcheck.findings.notes import as_date, data_date
from healthcheck.text.numbers import fmt_percent, fmt_rho, fmt_score, round_half_up
from healthcheck.text.words import (
    article,
    capitalise,
    in_region,
    join_list,
    long_date,
    plural,
    possessive,
    quote,
    ratings_top_first,
)
from healthcheck.views.council import CouncilView


def _best(view: CouncilView) -> str:
    """The rating of the top band ('Green')."""
    return max(view.bands, key=lambda b: b.min).rating


def _word(rating: str) -> str:
    return str(rating).lower()


def _action(view: CouncilView, rating: str) -> str:
    for band in view.bands:
        if band.rating == rating:
            return band.action
    return ""


# --------------------------------------------------------------------------------------
# headline
# --------------------------------------------------------------------------------------
def respondents_phrase(view: CouncilView) -> str:
    """'22 respondents, an estimated 40% of 55 social workers' ('22 respondents' without a headcount)."""
    text = plural(view.n_responses, "respondent")
    if view.headcount and view.response_rate is not None and not pd.isna(view.response_rate):
        text += f", an estimated {fmt_percent(view.response_rate)} of {plural(view.headcount, 'social worker')}"
    elif view.headcount is not None and view.headcount < view.n_responses:
        text += (
            f" (the response rate is not available: the headcount given, {view.headcount:,}, is below the "
            "number of respondents)"
        )
    return text


def rank_phrase(view: CouncilView) -> str:
    """'ranked 24 of 143 nationally and 5 of 23 in the North West' ('' when not ranked)."""
    if not view.ranked or view.national_rank is None:
        return ""
    peers = f" {view.peers}" if view.service != "all" else ""  # '12 of 98 adults' services nationally'
    text = f"ranked {view.national_rank} of {view.national_of}{peers} nationally"
    if view.region and view.regional_rank is not None:
        text += f" and {view.regional_rank} of {view.regional_of} {in_region(view.region)}"
    return text


def fieldwork_phrase(view: CouncilView) -> str:
    """'the 2020 Social Work Health Check (fieldwork 2 November to 18 December 2020)', or without the dates."""
    text = f"the {view.year} Social Work Health Check"
    start, end = as_date(view.meta.get("fieldwork_start")), as_date(view.meta.get("fieldwork_end"))
    if start and end:
        first = f"{start.day} {start:%B}" + ("" if start.year == end.year else f" {start.year}")
        text += f" (fieldwork {first} to {long_date(end)})"
    return text


def headline(view: CouncilView) -> str:
    """The opening paragraph: respondents and response rate, ranks, fieldwork and data date."""
    if view.suppressed:
        return suppression_notice(view)
    who = f"{possessive(view.name)} social workers"
    if view.service_phrase:  # a service's report says so at once
        who = f"{possessive(view.name)} social workers in {view.service_phrase}"
    sentences = [f"{who} took part in {fieldwork_phrase(view)}. There were {respondents_phrase(view)}."]
    if view.service_phrase:
        sentences.append(
            f"This report covers {view.service_phrase} only and compares them with {view.service_phrase} "
            "in the region and in England; a respondent working in both services counts in each."
        )
    if rank := rank_phrase(view):
        sentences.append(f"On its overall score, {view.name} {rank}.")
    if when := data_date(view):
        sentences.append(f"The figures are from the data as at {long_date(when)}.")
    return " ".join(sentences)


def national_context(view: CouncilView) -> str:
    """'At a national level, 133 councils and 10 non-councils took part and there were 9,095 survey responses in total.'"""
    if view.suppressed or view.national_councils is None:
        return ""
    who = [plural(view.national_councils, "council")]
    if view.national_non_councils:
        who.append(plural(view.national_non_councils, "non-council"))
    where = f" from {view.service_phrase}" if view.service_phrase else ""  # a service's report counts that service
    return (
        f"At a national level, {join_list(who)} took part and there were "
        f"{plural(view.national_responses or 0, 'survey response')}{where} in total."
    )


def suppression_notice(view: CouncilView) -> str:
    """Why a small council's report carries no figures."""
    if view.n_responses == 0:
        return f"No valid responses were received from {view.name}, so no local figures are reported."
    return (
        f"Fewer than {view.min_respondents} valid responses were received from {view.name} "
        f"(n = {view.n_responses}), so no local figures are reported, to protect respondents' confidentiality."
    )


# --------------------------------------------------------------------------------------
# ratings
# --------------------------------------------------------------------------------------
def _labelled(view: CouncilView, area: str) -> str:
    """The short title, with the item quoted when the area is a single question."""
    wordings = view.item_wordings(area)
    label = view.short_title(area)
    return f"{label} ({quote(wordings[0])})" if len(wordings) == 1 else label


def ratings_summary(view: CouncilView) -> str:
    """'Halton received a green rating for all standards and areas except: CPD – amber (monitor); ...'."""
    if view.suppressed:
        return ""
    rated = view.rated()
    if rated.empty:
        return ""
    name = view.name
    order = [r for r in ratings_top_first(view.bands) if r in set(rated["rating"])]
    counts = rated["rating"].value_counts()
    top = max(order, key=lambda r: (counts[r], -order.index(r)))
    table = view.comparison()
    missing = [view.short_title(a) for a in table.loc[table["rating"].isna(), "area"]]
    tail = f" No score was available for {join_list(missing)}." if missing else ""
    best = _best(view)

    def rating_for(rating: str) -> str:
        # the top band needs no call to action; the others carry theirs ('an amber rating (monitor)')
        text = f"{article(_word(rating))} rating"
        return text if rating == best else f"{text} ({_action(view, rating)})"

    if len(order) == 1:
        return f"{name} received {rating_for(top)} for every standard and area.{tail}"
    if counts[top] * 2 > len(rated):
        exceptions = [
            f"{_labelled(view, row.area)} – {_word(row.rating)} ({row.action})"
            for row in rated.itertuples()
            if row.rating != top
        ]
        return f"{name} received {rating_for(top)} for all standards and areas except: {'; '.join(exceptions)}.{tail}"
    parts = [
        f"{rating_for(r)} for {join_list([view.short_title(a) for a in rated.loc[rated['rating'] == r, 'area']])}"
        for r in order
    ]
    return f"{name} received {'; '.join(parts[:-1])}; and {parts[-1]}.{tail}"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def _ratings_words(ratings: list[str], view: CouncilView, conjunction: str) -> str:
    present = [r for r in ratings_top_first(view.bands) if r in set(ratings)]
    return join_list([_word(r) for r in present], conjunction)


def regional_national_comparison(view: CouncilView) -> str:
    """How the regional and national ratings compare for each area not rated in the top band.

    'Amber and red ratings were also reported for CPD and Tensions at regional and national
    level. However, Overall satisfaction was green regionally and nationally.'
    """
    if view.suppressed:
        return ""
    best = _best(view)
    rated = view.rated()
    concerns = rated[rated["rating"] != best]
    if concerns.empty:
        return ""
    groups: dict[str, list[str]] = {}
    ratings: dict[str, list[str]] = {}

    def state(value: object) -> str | None:
        if value is None or pd.isna(value):
            return None
        return "good" if value == best else "bad"

    for row in concerns.itertuples():
        reg, nat = state(row.region_rating), state(row.england_rating)
        if nat is None:
            continue
        key = f"{reg or 'none'}-{nat}"
        groups.setdefault(key, []).append(view.short_title(row.area))
        ratings.setdefault(key, []).extend(r for r in (row.region_rating, row.england_rating) if state(r) == "bad")

    region = view.region or ""
    sentences: list[str] = []
    for key, where in (("bad-bad", "at regional and national level"), ("none-bad", "nationally")):
        if key in groups:
            words = _ratings_words(ratings[key], view, "and")
            areas = groups[key]
            many = len(areas) > 1 or " and " in words
            lead = f"{capitalise(words)} ratings were" if many else f"{capitalise(article(words))} rating was"
            sentences.append(f"{lead} also reported for {join_list(areas)} {where}.")
    if "bad-good" in groups:
        areas = groups["bad-good"]
        words = _ratings_words(ratings["bad-good"], view, "or")
        sentences.append(
            f"{join_list(areas)} {_was(len(areas))} also rated {words} {in_region(region)}, but {_word(best)} nationally."
        )
    if "good-bad" in groups:
        areas = groups["good-bad"]
        words = _ratings_words(ratings["good-bad"], view, "or")
        sentences.append(
            f"{join_list(areas)} {_was(len(areas))} rated {_word(best)} {in_region(region)}, but {words} nationally."
        )
    for key, where in (("good-good", "regionally and nationally"), ("none-good", "nationally")):
        if key in groups:
            areas = groups[key]
            lead = "However, " if sentences else ""
            sentences.append(f"{lead}{join_list(areas)} {_was(len(areas))} {_word(best)} {where}.")
    return " ".join(sentences)


def standard_extremes(
    standards: pd.DataFrame, short_title: Callable[[str], str]
) -> tuple[tuple[int, str], tuple[int, str]] | str | None:
    """The highest and lowest standards of ``standards`` (``area``, ``score``) as (how many, phrase).

    Scores are compared as shown, rounded half up; standards that tie are named together
    ('Supervision and CPD (both 82)'). Returns the one shared score as text when every
    standard has it, and None with fewer than two standards.
    """
    std = standards[standards["score"].notna()].copy()
    if len(std) < 2:
        return None
    std["shown"] = std["score"].map(round_half_up)
    top, bottom = std["shown"].max(), std["shown"].min()
    if top == bottom:
        return fmt_score(top)

    def phrase(value: float) -> tuple[int, str]:
        names = [short_title(a) for a in std.loc[std["shown"] == value, "area"]]
        if len(names) == 1:
            return 1, f"{names[0]} ({fmt_score(value)})"
        return len(names), f"{join_list(names)} ({'both' if len(names) == 2 else 'all'} {fmt_score(value)})"

    return phrase(top), phrase(bottom)


def highest_lowest(view: CouncilView) -> str:
    """'The highest rated standard was Strategic partnerships (82) and the lowest was CPD (66).'

    Standards whose scores round to the same whole number are named together.
    """
    if view.suppressed:
        return ""
    rated = view.rated()
    extremes = standard_extremes(rated[rated["kind"] == "standard"], view.short_title)
    if extremes is None:
        return ""
    if isinstance(extremes, str):
        return f"All standards had the same score ({extremes})."
    (n_top, text_top), (n_bottom, text_bottom) = extremes
    noun, verb_top = ("standard", "was") if n_top == 1 else ("standards", "were")
    verb_bottom = "was" if n_bottom == 1 else "were"
    return f"The highest rated {noun} {verb_top} {text_top} and the lowest {verb_bottom} {text_bottom}."


def significance(view: CouncilView) -> str:
    """'Halton scored significantly above the national figure on Supervision and significantly below it on CPD.'"""
    if view.suppressed:
        return ""
    rated = view.rated()
    if rated.empty or rated["significance"].isna().all():
        return ""
    above = [view.short_title(a) for a in rated.loc[rated["significance"] == "above", "area"]]
    below = [view.short_title(a) for a in rated.loc[rated["significance"] == "below", "area"]]
    if not above and not below:
        return f"None of {possessive(view.name)} scores differed significantly from the national figures."
    parts = []
    if above:
        parts.append(f"significantly above the national figure on {join_list(above)}")
    if below:
        parts.append(f"significantly below {'it' if above else 'the national figure'} on {join_list(below)}")
    return f"{view.name} scored {' and '.join(parts)}."


# --------------------------------------------------------------------------------------
# working environment and drivers
# --------------------------------------------------------------------------------------
def _agreed(view: CouncilView, k: int, most: bool) -> pd.DataFrame:
    items = view.items
    own = items[(items["level"] == "org") & items["agree"].notna()]
    if not most:  # never name a statement among both the most and the least agreed
        own = own[~own["item"].isin(_agreed(view, k, most=True)["item"])]
    reverse = set(view.codebook.loc[view.codebook["reverse"].astype(bool), "item"])
    own = own[~own["item"].isin(reverse)].copy()  # agreeing with a negative statement is not praise
    own["shown"] = own["agree"].map(round_half_up)
    own["_o"] = range(len(own))
    own = own.sort_values(["shown", "_o"], ascending=[not most, True])
    return own.head(k)


def most_agreed(view: CouncilView, k: int = 3) -> str:
    """The statements the council's social workers agreed with most, with the share agreeing."""
    if view.suppressed:
        return ""
    top = _agreed(view, k, most=True)
    if top.empty:
        return ""
    quoted = [f"{quote(w)} ({fmt_percent(a)} agreed)" for w, a in zip(top["wording"], top["agree"], strict=True)]
    return f"The statements {possessive(view.name)} social workers agreed with most were {join_list(quoted)}."


def least_agreed(view: CouncilView, k: int = 3) -> str:
    """The (positively worded) statements agreed with least."""
    if view.suppressed:
        return ""
    low = _agreed(view, k, most=False)
    if low.empty:
        return ""
    quoted = [f"{quote(w)} ({fmt_percent(a)} agreed)" for w, a in zip(low["wording"], low["agree"], strict=True)]
    return f"The statements they agreed with least were {join_list(quoted)}."


def key_driver(view: CouncilView) -> str:
    """'Supervision was identified as the key factor influencing the desire to stay (Halton's own responses, rho 0.52).'"""
    if view.suppressed or not view.key_driver_area:
        return ""
    area = capitalise(view.short_title(view.key_driver_area))
    if view.key_driver_source == "own":
        basis = f"{possessive(view.name)} own responses, rho {fmt_rho(view.key_driver_rho)}"
    else:
        basis = f"national finding: {possessive(view.name)} sample is too small for its own estimate"
    outcome = view.short_title(view.driver_area).lower()
    return f"{area} was identified as the key factor influencing the {outcome} ({basis})."


def findings(view: CouncilView) -> list[str]:
    """The findings paragraph's sentences in the order a committee paper gives them."""
    if view.suppressed:
        return [suppression_notice(view)]
    sentences = [
        ratings_summary(view),
        regional_national_comparison(view),
        highest_lowest(view),
        most_agreed(view),
        least_agreed(view),
        key_driver(view),
        significance(view),
    ]
    return [s for s in sentences if s]


__all__ = [
    "fieldwork_phrase",
    "findings",
    "headline",
    "highest_lowest",
    "key_driver",
    "least_agreed",
    "most_agreed",
    "national_context",
    "rank_phrase",
    "ratings_summary",
    "regional_national_comparison",
    "respondents_phrase",
    "significance",
    "standard_extremes",
    "suppression_notice",
]
