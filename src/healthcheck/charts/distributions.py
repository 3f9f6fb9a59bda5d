"""The national and regional reports' charts: strip charts of organisations' scores, the regions'
heatmap and the region beside England, each a :class:`~healthcheck.charts.chart.Chart` with its text.

No organisation is ever named: organisations are bare grey markers with no hover text and no
data labels, whether or not they agreed to be named.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from healthcheck.charts.chart import Chart
from healthcheck.charts.style import (
    ENGLAND,
    MEDIAN,
    OTHERS,
    REGION,
    TEXT_SIZE,
    add_bands,
    area_labels,
    band_fill,
    hover_text,
    jitter,
    layout,
    strip_axes,
)
from healthcheck.errors import ReportError
from healthcheck.reference.areas import areas_phrase
from healthcheck.text.numbers import fmt_score
from healthcheck.text.words import capitalise, in_region, rating_counts, rating_label, the_region
from healthcheck.views.national import NationalView, region_groups
from healthcheck.views.regional import RegionalView, comparison, spread_shown, unlabelled_scores


def _strip_rows(view: NationalView, values: dict[str, tuple[float, ...]]) -> tuple[list[float], list[float], list[str]]:
    """x, y (jittered row positions) of unlabelled values per area, and the row labels."""
    labels = area_labels(view.areas)
    xs: list[float] = []
    ys: list[float] = []
    for i, area in enumerate(labels["area"]):
        vals = np.asarray(values.get(area, ()), dtype=float)
        xs.extend(vals.tolist())
        ys.extend((i + jitter(len(vals))).tolist())
    return xs, ys, labels["label"].tolist()


def _pooled_trace(
    view: NationalView, frame: pd.DataFrame, who: str, marker: dict, *, error: bool, offset: float = 0.0
) -> go.Scatter:
    """A pooled score per area (England or a region), with its interval when ``error``; ``offset`` moves
    it up or down its row so that two markers at the same score stay apart."""
    table = area_labels(view.areas).merge(frame, on="area", how="left")
    extra = {}
    if error:
        extra["error_x"] = dict(
            type="data", array=(table["ci_high"] - table["score"]).astype(float),
            arrayminus=(table["score"] - table["ci_low"]).astype(float), color="#333333", thickness=1.2, width=4,
        )  # fmt: skip
    return go.Scatter(
        x=table["score"].astype(float), y=[i + offset for i in range(len(table))], mode="markers", name=who, marker=marker,
        hovertext=hover_text(who, table["score"], table["rating"], table["action"]), hoverinfo="text", **extra,
    )  # fmt: skip


def _strip_chart(view: NationalView, values: dict[str, tuple[float, ...]]) -> tuple[go.Figure, list[str]]:
    """A strip chart's start: the rating bands and each organisation's score as an unnamed grey dot."""
    xs, ys, labels = _strip_rows(view, values)
    fig = go.Figure()
    add_bands(fig, view.bands)
    fig.add_trace(
        go.Scatter(x=xs, y=ys, mode="markers", name="One organisation (not named)", marker=OTHERS, hoverinfo="skip")
    )
    return fig, labels


def _finish_strip(fig: go.Figure, labels: list[str]) -> go.Figure:
    """Axis titles and one row per area, from 0 to 100."""
    layout(
        fig,
        height=230 + 36 * len(labels),
        x_title="Mean score (0-100); each grey dot is one organisation",
        y_title="Standard or area",
    )
    strip_axes(fig, labels)
    return fig


# --------------------------------------------------------------------------------------
# the national report
# --------------------------------------------------------------------------------------
def national_distribution(view: NationalView) -> Chart:
    """Every reporting organisation's score in each area (unnamed grey dots), the median organisation
    and England's pooled score, over the rating bands."""
    rep = view.reporting()
    areas = area_labels(view.areas)
    values = {a: tuple(sorted(rep.loc[rep["area"] == a, "score"].dropna().astype(float))) for a in areas["area"]}
    fig, labels = _strip_chart(view, values)
    nat = view.bench("national", "England")
    med = areas.merge(nat, on="area", how="left")
    fig.add_trace(
        go.Scatter(
            x=med["median"].astype(float), y=list(range(len(med))), mode="markers", name="Median organisation",
            marker=MEDIAN, hovertext=[f"Median organisation: {fmt_score(v)}" for v in med["median"]], hoverinfo="text",
        )
    )  # fmt: skip
    fig.add_trace(_pooled_trace(view, nat, "England (all respondents pooled)", ENGLAND, error=False))
    n_orgs = len(set(rep["org_code"]))
    title = f"How organisations' scores vary: the {n_orgs} organisations reporting, by standard and area, {view.year}"
    return Chart(
        _finish_strip(fig, labels), name="national_distribution", title=title, alt=national_distribution_alt(view)
    )


def national_distribution_alt(view: NationalView) -> str:
    """The national strip chart in words, with England's count of areas in each rating."""
    nat = view.bench("national", "England")
    n_orgs = len(set(view.reporting()["org_code"]))
    return (
        f"Strip chart of the score of each of the {n_orgs} reporting organisations in each of the "
        f"{areas_phrase(view.areas)}, one unnamed grey dot per organisation, with the median organisation and "
        "England's pooled score marked, over the Red, Amber and Green rating bands. England's ratings: "
        f"{rating_counts(nat['rating'], view.bands)}. The table above gives the lowest, quartiles and highest of each area."
    )


def regional_heatmap(view: NationalView) -> Chart:
    """Each region's pooled score in each area, written in its cell with the rating word.

    The cell's shade repeats the rating (light green, amber, red); the words make it readable
    in greyscale and to a screen reader.
    """
    labels = area_labels(view.areas)
    groups = [("national", "England")] + [("region", r) for r in region_groups(view)]
    order = [b.rating for b in sorted(view.bands, key=lambda b: b.min)]  # low to high
    code = {r: i for i, r in enumerate(order)}
    z, text, hover = [], [], []
    for area, label in labels.itertuples(index=False):
        zr, tr, hr = [], [], []
        for level, group in groups:
            row = view.bench(level, group).set_index("area")
            score = row["score"].get(area, np.nan)
            rating = row["rating"].get(area, None)
            action = row["action"].get(area, None)
            ok = not (score is None or pd.isna(score) or rating is None or pd.isna(rating))
            zr.append(code.get(rating, np.nan) if ok else np.nan)
            tr.append(f"{fmt_score(score)}<br>{rating}" if ok else "n/a")
            hr.append(
                f"{group} – {label}: {fmt_score(score)}, {rating_label(rating, action)}"
                if ok
                else f"{group} – {label}: no score"
            )
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    # a stepped colour scale: each rating's code maps onto one flat colour
    steps = []
    for i, rating in enumerate(order):
        colour = band_fill(rating)
        steps += [[i / len(order), colour], [(i + 1) / len(order), colour]]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[g for _, g in groups], y=labels["label"].tolist(), zmin=-0.5, zmax=len(order) - 0.5,
            colorscale=steps, showscale=False, text=text, texttemplate="%{text}", textfont=dict(size=TEXT_SIZE, color="#000000"),
            hovertext=hover, hoverinfo="text", xgap=2, ygap=2,
        )
    )  # fmt: skip
    layout(fig, height=200 + 40 * len(labels), x_title="", y_title="")
    # the regions' names upright on one line each: side by side they would not fit the page's width
    fig.update_xaxes(side="top", showgrid=False, tickangle=-90, automargin=True)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_layout(showlegend=False, margin=dict(t=10, b=20))
    title = f"Each region's pooled score and rating by standard and area, with England, {view.year}"
    return Chart(fig, name="regional_heatmap", title=title, alt=regional_heatmap_alt(view))


def regional_heatmap_alt(view: NationalView) -> str:
    """The regions' heatmap in words."""
    return (
        "Grid of the pooled score and rating of England and of each English region (columns) in each standard "
        "and area (rows); each cell shows the score and the rating word, shaded by rating. The tables above give "
        "every figure."
    )


# --------------------------------------------------------------------------------------
# a regional report
# --------------------------------------------------------------------------------------
def region_comparison(view: RegionalView) -> Chart:
    """The region's pooled score in each area, with its interval, beside England's, over the rating bands."""
    nat_view = view.national
    reg = nat_view.bench("region", view.region)
    nat = nat_view.bench("national", "England")
    labels = area_labels(nat_view.areas)["label"].tolist()
    fig = go.Figure()
    add_bands(fig, nat_view.bands)
    fig.add_trace(_pooled_trace(nat_view, nat, "England", ENGLAND, error=False, offset=-0.16))
    fig.add_trace(
        _pooled_trace(nat_view, reg, f"{view.region} (with {nat_view.confidence:.0%} confidence interval)", REGION,
                      error=True, offset=0.16)
    )  # fmt: skip
    layout(
        fig,
        height=640,
        x_title="Mean score (0 = all strongly disagree, 100 = all strongly agree)",
        y_title="Standard or area",
    )
    strip_axes(fig, labels)
    title = (
        f"{capitalise(the_region(view.region))} compared with England: pooled score by standard and area, {view.year}"
    )
    return Chart(fig, name="region_comparison", title=title, alt=region_comparison_alt(view))


def region_comparison_alt(view: RegionalView) -> str:
    """The region beside England in words: its ratings and where it differs significantly."""
    nat_view = view.national
    reg = nat_view.bench("region", view.region)
    comp = comparison(view)
    above, below = int((comp["significance"] == "above").sum()), int((comp["significance"] == "below").sum())
    return (
        f"Dot chart of {the_region(view.region)}'s pooled score (0-100) in each of the {areas_phrase(nat_view.areas)}, "
        f"with its {nat_view.confidence:.0%} confidence interval, beside England's, over the Red, Amber and Green "
        f"rating bands. The region's ratings: {rating_counts(reg['rating'], nat_view.bands)}. It is significantly above "
        f"the rest of England in {above} areas and below in {below}. The table above gives every figure."
    )


def region_distribution(view: RegionalView) -> Chart:
    """The region's organisations' scores in each area as unnamed grey dots, with the region's and
    England's pooled scores; ReportError when the spread may not be shown (``regional.spread_shown``)."""
    shown, reason = spread_shown(view)
    if not shown:
        raise ReportError(reason)
    nat_view = view.national
    fig, labels = _strip_chart(nat_view, unlabelled_scores(view))
    fig.add_trace(_pooled_trace(nat_view, nat_view.bench("national", "England"), "England", ENGLAND, error=False))
    fig.add_trace(
        _pooled_trace(nat_view, nat_view.bench("region", view.region), f"{view.region} (pooled)", REGION, error=False)
    )
    n_orgs = len(view.reporting_codes())
    title = f"How scores vary among the {n_orgs} organisations reporting {in_region(view.region)}, {view.year}"
    # named apart from the region's table of the same spread ('region_distribution')
    return Chart(
        _finish_strip(fig, labels), name="region_distribution_chart", title=title, alt=region_distribution_alt(view)
    )


def region_distribution_alt(view: RegionalView) -> str:
    """The region's strip chart in words."""
    return (
        f"Strip chart of the score of each of the {len(view.reporting_codes())} reporting organisations "
        f"{in_region(view.region)} in each standard and area, one unnamed grey dot per organisation, with "
        "the region's and England's pooled scores marked, over the rating bands."
    )


__all__ = [
    "national_distribution", "national_distribution_alt", "region_comparison", "region_comparison_alt",
    "region_distribution", "region_distribution_alt", "regional_heatmap", "regional_heatmap_alt",
]  # fmt: skip
