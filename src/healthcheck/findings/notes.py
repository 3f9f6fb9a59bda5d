"""The notes under a council report: bases, scale and rating bands, suppression, drivers and source.

:func:`bands_sentence` and :func:`source_version` are shared with the national and regional
reports' notes; :func:`data_date` also dates the headline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

import pandas as pd

from healthcheck.params import Band
from healthcheck.text.numbers import fmt_percent, round_half_up
from healthcheck.text.words import join_list, long_date
from healthcheck.views.council import CouncilView


class HasMeta(Protocol):
    """A view with the scoring metadata (``scores_meta.json``): a council's, England's or a region's."""

    meta: dict[str, Any]


def as_date(value: Any) -> date | None:
    """A date from metadata text ('2021-01-15', '2021-01-10T09:00:00'); None when blank or unreadable."""
    if value is None or value == "":
        return None
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def data_date(view: HasMeta) -> date | None:
    """When the source data was exported or scored, from ``scores_meta.json``."""
    meta = view.meta
    for key in ("data_date", "source_modified", "scored_at", "created", "generated_at"):
        found = as_date(meta.get(key))
        if found:
            return found
    source = meta.get("source")
    if isinstance(source, dict):
        for key in ("modified", "date", "mtime"):
            found = as_date(source.get(key))
            if found:
                return found
    return None


def bands_sentence(bands: Iterable[Band]) -> str:
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


def find_hash(meta: dict[str, Any]) -> str | None:
    """The first value in the metadata whose key names a hash (searched one level deep)."""
    for key, value in meta.items():
        if isinstance(value, str) and ("sha" in key.lower() or "hash" in key.lower()):
            return value
    for value in meta.values():
        if isinstance(value, dict):
            found = find_hash(value)
            if found:
                return found
    return None


def source_fingerprint(view: HasMeta) -> str | None:
    """The source data's fingerprint (sha256) from ``scores_meta.json``: for document metadata, not the text."""
    return find_hash(view.meta)


def source_version(view: HasMeta) -> str:
    """'The Social Work Health Check 2020 worker survey, as exported on 15 January 2021.', for the reader.

    The data's fingerprint and the software's version are provenance: they go into the
    document's properties (:func:`healthcheck.findings.publication.document_properties`) and
    the report's manifest, not into its text.
    """
    year = getattr(view, "year", None)
    survey = (
        f"The Social Work Health Check {year} worker survey" if year else "The Social Work Health Check worker survey"
    )
    when = data_date(view)
    return f"{survey}, as exported on {long_date(when)}." if when else f"{survey}."


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
        f"area when at least {fmt_percent(100 * view.min_answered_share)} of the area's questions were answered. "
        "The base (n) of each figure is the number of respondents it is based on; regional and England figures "
        "pool every respondent in the region or the country.",
        f"**Scale and ratings.** Each answer scores {points} points from *Strongly disagree* to *Strongly agree*; "
        f"*Don't know* and *Not applicable* are left out{turned}. {bands_sentence(view.bands)}",
        f"**Differences from England.** *Significantly above* or *below* means the difference from the national "
        f"figure is statistically significant at the {fmt_percent(100 * view.alpha)} level; intervals are "
        f"{fmt_percent(100 * view.confidence)} confidence intervals.",
        f"**Suppression.** Local figures are published only for organisations with at least {view.min_respondents} "
        f"valid responses; statement-level percentages need at least {view.min_item_base} answers (shown as [c] "
        f"otherwise) and a region's spread of organisation scores needs at least {view.min_region_orgs} "
        "organisations. Other organisations are never named.",
        "**Key factor in the desire to stay.** Spearman's rank correlation (rho) between each standard's score and "
        f"the desire to stay, over respondents who answered both. An organisation's own estimate needs at least "
        f"{view.min_driver_respondents} such respondents; below that, the national finding is given. "
        "A correlation shows which standards go with wanting to stay, not that one causes the other.",
        f"**Source.** {source_version(view)}",
    ]
    return "\n".join(f"- {line}" for line in lines)


__all__ = ["as_date", "bands_sentence", "data_date", "find_hash", "notes", "source_fingerprint", "source_version"]
