"""The council report's charts (plotly), each a :class:`~healthcheck.charts.chart.Chart` with its text.

The only organisation named is the council itself: other organisations appear as unlabelled
grey markers with no hover text, so nothing ties a score to another organisation. Every builder
computes its chart's file name, title and alternative text (what the chart shows, in words).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from healthcheck.charts.chart import Chart, titled
from healthcheck.charts.style import (
    COUNCIL,
    ENGLAND,
    OTHERS,
    REGION,
    SHARE_COLOURS,
    SHARE_LABELS,
    SHARE_TEXT,
    add_bands,
    area_labels,
    hover_text,
    jitter,
    layout,
    strip_axes,
)
from healthcheck.errors import ReportError
from healthcheck.reference.areas import areas_phrase, other_codes, standard_codes
from healthcheck.text.numbers import fmt_rho, fmt_score, round_half_up
from healthcheck.text.words import join_list, rating_counts, the_region
from healthcheck.views.council import CouncilView


def _require_figures(view: CouncilView) -> None:
    if view.suppressed:
        raise ReportError(
            f"{view.name} has fewer than {view.min_respondents} valid responses: there is nothing to chart"
        )


# --------------------------------------------------------------------------------------
# 1. council, region and England by area
# --------------------------------------------------------------------------------------
def area_comparison(view: CouncilView) -> Chart:
    """The council's score in each area beside its region's and England's, over the rating bands."""
    _require_figures(view)
    table = view.comparison().merge(area_labels(view.areas), on="area")
    fig = go.Figure()
    add_bands(fig, view.bands)
    y = table["label"]
    fig.add_trace(
        go.Scatter(
            x=table["england_score"], y=y, mode="markers", name="England", marker=ENGLAND,
            hovertext=hover_text("England", table["england_score"], table["england_rating"], table["england_action"]),
            hoverinfo="text",
        )
    )  # fmt: skip
    if view.region:
        fig.add_trace(
            go.Scatter(
                x=table["region_score"], y=y, mode="markers", name=view.region, marker=REGION,
                hovertext=hover_text(view.region, table["region_score"], table["region_rating"], table["region_action"]),
                hoverinfo="text",
            )
        )  # fmt: skip
    err_plus = (table["ci_high"] - table["score"]).astype(float)
    err_minus = (table["score"] - table["ci_low"]).astype(float)
    fig.add_trace(
        go.Scatter(
            x=table["score"], y=y, mode="markers", name=f"{view.name} (with {view.confidence:.0%} confidence interval)",
            marker=COUNCIL,
            error_x=dict(type="data", array=err_plus, arrayminus=err_minus, color="#000000", thickness=1.2, width=4),
            hovertext=hover_text(view.name, table["score"], table["rating"], table["action"]),
            hoverinfo="text",
        )
    )  # fmt: skip
    where = f" and {the_region(view.region)}" if view.region else ""
    layout(
        fig,
        title=f"{view.name} compared with England{where}: score by standard and area, {view.year}",
        height=620,
        x_title="Mean score (0 = all strongly disagree, 100 = all strongly agree)",
        y_title="Standard or area",
    )
    fig.update_xaxes(range=[0, 100], dtick=10)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=list(y))
    fig.update_layout(margin=dict(t=110))
    return titled(fig, name="area_comparison", alt=area_comparison_alt(view))


def area_comparison_alt(view: CouncilView) -> str:
    """The area comparison in words: what it shows and how many areas got each rating."""
    where = f" and {the_region(view.region)}" if view.region else ""
    return (
        f"Dot chart of {view.name}'s mean score (0-100) in each of the {areas_phrase(view.areas)}, beside the "
        f"scores of England{where}, drawn over the Red, Amber and Green rating bands. "
        f"{view.name}'s ratings: {rating_counts(view.rated()['rating'], view.bands)}. The table above gives every figure."
    )


# --------------------------------------------------------------------------------------
# 2. where the council sits among all organisations
# --------------------------------------------------------------------------------------
def distribution(view: CouncilView, *, by_area: bool = True) -> Chart:
    """The council's overall (and each area's) score among every reporting organisation's.

    Other organisations are bare grey markers without names or hover text.
    """
    _require_figures(view)
    rows = [("overall", "Overall score", view.others_overall, view.overall)]
    if by_area:
        own = view.scores.set_index("area")["score"]
        for area, label in area_labels(view.areas).itertuples(index=False):
            rows.append((area, label, view.others_by_area.get(area, ()), own.get(area, np.nan)))
    xs, ys = [], []
    council_x, council_y, council_text = [], [], []
    for i, (_, _, others, mine) in enumerate(rows):
        values = np.asarray(others, dtype=float)
        xs.extend(values.tolist())
        ys.extend((i + jitter(len(values))).tolist())
        council_x.append(np.nan if mine is None else float(mine))
        council_y.append(i)
        council_text.append(f"{view.name}: {fmt_score(mine)}" if mine is not None and not pd.isna(mine) else "")
    fig = go.Figure()
    add_bands(fig, view.bands)
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="markers", name="Other organisations (not named)", marker=OTHERS, hoverinfo="skip",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=council_x, y=council_y, mode="markers+text", name=view.name, marker=COUNCIL,
            text=[view.name] + [""] * (len(rows) - 1), textposition="top center", textfont=dict(size=12, color="#000000"),
            hovertext=council_text, hoverinfo="text",
        )
    )  # fmt: skip
    n_orgs = len(view.others_overall) + 1
    layout(
        fig,
        title=f"Where {view.name} sits among the {n_orgs} organisations reporting, {view.year}",
        height=260 + 34 * len(rows),
        x_title="Mean score (0-100); each grey dot is one other organisation",
        y_title="Overall score and each standard or area" if by_area else "Overall score",
    )
    strip_axes(fig, [label for _, label, _, _ in rows])
    return titled(fig, name="distribution", alt=distribution_alt(view))


def distribution_alt(view: CouncilView) -> str:
    """The distribution in words: how many organisations, and how many score above the council."""
    n_orgs = len(view.others_overall) + 1
    above = sum(1 for v in view.others_overall if view.overall is not None and v > view.overall)
    verb = "has" if above == 1 else "have"
    position = (
        f" {above} of the other {n_orgs - 1} organisations {verb} a higher overall score."
        if view.overall is not None
        else ""
    )
    return (
        f"Strip chart of the overall score and each area's score of all {n_orgs} reporting organisations, "
        f"one unnamed grey dot each, with {view.name} marked.{position}"
    )


# --------------------------------------------------------------------------------------
# 3. item-level agreement
# --------------------------------------------------------------------------------------
def short_wording(text: str, width: int = 52) -> str:
    """An item's wording cut at a word boundary to fit an axis label."""
    return textwrap.shorten(str(text), width=width, placeholder="…")


def item_groups(areas: pd.DataFrame) -> list[tuple[str, str, list[str]]]:
    """The parts of the statement-by-statement chart, so that each fits a page at a readable size.

    (chart name, how a title names the part, its areas): the standards in two halves
    ('Standards 1 to 4', 'Standards 5 to 8'), then the other areas, all from the areas table.
    """
    ordered = areas.sort_values("order")
    standards = ordered[ordered["area"].isin(standard_codes(areas))]
    numbers = [int(n) if not pd.isna(n) else i for i, n in enumerate(standards["number"], start=1)]
    half = -(-len(standards) // 2)
    parts = []
    for rows in (slice(0, half), slice(half, None)):
        chunk = standards.iloc[rows]
        if chunk.empty:
            continue
        first, last = numbers[rows][0], numbers[rows][-1]
        if first == last:
            parts.append((f"item_shares_standard_{first}", f"Standard {first}", chunk["area"].tolist()))
        else:
            parts.append(
                (f"item_shares_standards_{first}_{last}", f"Standards {first} to {last}", chunk["area"].tolist())
            )
    others = other_codes(areas)
    if others:
        parts.append(("item_shares_other_areas", "the other areas", others))
    return parts


def item_share_groups(view: CouncilView) -> list[tuple[str, list[str]]]:
    """The parts of the statement chart that have statements for this view: (chart name, areas)."""
    present = set(view.items.loc[view.items["level"].isin(["org", "national"]), "area"])
    return [
        (name, [a for a in areas if a in present]) for name, _, areas in item_groups(view.areas) if present & set(areas)
    ]


def _wanted(area: str | list[str] | None) -> list[str] | None:
    return None if area is None else ([area] if isinstance(area, str) else list(area))


def _item_part(view: CouncilView, areas: list[str]) -> tuple[str, str] | None:
    """(name, title words) of the part of the statement chart holding every one of ``areas``."""
    for name, words, group in item_groups(view.areas):
        if set(areas) <= set(group):
            return name, words
    return None


def _item_scope(view: CouncilView, areas: list[str]) -> str:
    """'Wellbeing', 'Supervision, CPD', or a part's name ('Standards 1 to 4') for more than two areas."""
    part = _item_part(view, areas)
    if len(areas) > 2 and part is not None:
        return part[1]
    return ", ".join(view.short_title(a) for a in areas)


def _item_chart_name(view: CouncilView, areas: list[str] | None) -> str:
    if areas is None:
        return "item_shares"
    part = _item_part(view, areas)
    return part[0] if part is not None else f"item_shares_{'_'.join(areas)}"[:60]


def item_shares(view: CouncilView, area: str | list[str] | None = None) -> Chart:
    """Agree / neutral / disagree shares of each item for the council and England, stacked to 100%.

    ``area`` picks one area or a list of areas; None shows every item in one tall chart. Items
    with too small a base for the council are marked '[c]'. The chart is named for the part of
    the statement chart it belongs to (:func:`item_groups`).
    """
    _require_figures(view)
    wanted = _wanted(area)
    items = view.items[view.items["level"].isin(["org", "national"])].copy()
    if wanted is not None:
        items = items[items["area"].isin(wanted)]
    if items.empty:
        raise ReportError(f"no item shares for {view.name} in {area!r}")
    order = {item: i for i, item in enumerate(view.codebook["item"])}
    items["_o"] = items["item"].map(order)
    items["_l"] = items["level"].map({"org": 0, "national": 1})
    items = items.sort_values(["_o", "_l"])
    who = {"org": view.name, "national": "England"}
    item_labels = [short_wording(w) for w in items["wording"]]
    y = [item_labels, [who[lv] for lv in items["level"]]]

    fig = go.Figure()
    for share in ("agree", "neutral", "disagree"):
        values = items[share].astype(float)
        text = [f"{round_half_up(v):.0f}%" if not pd.isna(v) and v >= 7 else "" for v in values]
        hover = [
            f"{w} – {lvl}: {SHARE_LABELS[share].lower()} {round_half_up(v):.0f}% (base {int(b)})"
            if not pd.isna(v)
            else ""
            for w, lvl, v, b in zip(item_labels, y[1], values, items["base"].fillna(0), strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=values, y=y, orientation="h", name=SHARE_LABELS[share],
                marker=dict(
                    color=SHARE_COLOURS[share], line=dict(color="#ffffff", width=0.5),
                    pattern=dict(shape="/" if share == "disagree" else "", fgcolor="#ffffff", size=6, solidity=0.2),
                ),
                text=text, textposition="inside", insidetextanchor="middle",
                textfont=dict(color=SHARE_TEXT[share], size=10),
                hovertext=hover, hoverinfo="text",
            )
        )  # fmt: skip
    suppressed = items[items["agree"].isna()]
    marks = [(short_wording(w), who[lv]) for w, lv in zip(suppressed["wording"], suppressed["level"], strict=True)]
    if marks:
        fig.add_trace(
            go.Scatter(
                x=[1] * len(marks), y=[[m[0] for m in marks], [m[1] for m in marks]], mode="text",
                text=[f"[c] fewer than {view.min_item_base} answers"] * len(marks), textposition="middle right",
                showlegend=False, hoverinfo="skip",
            )
        )  # fmt: skip
    scope = "every item" if wanted is None else _item_scope(view, wanted)
    layout(
        fig,
        title=f"Agreement with each statement: {view.name} and England, {view.year} ({scope})",
        height=max(320, 160 + 23 * len(items)),
        x_title="Share of those answering (%)",
        y_title="Statement",
    )
    fig.update_layout(barmode="stack", bargap=0.25, margin=dict(l=10), legend_traceorder="normal")
    fig.update_xaxes(range=[0, 100], dtick=20, ticksuffix="%")
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=10))
    return titled(fig, name=_item_chart_name(view, wanted), alt=item_shares_alt(view, wanted))


def item_share_charts(view: CouncilView) -> list[Chart]:
    """The statement-by-statement chart in its parts (:func:`item_share_groups`), each fitting a page."""
    return [item_shares(view, areas) for _, areas in item_share_groups(view)]


def item_shares_alt(view: CouncilView, areas: list[str] | None = None) -> str:
    """The statement chart (or a part of it, ``areas``) in words."""
    topics = join_list([view.short_title(a) for a in areas]) if areas else ""
    which = f"each statement on {topics}" if topics else "each statement of the survey"
    return (
        f"Stacked bar chart of the percentage of {view.name}'s respondents and of England's who agree, neither agree "
        f"nor disagree, or disagree with {which}."
    )


# --------------------------------------------------------------------------------------
# 4. drivers of the wish to stay
# --------------------------------------------------------------------------------------
def drivers(view: CouncilView) -> Chart:
    """Spearman's rho of each standard with desire to stay: England with its confidence interval,
    and the council's own where its sample is large enough."""
    _require_figures(view)
    labels = area_labels(view.areas)
    labels = labels[labels["area"].isin(standard_codes(view.areas))]
    nat = labels.merge(view.drivers_national, on="area", how="left")
    fig = go.Figure()

    position = {label: i for i, label in enumerate(labels["label"])}

    def trace(frame: pd.DataFrame, name: str, marker: dict, who: str, offset: float) -> go.Scatter:
        rho = frame["rho"].astype(float)
        return go.Scatter(
            x=rho, y=[position[label] + offset for label in frame["label"]], mode="markers", name=name, marker=marker,
            error_x=dict(
                type="data", array=(frame["ci_high"].astype(float) - rho), arrayminus=(rho - frame["ci_low"].astype(float)),
                color=marker.get("color", "#000000"), thickness=1.2, width=4,
            ),
            hovertext=[
                f"{who}: rho {fmt_rho(r)} ({fmt_rho(lo)} to {fmt_rho(hi)}), n = {int(n):,}" if not pd.isna(r) else ""
                for r, lo, hi, n in zip(rho, frame["ci_low"], frame["ci_high"], frame["n"].fillna(0), strict=True)
            ],
            hoverinfo="text",
        )  # fmt: skip

    own = labels.merge(view.drivers_own, on="area", how="inner")
    own = own[own["rho"].notna()]
    # England just above the council's own estimate on each line, so the intervals do not overlap
    shift = 0.16 if not own.empty else 0.0
    fig.add_trace(trace(nat, f"England ({view.confidence:.0%} confidence interval)", ENGLAND, "England", -shift))
    if not own.empty:
        fig.add_trace(trace(own, f"{view.name}'s own responses", COUNCIL, view.name, shift))
        note = ""
    else:
        note = f" ({view.name}'s sample is too small for its own estimate)"
    lows = pd.concat([nat["ci_low"], own["ci_low"] if not own.empty else pd.Series(dtype=float)]).astype(float)
    x_min = min(0.0, float(np.nanmin(lows)) - 0.05) if lows.notna().any() else 0.0
    layout(
        fig,
        title=f"How each standard goes with the desire to stay, {view.year}{note}",
        height=480,
        x_title="Spearman's rho with desire to stay (0 = no association, 1 = perfect)",
        y_title="Standard",
    )
    fig.update_xaxes(range=[x_min, 1], dtick=0.1, zeroline=True, zerolinecolor="#999999")
    fig.update_yaxes(
        tickmode="array", tickvals=list(position.values()), ticktext=list(position), autorange="reversed",
        showgrid=False, zeroline=False,
    )  # fmt: skip
    return titled(fig, name="drivers", alt=drivers_alt(view))


def drivers_alt(view: CouncilView) -> str:
    """The drivers chart in words."""
    own = "" if view.drivers_own.empty else f", and {view.name}'s own estimates"
    return (
        f"Dot chart of Spearman's rho between each standard and the desire to stay, for England with "
        f"{view.confidence:.0%} confidence intervals{own}. A higher rho means the standard goes more closely with "
        "wanting to stay."
    )


__all__ = [
    "area_comparison", "area_comparison_alt", "distribution", "distribution_alt", "drivers", "drivers_alt",
    "item_groups", "item_share_charts", "item_share_groups", "item_shares", "item_shares_alt", "short_wording",
]  # fmt: skip
