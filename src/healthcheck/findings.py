"""Plain sentences from one council's view, in the voice of a committee paper.

Every function takes a :class:`~healthcheck.council.CouncilView` and returns a sentence (or
an empty string when it has nothing to say), so the report's author can lift each one into
their paper. Scores are whole numbers rounded half up, as the ratings are; ratings are
written as words ('amber'), never as colours alone, and tables carry the action too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from .council import CouncilView, fmt_rho, fmt_score, round_half_up
from .params import Band

_COMPASS = ("North", "South", "East", "West")


# --------------------------------------------------------------------------------------
# words
# --------------------------------------------------------------------------------------
def join_list(words: list[str], conjunction: str = "and") -> str:
    """'A', 'A and B', 'A, B and C'."""
    words = [w for w in words if w]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 respondent', '22 respondents' (thousands with commas)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def possessive(name: str) -> str:
    """"Halton's", "St Helens'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def article(word: str) -> str:
    """'a green', 'an amber'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def the_region(region: str) -> str:
    """'the North West', 'London', 'Yorkshire and The Humber', 'the East of England'."""
    return f"the {region}" if region.split(" ")[0] in _COMPASS else region


def in_region(region: str) -> str:
    """'in the North West', 'in London', 'in Yorkshire and The Humber', 'in the East of England'."""
    return f"in {the_region(region)}"


def quote(text: str) -> str:
    """Text in single curly quotes, its own quotations in double ones and apostrophes curled.

    "employment 'deal': what" becomes ‘employment “deal”: what’; "years' time" keeps an
    apostrophe, because a quotation only opens after a space or at the start.
    """
    out: list[str] = []
    open_quote = False
    for i, ch in enumerate(text):
        if ch not in "'\"":
            out.append(ch)
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if (before.isspace() or before in "([") and not after.isspace() and not open_quote:
            out.append("“")
            open_quote = True
        elif open_quote and not after.isalnum():
            out.append("”")
            open_quote = False
        else:
            out.append("’")
    return f"‘{''.join(out)}’"


def percent(value: float) -> str:
    """'40%' (rounded half up)."""
    return f"{round_half_up(value):.0f}%"


def _best(view: CouncilView) -> str:
    """The rating of the top band ('Green')."""
    return max(view.bands, key=lambda b: b.min).rating


def _band_order(view: CouncilView) -> list[str]:
    return [b.rating for b in sorted(view.bands, key=lambda b: -b.min)]


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
        text += f", an estimated {percent(view.response_rate)} of {plural(view.headcount, 'social worker')}"
    return text


def rank_phrase(view: CouncilView) -> str:
    """'ranked 24 of 143 nationally and 5 of 23 in the North West' ('' when not ranked)."""
    if not view.ranked or view.national_rank is None:
        return ""
    text = f"ranked {view.national_rank} of {view.national_of} nationally"
    if view.region and view.regional_rank is not None:
        text += f" and {view.regional_rank} of {view.regional_of} {in_region(view.region)}"
    return text


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def long_date(value: date | datetime) -> str:
    """'15 January 2021'."""
    return f"{value.day} {value:%B %Y}"


def data_date(view: CouncilView) -> date | None:
    """When the source data was exported or scored, from ``scores_meta.json``."""
    meta = view.meta
    for key in ("data_date", "source_modified", "scored_at", "created", "generated_at"):
        found = _as_date(meta.get(key))
        if found:
            return found
    source = meta.get("source")
    if isinstance(source, dict):
        for key in ("modified", "date", "mtime"):
            found = _as_date(source.get(key))
            if found:
                return found
    return None


def fieldwork_phrase(view: CouncilView) -> str:
    """'the 2020 Social Work Health Check (fieldwork 2 November to 18 December 2020)', or without the dates."""
    text = f"the {view.year} Social Work Health Check"
    start, end = _as_date(view.meta.get("fieldwork_start")), _as_date(view.meta.get("fieldwork_end"))
    if start and end:
        first = f"{start.day} {start:%B}" + ("" if start.year == end.year else f" {start.year}")
        text += f" (fieldwork {first} to {long_date(end)})"
    return text


def headline(view: CouncilView) -> str:
    """The opening paragraph: respondents and response rate, ranks, fieldwork and data date."""
    if view.suppressed:
        return suppression_notice(view)
    sentences = [
        f"{possessive(view.name)} social workers took part in {fieldwork_phrase(view)}. "
        f"There were {respondents_phrase(view)}."
    ]
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
    return (
        f"At a national level, {join_list(who)} took part and there were "
        f"{plural(view.national_responses or 0, 'survey response')} in total."
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
    order = [r for r in _band_order(view) if r in set(rated["rating"])]
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
        return (
            f"{name} received {rating_for(top)} for all standards and areas except: "
            f"{'; '.join(exceptions)}.{tail}"
        )
    parts = [
        f"{rating_for(r)} for {join_list([view.short_title(a) for a in rated.loc[rated['rating'] == r, 'area']])}"
        for r in order
    ]
    return f"{name} received {'; '.join(parts[:-1])}; and {parts[-1]}.{tail}"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def _ratings_words(ratings: list[str], view: CouncilView, conjunction: str) -> str:
    present = [r for r in _band_order(view) if r in set(ratings)]
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


def highest_lowest(view: CouncilView) -> str:
    """'The highest rated standard was Strategic partnerships (82) and the lowest was CPD (66).'

    Standards whose scores round to the same whole number are named together.
    """
    if view.suppressed:
        return ""
    rated = view.rated()
    standards = rated[rated["kind"] == "standard"].copy()
    if len(standards) < 2:
        return ""
    standards["shown"] = standards["score"].map(round_half_up)
    top, bottom = standards["shown"].max(), standards["shown"].min()
    if top == bottom:
        return f"All standards had the same score ({fmt_score(top)})."

    def phrase(value: float) -> tuple[str, str]:
        names = [view.short_title(a) for a in standards.loc[standards["shown"] == value, "area"]]
        if len(names) == 1:
            return "was", f"{names[0]} ({fmt_score(value)})"
        both = "both" if len(names) == 2 else "all"
        return "were", f"{join_list(names)} ({both} {fmt_score(value)})"

    verb_top, text_top = phrase(top)
    verb_bottom, text_bottom = phrase(bottom)
    noun = "standard" if verb_top == "was" else "standards"
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
    quoted = [f"{quote(w)} ({percent(a)} agreed)" for w, a in zip(top["wording"], top["agree"], strict=True)]
    return f"The statements {possessive(view.name)} social workers agreed with most were {join_list(quoted)}."


def least_agreed(view: CouncilView, k: int = 3) -> str:
    """The (positively worded) statements agreed with least."""
    if view.suppressed:
        return ""
    low = _agreed(view, k, most=False)
    if low.empty:
        return ""
    quoted = [f"{quote(w)} ({percent(a)} agreed)" for w, a in zip(low["wording"], low["agree"], strict=True)]
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


# --------------------------------------------------------------------------------------
# notes
# --------------------------------------------------------------------------------------
def bands_sentence(bands: list[Band]) -> str:
    """'Responses were translated into a mean score ... Green (sustain) 75 to 100; ...'."""
    ordered = sorted(bands, key=lambda b: -b.min)
    parts, top = [], 100
    for band in ordered:
        low = int(round_half_up(band.min))
        parts.append(f"{band.rating} ({band.action}) {low} to {top}")
        top = low - 1
    return (
        "Responses were translated into a mean score from 0 to 100, rounded half up to a whole number, "
        f"falling under one of the following: {'; '.join(parts)}."
    )


def _find_hash(meta: dict[str, Any]) -> str | None:
    """The first value in the metadata whose key names a hash (searched one level deep)."""
    for key, value in meta.items():
        if isinstance(value, str) and ("sha" in key.lower() or "hash" in key.lower()):
            return value
    for value in meta.values():
        if isinstance(value, dict):
            found = _find_hash(value)
            if found:
                return found
    return None


def source_version(view: CouncilView) -> str:
    """'Source data version: sha256 1a2b3c4d5e6f, data as at 15 January 2021.'"""
    parts = []
    if digest := _find_hash(view.meta):
        parts.append(f"fingerprint (SHA-256) {digest[:12]}")
    if when := data_date(view):
        parts.append(f"data as at {long_date(when)}")
    version = view.meta.get("healthcheck_version") or view.meta.get("version")
    if version:
        parts.append(f"scored with healthcheck {version}")
    if not parts:
        return "Source data version: not recorded (no scores_meta.json was found)."
    return f"Source data version: {', '.join(parts)}."


def notes(view: CouncilView) -> str:
    """The report's notes as a Markdown list: bases, scale and bands, suppression, drivers, source."""
    points = ", ".join(f"{p:g}" for _, p in sorted(view.answer_points.items()))
    book = view.codebook
    reversed_areas = [view.short_title(a) for a in dict.fromkeys(book.loc[book["reverse"].astype(bool), "area"])]
    turned = (
        f", and negatively worded statements ({join_list(reversed_areas)}) are scored the other way round, "
        "so a higher score is always better"
        if reversed_areas
        else ""
    )
    lines = [
        f"**Bases.** Figures are based on valid responses to the {view.year} survey: a response counts for an "
        f"area when at least {percent(100 * view.min_answered_share)} of the area's questions were answered. "
        "The base (n) of each figure is the number of respondents it is based on; regional and England figures "
        "pool every respondent in the region or the country.",
        f"**Scale and ratings.** Each answer scores {points} points from *Strongly disagree* to *Strongly agree*; "
        f"*Don't know* and *Not applicable* are left out{turned}. {bands_sentence(view.bands)}",
        f"**Differences from England.** *Significantly above* or *below* means the difference from the national "
        f"figure is statistically significant at the {percent(100 * view.alpha)} level; intervals are "
        f"{percent(100 * view.confidence)} confidence intervals.",
        f"**Suppression.** Local figures are published only for organisations with at least {view.min_respondents} "
        f"valid responses; statement-level percentages need at least {view.min_item_base} answers (shown as [c] "
        f"otherwise) and a region's spread of organisation scores needs at least {view.min_region_orgs} "
        "organisations. Other organisations are never named.",
        "**Key factor in the desire to stay.** Spearman's rank correlation (rho) between each standard's score and "
        f"the desire to stay, over respondents who answered both. An organisation's own estimate needs at least "
        f"{view.min_driver_respondents} such respondents; below that, the national finding is given. "
        "See docs/method.md for the method.",
        f"**Source.** {source_version(view)}",
    ]
    return "\n".join(f"- {line}" for line in lines)


def free_text_note(view: CouncilView) -> str:
    """What the report says about free-text comments, which it never prints."""
    return (
        f"Free-text comments from {possessive(view.name)} respondents are not reproduced in this report: they are "
        "individual responses and may identify people. Themes from them can be summarised separately."
    )


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
    "bands_sentence",
    "data_date",
    "fieldwork_phrase",
    "findings",
    "free_text_note",
    "headline",
    "highest_lowest",
    "join_list",
    "key_driver",
    "least_agreed",
    "most_agreed",
    "national_context",
    "notes",
    "possessive",
    "quote",
    "rank_phrase",
    "ratings_summary",
    "regional_national_comparison",
    "respondents_phrase",
    "significance",
    "source_version",
    "suppression_notice",
    "the_region",
]
