"""Plain sentences of the national report of the worker survey, from a :class:`~healthcheck.views.national.NationalView`.

Counts and areas come from the data and the areas table; no organisation is named.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.findings.council import fieldwork_phrase, standard_extremes
from healthcheck.findings.notes import bands_sentence, source_version
from healthcheck.reference.areas import standards_phrase
from healthcheck.text.numbers import fmt_rho, fmt_score
from healthcheck.text.words import join_list, plural, possessive
from healthcheck.views.council import NATIONAL_GROUP
from healthcheck.views.national import NationalView, england_scores, national_drivers, overall_spread, participation


def ratings_sentence(view: NationalView, bench: pd.DataFrame, where: str) -> str:
    """'Nationally, 5 of the 13 standards and areas were rated green (sustain), 7 amber (monitor: CPD, ...) and 1 red (improve: Tensions).'

    The areas of the top band are counted, those of every other band named.
    """
    rated = bench[bench["rating"].notna()]
    if rated.empty:
        return ""
    order = sorted(view.bands, key=lambda b: -b.min)
    parts = []
    for i, band in enumerate(order):
        areas = rated.loc[rated["rating"] == band.rating, "area"].tolist()
        if i == 0:
            parts.append(
                f"{len(areas)} of the {len(rated)} standards and areas were rated {band.rating.lower()} ({band.action})"
            )
        elif areas:
            named = join_list([view.short_title(a) for a in areas])
            parts.append(f"{len(areas)} {band.rating.lower()} ({band.action}: {named})")
    return f"{where}, {join_list(parts)}."


def highest_lowest_sentence(view: NationalView, bench: pd.DataFrame, who: str) -> str:
    """'England's highest scoring standard was Strategic partnerships (78) and its lowest CPD (66).'"""
    extremes = standard_extremes(bench[bench["area"].isin(view.standards())], view.short_title)
    if extremes is None:
        return ""
    if isinstance(extremes, str):
        return f"Every standard had the same score {who} ({extremes})."
    (n_top, text_top), (n_bottom, text_bottom) = extremes
    lead = "standard was" if n_top == 1 else "standards were"
    low = "its lowest" if n_bottom == 1 else "its lowest were"
    return f"{possessive(who)} highest scoring {lead} {text_top} and {low} {text_bottom}."


def headline(view: NationalView) -> list[str]:
    """The opening sentences: who responded, England's ratings, highest and lowest, spread, drivers."""
    part = participation(view)
    who = [plural(part["councils"], "council")]
    if part["non_councils"]:
        who.append(plural(part["non_councils"], "non-council employer"))
    sentences = [
        f"Across England, {plural(part['responses'], 'social worker')} from "
        f"{plural(part['organisations'], 'organisation')} ({join_list(who)}) responded to "
        f"{fieldwork_phrase(view)}."  # type: ignore[arg-type]  # reads only .year and .meta
    ]
    nat = england_scores(view)
    if text := ratings_sentence(view, nat, "Nationally"):
        sentences.append(text)
    if text := highest_lowest_sentence(view, nat, NATIONAL_GROUP):
        sentences.append(text)
    spread = overall_spread(view)
    if spread is not None:
        sentences.append(
            f"Overall scores (the mean of {standards_phrase(view.areas)}) of the {int(spread['orgs'])} organisations "
            f"reporting ranged from {fmt_score(spread['min'])} to {fmt_score(spread['max'])}, with the middle half "
            f"between {fmt_score(spread['q1'])} and {fmt_score(spread['q3'])}."
        )
    drivers = national_drivers(view)
    drivers = drivers[drivers["rho"].notna()]
    if not drivers.empty:
        first = drivers.iloc[0]
        sentences.append(
            f"Of {standards_phrase(view.areas)}, {view.short_title(first['area'])} went most closely with the desire to stay "
            f"(Spearman's rho {fmt_rho(first['rho'])})."
        )
    if part["too_small"]:
        sentences.append(
            f"Of the {plural(part['organisations'], 'organisation')}, {part['too_small']} had fewer than "
            f"{view.min_respondents} valid responses: their respondents count in the regional and national figures, "
            "but they are not reported on their own."
        )
    return sentences


def notes(view: NationalView) -> str:
    """The notes of the national and regional reports, as a Markdown list."""
    level = f"{view.confidence:.0%}"
    lines = [
        "**Pooled figures.** England's and each region's scores are the mean over every respondent in the country "
        "or region (not the mean of organisations' scores), so large organisations count in proportion to their "
        "staff. Non-council employers count nationally and in their region where they have one.",
        f"**Scale and ratings.** {bands_sentence(view.bands)} Negatively worded statements are scored the other way "
        "round, so a higher score is always better; statement-level shares are shown as asked.",
        f"**Intervals and tests.** Intervals are {level} confidence intervals. A region is compared with the rest "
        f"of England by Welch's t-test at the {view.alpha:.0%} level; with {len(view.area_order())} areas tested, about "
        "one difference in "
        "twenty can look significant by chance.",
        f"**Organisations.** An organisation's own figures need at least {view.min_respondents} valid responses; "
        f"a spread of organisation scores needs at least {view.min_region_orgs} organisations. No organisation is "
        "named unless it has agreed to be (see the regional reports).",
        "**Drivers.** Spearman's rank correlation between each standard and the desire to stay, over respondents "
        "who answered both; the standardised coefficients come from one regression of the desire to stay on all "
        f"{standards_phrase(view.areas).removeprefix('the ')}. These are associations, not causes.",
        f"**Source.** {source_version(view)}",  # type: ignore[arg-type]  # reads only .meta
    ]
    return "\n".join(f"- {line}" for line in lines)
