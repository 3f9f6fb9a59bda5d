"""Plain sentences from one council's view, in the voice of a committee paper.

Every function takes a :class:`~healthcheck.views.council.CouncilView` and returns a sentence (or
an empty string when it has nothing to say), so the report's author can lift each one into
their paper. Scores are whole numbers rounded half up, as the ratings are; ratings are
written as words ('amber'), never as colours alone, and tables carry the action too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd

from healthcheck.text.numbers import fmt_rho, fmt_score, round_half_up
from healthcheck.views.council import CouncilView
from healthcheck.params import Band

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
    "standard_extremes",
    "source_version",
    "suppression_notice",
    "the_region",
]


# --------------------------------------------------------------------------------------
# free-text comments (shown only when the report's show_free_text parameter is on)
# --------------------------------------------------------------------------------------
#: The free-text columns of responses.parquet and the heading each gets in the report.
COMMENT_HEADINGS = {"comment_best": "What works well", "comment_improve": "What could be better"}


def load_own_comments(project: Any, view: CouncilView) -> pd.DataFrame:
    """The council's own respondents' comments (``comment_best``, ``comment_improve``), nothing else.

    Reads from ``responses.parquet`` only the rows whose ``org_code`` is the council's (a
    filter pushed down to the parquet reader) and only the comment columns; empty for a
    suppressed council, which never gets them.
    """
    columns = list(COMMENT_HEADINGS)
    if view.suppressed:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    path = project.processed_dir(view.year) / "responses.parquet"
    frame = pd.read_parquet(path, columns=["org_code", *columns], filters=[("org_code", "==", view.code)])
    frame = frame[frame["org_code"] == view.code]  # the filter again: never trust it to be the only guard
    return frame[columns].reset_index(drop=True)


def free_text_section(view: CouncilView, comments: pd.DataFrame, orgs: pd.DataFrame) -> str:
    """Markdown: a heading, a note on redaction, then each question's comments, redacted.

    ``comments`` must hold only this council's respondents (see :func:`load_own_comments`);
    ``orgs`` is the organisations frame whose names are redacted. Each question's comments
    are listed in alphabetical order, so two comments cannot be paired up as one person's.
    Every comment is written as literal text (no markdown or HTML in it is acted on).
    """
    from healthcheck.text.redact import Redactor, markdown_literal

    if view.suppressed:
        return ""
    redactor = Redactor.from_organisations(orgs)
    parts = [
        f"## Comments from {possessive(view.name)} respondents",
        f"These are the free-text answers of {possessive(view.name)} own respondents only. Before they are "
        "shown, e-mail addresses, phone numbers, postcodes and the names of people after a title (Mr, Mrs, "
        "Ms, Dr ...) are replaced by a marker such as [name], and the name of any organisation, this one "
        "included, by <Council Name>. The comments of each question are in alphabetical order, not by "
        "respondent. Comments are individual views, not findings of the survey.",
    ]
    parts[1] = markdown_literal(parts[1])
    for column, heading in COMMENT_HEADINGS.items():
        texts = [redactor(t) for t in comments[column].dropna() if str(t).strip()] if column in comments else []
        texts = sorted((t for t in texts if t.strip()), key=str.casefold)
        parts.append(f"### {heading}")
        if texts:
            parts.append("\n".join(f"- {markdown_literal(t)}" for t in texts))
        else:
            parts.append("No comments were given.")
    return "\n\n".join(parts)


def free_text(project: Any, view: CouncilView, *, show: bool = False) -> str:
    """The report's free-text section: '' unless ``show`` is true and the council has figures."""
    if not show or view.suppressed:
        return ""
    from healthcheck.reference.organisations import load_organisations

    return free_text_section(view, load_own_comments(project, view), load_organisations(project))


__all__ += ["free_text", "free_text_section", "load_own_comments"]


# --------------------------------------------------------------------------------------
# change since the previous round (healthcheck.scoring.trends)
# --------------------------------------------------------------------------------------
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def _count_word(count: int, word: str) -> str:
    """'one question', 'two questions', '12 questions'."""
    return f"{_NUMBER_WORDS.get(count, str(count))} {word if count == 1 else word + 's'}"


def _area_name(trend: Any, area: str) -> str:
    """The area's short title ('Wellbeing'), as the other findings name areas."""
    return trend.short_title(area)


def no_trend_sentence(trend: Any) -> str:
    """Why a council's report shows no change since last year ('' when it does)."""
    name, prev = trend.name, trend.previous_year
    if trend.status == "no previous year":
        return (
            f"There is no earlier Social Work Health Check in these data to compare {trend.year} with, "
            "so this report shows no change since last year."
        )
    if trend.status == "new":
        return f"{name} did not take part in the {prev} survey, so there is no previous year to compare with."
    if trend.status == "too few responses":
        return (
            f"Fewer than {trend.min_respondents} valid responses were received from {name} in {prev}, so there "
            "are no figures from that year to compare with, to protect respondents' confidentiality."
        )
    if trend.status == "suppressed":
        return ""  # the report carries no local figures at all
    return ""


def _pair(before: float, now: float) -> tuple[str, str]:
    """Two scores as whole numbers, or to one decimal place where whole numbers would read the same."""
    if fmt_score(before) != fmt_score(now):
        return fmt_score(before), fmt_score(now)
    return f"{round_half_up(before, 1):.1f}", f"{round_half_up(now, 1):.1f}"


def _movement(before: float, now: float) -> str:
    """'rose from 61 to 70' (whole numbers rounded half up, as everywhere in the report)."""
    b, n = _pair(before, now)
    return f"{'rose' if now > before else 'fell'} from {b} to {n}"


def trend_changes(trend: Any) -> str:
    """'Compared with 2021, Halton's score for Standard 5 (Supervision) rose from 61 to 70, a significant improvement.'"""
    if not trend.has_trend:
        return ""
    t = trend.changes
    name, prev = trend.name, trend.previous_year
    moved = t[t["significance"].isin(["improved", "declined"])]
    compared = t[t["status"] == "compared"]
    if compared.empty:
        return ""
    if moved.empty:
        return f"Compared with {prev}, none of {possessive(name)} {len(compared)} scores changed significantly."
    if len(moved) == 1:
        row = moved.iloc[0]
        what = "a significant improvement" if row["significance"] == "improved" else "a significant decline"
        text = (
            f"Compared with {prev}, {possessive(name)} score for {_area_name(trend, row['area'])} "
            f"{_movement(row['score_previous'], row['score'])}, {what}."
        )
    else:
        parts = []
        for verdict, verb in (("improved", "improved significantly"), ("declined", "declined significantly")):
            rows = moved[moved["significance"] == verdict]
            if rows.empty:
                continue
            listed = [
                f"{_area_name(trend, r.area)} ({' to '.join(_pair(r.score_previous, r.score))})"
                for r in rows.itertuples()
            ]
            parts.append(f"{verb} for {join_list(listed)}")
        text = f"Compared with {prev}, {possessive(name)} scores {' and '.join(parts)}."
    rest = len(compared) - len(moved)
    if rest:
        text += " The other score did not" if rest == 1 else f" The other {rest} scores did not"
        text += " change significantly."
    return text


def trend_coverage(trend: Any) -> list[str]:
    """One sentence per area not compared on exactly the same questions in both years."""
    if not trend.has_trend:
        return []
    out = []
    for r in trend.changes.itertuples():
        shared, now, before = int(r.items_shared), int(r.items_now), int(r.items_before)
        label = capitalise(_area_name(trend, r.area))
        if shared == now == before:
            continue
        if shared == 0:
            out.append(
                f"{label} cannot be compared with {trend.previous_year}: none of its questions was asked in both years."
            )
            continue
        changed, dropped = now - shared, before - shared
        prev, year = trend.previous_year, trend.year
        if changed and dropped == changed:
            reason = f"{_count_word(changed, 'question')} changed in {year}"
        elif changed and not dropped:
            reason = f"{_count_word(changed, 'question')} {'was' if changed == 1 else 'were'} new in {year}"
        elif changed:
            reason = (
                f"{_count_word(changed, 'question')} {'was' if changed == 1 else 'were'} new or changed in {year} and "
                f"{_count_word(dropped, 'question')} asked in {prev} {'was' if dropped == 1 else 'were'} not asked again"
            )
        else:
            gone = _count_word(dropped, "question")
            out.append(
                f"{label} is compared on {'its one question' if now == 1 else f'its {now} questions'}: {gone} asked in {prev} "
                f"{'was' if dropped == 1 else 'were'} not asked again, so the {prev} score is recalculated without "
                f"{'it' if dropped == 1 else 'them'}."
            )
            continue
        out.append(f"{label} is compared on {shared} of its {now} questions: {reason}.")
    return out


def trend_rank(trend: Any) -> str:
    """'On its overall score, Halton's national rank moved from 24 of 143 in 2021 to 18 of 140 in 2022, up 6 places.'"""
    if not trend.has_trend:
        return ""
    row = trend.changes.iloc[0]
    values = [row["national_rank_previous"], row["national_of_previous"], row["national_rank"], row["national_of"]]
    if any(pd.isna(v) for v in values):
        return ""
    before, before_of, now, now_of = (int(v) for v in values)
    name, prev = trend.name, trend.previous_year
    if before == now:
        return f"On its overall score, {name} ranked {now} nationally in both {prev} (of {before_of}) and {trend.year} (of {now_of})."
    return (
        f"On its overall score, {possessive(name)} national rank moved from {before} of {before_of} in {prev} to "
        f"{now} of {now_of} in {trend.year}, {'up' if now < before else 'down'} {plural(abs(before - now), 'place')}."
    )


def trend_national(trend: Any) -> str:
    """'Across England, scores improved significantly for ... and declined significantly for ... .'"""
    if not trend.has_trend or trend.national is None or trend.national.empty:
        return ""
    nat = trend.national
    up = [_area_name(trend, a) for a in nat.loc[nat["significance"] == "improved", "area"]]
    down = [_area_name(trend, a) for a in nat.loc[nat["significance"] == "declined", "area"]]
    if not up and not down:
        return f"Across England, no score changed significantly since {trend.previous_year}."
    parts = []
    if up:
        parts.append(f"improved significantly for {join_list(up)}")
    if down:
        parts.append(f"declined significantly for {join_list(down)}")
    return f"Across England, scores {' and '.join(parts)} compared with {trend.previous_year}."


def trend_findings(trend: Any) -> list[str]:
    """The 'Change since last year' sentences of a :class:`~healthcheck.scoring.trends.CouncilTrend`.

    A council with a previous year to compare with gets its significant changes, the areas
    compared on fewer questions, its change in national rank and England's changes; one
    without gets the one sentence that says why.
    """
    if not trend.has_trend:
        sentence = no_trend_sentence(trend)
        return [sentence] if sentence else []
    sentences = [trend_changes(trend), *trend_coverage(trend), trend_rank(trend), trend_national(trend)]
    return [s for s in sentences if s]


def trend_note(trend: Any) -> str:
    """How changes are measured, for the notes under the table of changes."""
    if not trend.has_trend:
        return ""
    return _change_note(trend.previous_year, trend.year, trend.alpha)


def _change_note(previous_year: int, year: int, alpha: float) -> str:
    return (
        f"Both years' scores are calculated on the questions asked in both {previous_year} and {year}, "
        "so an area whose questions changed may differ from its score in the table of ratings. A significant "
        f"improvement or decline means the change is statistically significant at the {percent(100 * alpha)} "
        "level (Welch's t-test); with 13 areas compared, about one in twenty such findings can arise by chance."
    )


__all__ += [
    "no_trend_sentence",
    "trend_changes",
    "trend_coverage",
    "trend_findings",
    "trend_national",
    "trend_note",
    "trend_rank",
]


def national_trend_findings(frame: pd.DataFrame) -> list[str]:
    """England's change since the previous round, from ``trends.national_trend``: the same sentences as a council's.

    'Compared with 2021, England's scores improved significantly for ... The other 7 scores did not
    change significantly.' and 'Wellbeing is compared on 4 of its 5 questions: one question changed
    in 2022.' With a single year, the sentence that says there is nothing to compare with.
    """
    from types import SimpleNamespace

    if frame.empty:
        return []
    latest = frame[frame["year"] == frame["year"].max()].copy()
    if frame["year"].nunique() == 1:
        return [
            f"There is no earlier Social Work Health Check in these data to compare {int(latest['year'].iloc[0])} with, "
            "so this report shows no change since last year."
        ]
    if latest["previous_year"].isna().all():
        return []  # an earlier year is there but not compared yet (trends.ensure_history builds it)
    titles = dict(zip(latest["area"], latest["short_title"], strict=True))
    latest["status"] = ["compared" if not pd.isna(c) else "not compared" for c in latest["change"]]
    latest = latest.rename(columns={"score": "score_published", "score_compared": "score"})
    latest = latest[latest["items_shared"].notna()]
    england = SimpleNamespace(
        has_trend=True, name="England", year=int(latest["year"].iloc[0]),
        previous_year=int(latest["previous_year"].dropna().iloc[0]), changes=latest.reset_index(drop=True),
        short_title=lambda area: str(titles.get(area, area)),
    )  # fmt: skip
    return [s for s in [trend_changes(england), *trend_coverage(england)] if s]


def national_trend_note(frame: pd.DataFrame, alpha: float = 0.05) -> str:
    """How England's changes are measured, for the notes under its table of changes ('' with nothing compared)."""
    latest = frame[frame["year"] == frame["year"].max()] if not frame.empty else frame
    if latest.empty or latest["previous_year"].isna().all():
        return ""
    return _change_note(int(latest["previous_year"].dropna().iloc[0]), int(latest["year"].iloc[0]), alpha)


__all__ += ["national_trend_findings", "national_trend_note"]
