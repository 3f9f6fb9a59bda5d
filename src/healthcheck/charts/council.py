"""The council report's charts (plotly), each a :class:`~healthcheck.charts.chart.Chart` with its text.

The only organisation named is the council itself: other organisations appear as unlabelled
grey markers with no hover text, so nothing ties a score to another organisation. Every builder
computes its chart's file name, title and alternative text (what the chart shows, in words).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from healthcheck.charts.chart import Chart
from healthcheck.charts.statements import (
    item_groups,
    item_share_charts,
    item_share_groups,
    item_shares,
    item_shares_alt,
    short_wording,
)
from healthcheck.charts.style import (
    COUNCIL,
    ENGLAND,
    OTHERS,
    REGION,
    TEXT_SIZE,
    add_bands,
    area_labels,
    hover_text,
    jitter,
    layout,
    strip_axes,
)
from healthcheck.errors import ReportError
from healthcheck.reference.areas import areas_phrase, standard_codes
from healthcheck.text.numbers import fmt_rho, fmt_score
from healthcheck.text.words import rating_counts, the_region
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
        height=640,
        x_title="Mean score (0 = all strongly disagree, 100 = all strongly agree)",
        y_title="Standard or area",
    )
    fig.update_xaxes(range=[0, 100], dtick=10)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=list(y))
    fig.update_layout(margin=dict(t=70))
    title = f"{view.name} compared with England{where}: score by standard and area, {view.year}"
    return Chart(fig, name="area_comparison", title=title, alt=area_comparison_alt(view))


def area_comparison_alt(view: CouncilView) -> str:
    """The area comparison in words: what it shows and how many areas got each rating."""
    where = f" and {the_region(view.region)}" if view.region else ""
    return (
        f"Dot chart of {view.name}'s mean score (0-100) in each of the {areas_phrase(view.areas)}, beside the "
        f"scores of England{where}, drawn over the Red, Amber and Green rating bands. "
        f"{view.name}'s ratings: {rating_counts(view.rated()['rating'], view.bands)}. The table that follows gives every "
        "figure, with the confidence intervals."
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
            text=[view.name] + [""] * (len(rows) - 1), textposition="top center", textfont=dict(size=TEXT_SIZE, color="#000000"),
            hovertext=council_text, hoverinfo="text",
        )
    )  # fmt: skip
    n_orgs = len(view.others_overall) + 1
    layout(
        fig,
        height=230 + 36 * len(rows),
        x_title="Mean score (0-100); each grey dot is one other organisation",
        y_title="Overall score and each standard or area" if by_area else "Overall score",
    )
    strip_axes(fig, [label for _, label, _, _ in rows])
    title = f"Where {view.name} sits among the {n_orgs} organisations reporting, {view.year}"
    return Chart(fig, name="distribution", title=title, alt=distribution_alt(view))


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
        f"one unnamed grey dot each, with {view.name} marked.{position} The table that follows gives {view.name}'s "
        "score and the spread of every organisation's in each area."
    )


# --------------------------------------------------------------------------------------
# 3. item-level agreement: healthcheck.charts.statements
# --------------------------------------------------------------------------------------
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
        height=500,
        x_title="Spearman's rho with desire to stay (0 = no association, 1 = perfect)",
        y_title="Standard",
    )
    fig.update_xaxes(range=[x_min, 1], dtick=0.1, zeroline=True, zerolinecolor="#595959")
    fig.update_layout(showlegend=True)  # say whose estimates the markers are, even when there is only England
    fig.update_yaxes(
        tickmode="array", tickvals=list(position.values()), ticktext=list(position), autorange="reversed",
        showgrid=False, zeroline=False,
    )  # fmt: skip
    title = f"How each standard goes with the desire to stay, {view.year}{note}"
    return Chart(fig, name="drivers", title=title, alt=drivers_alt(view))


def drivers_alt(view: CouncilView) -> str:
    """The drivers chart in words."""
    own = "" if view.drivers_own.empty else f", and {view.name}'s own estimates"
    return (
        f"Dot chart of Spearman's rho between each standard and the desire to stay, for England with "
        f"{view.confidence:.0%} confidence intervals{own}. A higher rho means the standard goes more closely with "
        "wanting to stay. The table that follows gives every figure."
    )


__all__ = [
    "area_comparison", "area_comparison_alt", "distribution", "distribution_alt", "drivers", "drivers_alt",
    "item_groups", "item_share_charts", "item_share_groups", "item_shares", "item_shares_alt", "short_wording",
]  # fmt: skip
