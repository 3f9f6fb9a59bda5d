"""Change since the previous round (:mod:`healthcheck.scoring.trends`), in plain sentences.

A council's :class:`~healthcheck.scoring.trends.CouncilTrend` gives its significant changes, the
areas compared on fewer questions, its change in national rank and England's changes; England's
series (``healthcheck.views.trend.national_trend``) gives the same sentences for England.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from healthcheck.reference.areas import area_codes
from healthcheck.text.numbers import fmt_percent, fmt_score, round_half_up
from healthcheck.text.words import capitalise, count_words, join_list, number_word, plural, possessive
from healthcheck.views.trend import CouncilTrend

#: 'one in ten', 'one in twenty': the chance of a false finding at a significance level, in words.
_ONE_IN = {10: "ten", 20: "twenty", 100: "a hundred", 1000: "a thousand"}


def _area_name(trend: CouncilTrend, area: str) -> str:
    """The area's short title ('Wellbeing'), as the other findings name areas."""
    return trend.short_title(area)


def no_trend_sentence(trend: CouncilTrend) -> str:
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


def trend_changes(trend: CouncilTrend) -> str:
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


def trend_coverage(trend: CouncilTrend) -> list[str]:
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
            reason = f"{count_words(changed, 'question')} changed in {year}"
        elif changed and not dropped:
            reason = f"{count_words(changed, 'question')} {'was' if changed == 1 else 'were'} new in {year}"
        elif changed:
            reason = (
                f"{count_words(changed, 'question')} {'was' if changed == 1 else 'were'} new or changed in {year} and "
                f"{count_words(dropped, 'question')} asked in {prev} {'was' if dropped == 1 else 'were'} not asked again"
            )
        else:
            gone = count_words(dropped, "question")
            out.append(
                f"{label} is compared on {'its one question' if now == 1 else f'its {now} questions'}: {gone} asked in {prev} "
                f"{'was' if dropped == 1 else 'were'} not asked again, so the {prev} score is recalculated without "
                f"{'it' if dropped == 1 else 'them'}."
            )
            continue
        out.append(f"{label} is compared on {shared} of its {now} questions: {reason}.")
    return out


def trend_rank(trend: CouncilTrend) -> str:
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


def trend_national(trend: CouncilTrend) -> str:
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


def trend_findings(trend: CouncilTrend) -> list[str]:
    """The 'Change since last year' sentences of a :class:`~healthcheck.scoring.trends.CouncilTrend`.

    A council with a previous year to compare with gets its significant changes, the areas
    compared on fewer questions, its change in national rank and England's changes; one
    without gets the one sentence that says why.
    """
    history = succession_sentence(trend)
    if not trend.has_trend:
        sentence = "" if history and trend.status == "new" else no_trend_sentence(trend)
        return [s for s in (history, sentence) if s]
    sentences = [history, trend_changes(trend), *trend_coverage(trend), trend_rank(trend), trend_national(trend)]
    return [s for s in sentences if s]


def succession_sentence(trend: CouncilTrend) -> str:
    """What a council created since the previous round compares with: its predecessor's service, or nothing."""
    info = trend.succession
    if not info or not info["predecessors"]:
        return ""
    since = info["since"].strftime("%-d %B %Y")
    names = join_list([name for _, name in info["predecessors"]])
    if info["same_service"]:
        return (
            f"{trend.name} took over the social work service of {names} on {since}, for the same area, so "
            f"its {trend.previous_year} figures are those of {names}."
        )
    return (
        f"{trend.name} was created on {since} from {'part of ' if len(info['predecessors']) == 1 else ''}{names}; "
        f"its service is not the same as any one council's before it, so there is no earlier year to compare with."
    )


def trend_note(trend: CouncilTrend) -> str:
    """How changes are measured, for the notes under the table of changes."""
    if not trend.has_trend:
        return ""
    return change_note(trend.previous_year, trend.year, trend.alpha, len(area_codes(trend.areas)))


def chance_phrase(alpha: float) -> str:
    """'one in twenty' (at the 5% level): how often a finding significant at ``alpha`` arises by chance."""
    times = round(1 / alpha)
    return f"one in {_ONE_IN.get(times, number_word(times))}"


def change_note(previous_year: int, year: int, alpha: float, n_areas: int) -> str:
    """The note on how a change between two years is measured and tested, for ``n_areas`` areas."""
    return (
        f"Both years' scores are calculated on the questions asked in both {previous_year} and {year}, "
        "so an area whose questions changed may differ from its score in the table of ratings. A significant "
        f"improvement or decline means the change is statistically significant at the {fmt_percent(100 * alpha)} "
        f"level (Welch's t-test); with {n_areas} areas compared, about {chance_phrase(alpha)} such findings can "
        "arise by chance."
    )


def national_trend_findings(frame: pd.DataFrame) -> list[str]:
    """England's change since the previous round, from ``healthcheck.views.trend.national_trend``: the same sentences as a council's.

    'Compared with 2021, England's scores improved significantly for ... The other 7 scores did not
    change significantly.' and 'Wellbeing is compared on 4 of its 5 questions: one question changed
    in 2022.' With a single year, the sentence that says there is nothing to compare with.
    """
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
    # England as a trend: the few fields the sentences read
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
    return change_note(
        int(latest["previous_year"].dropna().iloc[0]), int(latest["year"].iloc[0]), alpha, latest["area"].nunique()
    )


__all__ = [
    "chance_phrase",
    "change_note",
    "national_trend_findings",
    "national_trend_note",
    "no_trend_sentence",
    "trend_changes",
    "trend_coverage",
    "trend_findings",
    "trend_national",
    "trend_note",
    "trend_rank",
]
