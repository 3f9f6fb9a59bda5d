"""Change over the survey years (:mod:`healthcheck.scoring.trends`): small multiples, one panel per area.

A council's trend shows it beside its region and England; the national trend shows England.
Each builder returns a :class:`~healthcheck.charts.chart.Chart` with its text description.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from healthcheck.charts.chart import Chart
from healthcheck.charts.style import (
    COUNCIL,
    ENGLAND,
    FONT,
    LEGEND,
    REGION,
    TEXT_SIZE,
    WIDTH,
    BandLike,
    area_labels,
    band_edges,
    band_fill,
)
from healthcheck.errors import ReportError
from healthcheck.reference.areas import areas_phrase, other_codes, standard_codes
from healthcheck.text.numbers import fmt_score
from healthcheck.text.words import join_list, possessive, rating_label, the_region
from healthcheck.views.trend import CouncilTrend

TREND_COLUMNS = 3
#: Line style of each level, so that the lines differ by more than shade.
TREND_LINES = {"org": "solid", "region": "dash", "national": "dot"}


#: px: a panel's plotting area, the room above it for its title (up to three lines) and below it.
PANEL_HEIGHT, PANEL_TITLE, PANEL_FOOT = 130, 52, 34
_TOP, _BOTTOM = 44, 80
_TITLE_CHARS = 24  # a panel title's line at TEXT_SIZE in a third of the page's width


def _panel_title(label: str, changed: list[int] | None) -> str:
    """A panel's title, wrapped to its width, with the years its questions changed (same size: no <sup>)."""
    lines = textwrap.wrap(label, width=_TITLE_CHARS)
    if changed:
        lines.append(f"(questions changed {', '.join(str(y) for y in changed)})")
    return "<br>".join(lines)


def _trend_panels(
    series: pd.DataFrame, areas: pd.DataFrame, lines: list[tuple[str, str, dict]], *, bands: list
) -> go.Figure:
    """Small multiples, one panel per area: a line per (level, legend name, marker) over the years.

    Every panel has the same y range, so that a change of a few points looks the same size
    anywhere; the rating bands shade each panel and are named above the panels. A panel whose
    questions changed in a year says so in its title, as a reminder that its line then joins
    scores on different questions (the table of changes compares like with like).
    """
    labels = area_labels(areas)
    changed = series[series["questions_changed"].astype(bool)].groupby("area")["year"].apply(lambda y: sorted(set(y)))
    titles = [
        _panel_title(label, changed[a] if a in changed.index else None) for a, label in labels.itertuples(index=False)
    ]
    rows = -(-len(labels) // TREND_COLUMNS)
    row_px = PANEL_TITLE + PANEL_HEIGHT + PANEL_FOOT
    plot_px = rows * row_px - PANEL_TITLE - PANEL_FOOT  # the title of the first row sits in the top margin
    height = plot_px + _TOP + PANEL_TITLE + _BOTTOM + PANEL_FOOT
    fig = make_subplots(
        rows=rows, cols=TREND_COLUMNS, subplot_titles=titles, horizontal_spacing=0.09,
        vertical_spacing=(PANEL_TITLE + PANEL_FOOT) / max(plot_px, 1) if rows > 1 else 0.0,
    )  # fmt: skip
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
                 fillcolor=band_fill(rating), opacity=0.7, layer="below", line_width=0)
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
        width=WIDTH,
        height=height,
        font=FONT,
        margin=dict(l=10, r=14, t=_TOP + PANEL_TITLE, b=_BOTTOM + PANEL_FOOT),
        legend=dict(LEGEND, font=dict(size=TEXT_SIZE)),
        hoverlabel=dict(bgcolor="white", font=dict(size=TEXT_SIZE)),
    )  # fmt: skip
    fig.update_xaxes(showgrid=True, gridcolor="#e6e6e6", tickfont=dict(size=TEXT_SIZE), title_font=dict(size=TEXT_SIZE))
    fig.update_yaxes(tickfont=dict(size=TEXT_SIZE), title_font=dict(size=TEXT_SIZE))
    fig.update_annotations(font_size=TEXT_SIZE)
    fig.add_annotation(
        text=f"Shading shows the rating bands:<br>{key}", x=0, xref="paper", xanchor="left", y=1, yref="paper",
        yanchor="bottom", yshift=PANEL_TITLE + 6, showarrow=False, align="left", font=dict(size=TEXT_SIZE),
    )  # fmt: skip
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


def _part_areas(areas: pd.DataFrame, part: str | None) -> pd.DataFrame:
    """The areas of a part of the trend chart: 'standards', 'other areas', or all (None)."""
    if part is None:
        return areas
    codes = {"standards": standard_codes(areas), "other areas": other_codes(areas)}.get(part)
    if codes is None:
        raise ReportError(f"unknown part of the trend chart {part!r}: choose 'standards' or 'other areas'")
    return areas[areas["area"].isin(codes)]


#: The parts of a trend chart, each fitting a page: (part, chart name suffix, words for the title).
TREND_PARTS = (("standards", "standards", "the standards"), ("other areas", "other_areas", "the other areas"))
_PART_NAME = {p: n for p, n, _ in TREND_PARTS}
_PART_WORDS = {p: w for p, _, w in TREND_PARTS}


def trend(council_trend: CouncilTrend, bands: list[BandLike] | None = None, *, part: str | None = None) -> Chart:
    """The council's published score in each area over the survey years, beside its region's and England's.

    ``council_trend`` must have a trend (``has_trend``). Council, region and England differ by
    marker shape and line style as well as shade. ``part`` ('standards' or 'other areas') draws
    only those panels (:func:`trend_charts` shows both, each fitting a page).
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
    areas = _part_areas(t.areas, part)
    fig = _trend_panels(t.series[t.series["area"].isin(areas["area"])], areas, lines, bands=bands or t.bands)
    words = _PART_WORDS.get(part or "", "score by standard and area")
    name = "trend" if part is None else f"trend_{_PART_NAME[part]}"
    title = f"{t.name}{where}: {'score in ' + words if part else words}, {_span(years)}"
    return Chart(fig, name=name, title=title, alt=trend_alt(t, areas if part else None))


def trend_charts(council_trend: CouncilTrend, bands: list[BandLike] | None = None) -> list[Chart]:
    """The trend chart in its two parts (the standards, the other areas), each fitting a page."""
    return [
        trend(council_trend, bands, part=p) for p, _, _ in TREND_PARTS if not _part_areas(council_trend.areas, p).empty
    ]


def trend_alt(council_trend: CouncilTrend, areas: pd.DataFrame | None = None) -> str:
    """Words for the trend chart (or its part of ``areas``): what it shows and which changes were significant."""
    t = council_trend
    shown = t.areas if areas is None else areas
    years = sorted(int(y) for y in t.series["year"].unique())
    where = f", {the_region(t.region)}" if t.region else ""
    changes = t.changes[t.changes["area"].isin(shown["area"])]
    up = changes.loc[changes["significance"] == "improved", "area"].map(t.short_title).tolist()
    down = changes.loc[changes["significance"] == "declined", "area"].map(t.short_title).tolist()
    moved = _moved(up, down)
    summary = (
        f"Since {t.previous_year}, {possessive(t.name)} scores " + " and ".join(moved) + "."
        if moved
        else f"None of {possessive(t.name)} scores changed significantly since {t.previous_year}."
    )
    return (
        f"Line charts, one for each of the {areas_phrase(shown)}, of the mean score (0-100) of {t.name}{where} "
        f"and England in each survey year from {years[0]} to {years[-1]}. {summary} The table of scores by year "
        "that follows gives every figure."
    )


def _frame_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """The areas of a national trend frame, in its order."""
    areas = frame.drop_duplicates("area")[["area", "kind", "number", "short_title"]]
    return areas.assign(order=range(len(areas)))


def national_trend(frame: pd.DataFrame, bands: list[BandLike], *, part: str | None = None) -> Chart:
    """England's score in each area over the survey years (``healthcheck.views.trend.national_trend``);
    ``part`` as for :func:`trend`."""
    if frame.empty:
        raise ReportError("no national scores to chart")
    areas = _part_areas(_frame_areas(frame), part)
    series = frame[frame["area"].isin(areas["area"])].assign(level="national")
    years = sorted(int(y) for y in frame["year"].unique())
    fig = _trend_panels(series, areas, [("national", "England", ENGLAND)], bands=bands)
    words = _PART_WORDS.get(part or "", "score by standard and area")
    name = "england_trend" if part is None else f"england_trend_{_PART_NAME[part]}"
    title = f"England: {'score in ' + words if part else words}, {_span(years)}"
    return Chart(fig, name=name, title=title, alt=national_trend_alt(series))


def national_trend_charts(frame: pd.DataFrame, bands: list[BandLike]) -> list[Chart]:
    """England's trend chart in its two parts (the standards, the other areas), each fitting a page."""
    areas = _frame_areas(frame)
    return [national_trend(frame, bands, part=p) for p, _, _ in TREND_PARTS if not _part_areas(areas, p).empty]


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
        f"survey year from {years[0]} to {years[-1]}.{summary} The table of scores by year that follows gives "
        "every figure."
    )


__all__ = [
    "TREND_COLUMNS", "TREND_LINES", "TREND_PARTS", "national_trend", "national_trend_alt", "national_trend_charts",
    "trend", "trend_alt", "trend_charts",
]  # fmt: skip
