"""Change over the survey years (:mod:`healthcheck.scoring.trends`): small multiples, one panel per area.

A council's trend shows it beside its region and England; the national trend shows England.
Each builder returns a :class:`~healthcheck.charts.chart.Chart` with its text description.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from healthcheck.charts.chart import Chart, titled
from healthcheck.charts.style import (
    COUNCIL,
    ENGLAND,
    FONT,
    LEGEND,
    REGION,
    WIDTH,
    BandLike,
    area_labels,
    band_edges,
    band_fill,
)
from healthcheck.errors import ReportError
from healthcheck.reference.areas import areas_phrase
from healthcheck.text.numbers import fmt_score
from healthcheck.text.words import join_list, possessive, rating_label, the_region
from healthcheck.views.trend import CouncilTrend

TREND_COLUMNS = 3
#: Line style of each level, so that the lines differ by more than shade.
TREND_LINES = {"org": "solid", "region": "dash", "national": "dot"}


def _trend_panels(
    series: pd.DataFrame, areas: pd.DataFrame, lines: list[tuple[str, str, dict]], *, title: str, bands: list
) -> go.Figure:
    """Small multiples, one panel per area: a line per (level, legend name, marker) over the years.

    Every panel has the same y range, so that a change of a few points looks the same size
    anywhere; the rating bands shade each panel and are named in the subtitle. A panel whose
    questions changed in a year says so in its title, as a reminder that its line then joins
    scores on different questions (the table of changes compares like with like).
    """
    labels = area_labels(areas)
    changed = series[series["questions_changed"].astype(bool)].groupby("area")["year"].apply(lambda y: sorted(set(y)))
    titles = [
        f"{label}<br><sup>questions changed {', '.join(str(y) for y in changed[a])}</sup>"
        if a in changed.index
        else label
        for a, label in labels.itertuples(index=False)
    ]
    rows = -(-len(labels) // TREND_COLUMNS)
    fig = make_subplots(
        rows=rows, cols=TREND_COLUMNS, subplot_titles=titles, vertical_spacing=0.085, horizontal_spacing=0.07
    )
    years = sorted(int(y) for y in series["year"].unique())
    values = series["score"].astype(float)
    low = 5 * np.floor((np.nanmin(values) - 3) / 5) if values.notna().any() else 0.0
    high = 5 * np.ceil((np.nanmax(values) + 3) / 5) if values.notna().any() else 100.0
    low, high = max(0.0, low), min(100.0, high)
    traces, trace_rows, trace_cols, shapes = [], [], [], []
    edges = [e for e in band_edges(bands) if e[3] > low and e[2] < high]
    for i, area in enumerate(labels["area"]):
        row, col = i // TREND_COLUMNS + 1, i % TREND_COLUMNS + 1
        for level, name, marker in lines:
            part = series[(series["level"] == level) & (series["area"] == area)].sort_values("year")
            scores = part["score"].astype(float)
            traces.append(
                go.Scatter(
                    x=part["year"].astype(int), y=scores, mode="lines+markers", name=name, legendgroup=name,
                    showlegend=i == 0, marker=marker, connectgaps=False,
                    line=dict(color=marker.get("color", "#000000") if level != "national" else "#000000", width=1.5,
                              dash=TREND_LINES[level]),
                    hovertext=[
                        f"{name}, {int(y)}: {fmt_score(s)} – {rating_label(r, a)}" if not pd.isna(s) else f"{name}, {int(y)}: no score"
                        for y, s, r, a in zip(part["year"], scores, part["rating"], part["action"], strict=True)
                    ],
                    hoverinfo="text",
                )
            )  # fmt: skip
            trace_rows.append(row)
            trace_cols.append(col)
        axis = "" if i == 0 else str(i + 1)
        # band shading as plain shapes: fig.add_hrect per panel costs a tenth of a second each
        shapes += [
            dict(type="rect", xref=f"x{axis} domain", yref=f"y{axis}", x0=0, x1=1, y0=max(y0, low), y1=min(y1, high),
                 fillcolor=band_fill(rating), opacity=0.6, layer="below", line_width=0)
            for rating, _action, y0, y1, _span in edges
        ]  # fmt: skip
    fig.add_traces(traces, rows=trace_rows, cols=trace_cols)
    fig.update_layout(shapes=shapes)
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years],
                     range=[years[0] - 0.4, years[-1] + 0.4] if years else None)  # fmt: skip
    fig.update_yaxes(range=[low, high], dtick=5 if high - low <= 30 else 10)
    for col in range(1, TREND_COLUMNS + 1):  # axis titles on the outer panels only
        last_row = max(r for r in range(1, rows + 1) if (r - 1) * TREND_COLUMNS + col <= len(labels))
        fig.update_xaxes(title_text="Survey year", row=last_row, col=col)
    for row in range(1, rows + 1):
        fig.update_yaxes(title_text="Score (0-100)", row=row, col=1)
    key = "; ".join(f"{rating} ({action}) {span}" for rating, action, _, _, span in reversed(band_edges(bands)))
    fig.update_layout(
        template="simple_white",
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16),
                   subtitle=dict(text=f"Shading shows the rating bands: {key}", font=dict(size=12))),
        width=WIDTH,
        height=170 + 210 * rows,
        font=FONT,
        margin=dict(l=20, r=30, t=110, b=90),
        legend=LEGEND,
        hoverlabel=dict(bgcolor="white"),
    )  # fmt: skip
    fig.update_xaxes(showgrid=True, gridcolor="#eeeeee")
    fig.update_annotations(font_size=12)
    return fig


def _span(years: list[int]) -> str:
    return f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])


def _moved(up: list[str], down: list[str]) -> list[str]:
    """'improved significantly for A and B', 'declined significantly for C'."""
    moved = []
    if up:
        moved.append(f"improved significantly for {join_list(up)}")
    if down:
        moved.append(f"declined significantly for {join_list(down)}")
    return moved


def trend(council_trend: CouncilTrend, bands: list[BandLike] | None = None) -> Chart:
    """The council's published score in each area over the survey years, beside its region's and England's.

    ``council_trend`` must have a trend (``has_trend``). Council, region and England differ by
    marker shape and line style as well as shade.
    """
    if not getattr(council_trend, "has_trend", False):
        raise ReportError(f"{council_trend.name} has no previous year to compare with: there is no trend to chart")
    t = council_trend
    lines = [("national", "England", ENGLAND)]
    if t.region:
        lines.insert(0, ("region", t.region, REGION))
    lines.append(("org", t.name, COUNCIL))
    years = sorted(int(y) for y in t.series["year"].unique())
    where = f", {the_region(t.region)} and England" if t.region else " and England"
    fig = _trend_panels(
        t.series, t.areas, lines, title=f"{t.name}{where}: score by standard and area, {_span(years)}",
        bands=bands or t.bands,
    )  # fmt: skip
    return titled(fig, name="trend", alt=trend_alt(t))


def trend_alt(council_trend: CouncilTrend) -> str:
    """Words for the trend chart: what it shows and which changes were significant."""
    t = council_trend
    years = sorted(int(y) for y in t.series["year"].unique())
    where = f", {the_region(t.region)}" if t.region else ""
    changes = t.changes
    up = changes.loc[changes["significance"] == "improved", "area"].map(t.short_title).tolist()
    down = changes.loc[changes["significance"] == "declined", "area"].map(t.short_title).tolist()
    moved = _moved(up, down)
    summary = (
        f"Since {t.previous_year}, {possessive(t.name)} scores " + " and ".join(moved) + "."
        if moved
        else f"None of {possessive(t.name)} scores changed significantly since {t.previous_year}."
    )
    return (
        f"Line charts, one for each of the {areas_phrase(t.areas)}, of the mean score (0-100) of {t.name}{where} "
        f"and England in each survey year from {years[0]} to {years[-1]}. {summary} The table above gives every figure."
    )


def _frame_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """The areas of a national trend frame, in its order."""
    areas = frame.drop_duplicates("area")[["area", "kind", "number", "short_title"]]
    return areas.assign(order=range(len(areas)))


def national_trend(frame: pd.DataFrame, bands: list[BandLike]) -> Chart:
    """England's score in each area over the survey years (``healthcheck.views.trend.national_trend``)."""
    if frame.empty:
        raise ReportError("no national scores to chart")
    series = frame.assign(level="national")
    areas = _frame_areas(frame)
    years = sorted(int(y) for y in frame["year"].unique())
    fig = _trend_panels(series, areas, [("national", "England", ENGLAND)],
                        title=f"England: score by standard and area, {_span(years)}", bands=bands)  # fmt: skip
    return titled(fig, name="england_trend", alt=national_trend_alt(frame))


def national_trend_alt(frame: pd.DataFrame) -> str:
    """Words for the national trend chart."""
    years = sorted(int(y) for y in frame["year"].unique())
    last = frame[frame["year"] == years[-1]]
    up = last.loc[last["significance"] == "improved", "short_title"].tolist()
    down = last.loc[last["significance"] == "declined", "short_title"].tolist()
    moved = _moved(up, down)
    summary = f" In {years[-1]}, scores " + " and ".join(moved) + "." if moved else ""
    return (
        f"Line charts, one for each of the {areas_phrase(_frame_areas(frame))}, of England's mean score (0-100) in each "
        f"survey year from {years[0]} to {years[-1]}.{summary}"
    )


__all__ = ["TREND_COLUMNS", "TREND_LINES", "national_trend", "national_trend_alt", "trend", "trend_alt"]
