"""The look every report chart shares: page width, fonts, marker shapes, the rating palette and layout.

Charts are drawn at the size they print. :data:`WIDTH` is the A4 text column (17 cm) at 96 px to
the inch, so one pixel prints as 0.75 pt, and every piece of text is at least :data:`TEXT_SIZE`
px (9.75 pt; :data:`MIN_TEXT_SIZE`, 9 pt, is the floor a test checks); no chart is taller than
:data:`MAX_HEIGHT`, the tallest that still prints at the full column width (21 cm). On screen
they fill the page's column and keep those sizes in pixels.

Colours meet WCAG 2.2 AA on white and on the band fills: text 4.5:1 or more (labels on bars
included), markers, lines and bar outlines 3:1 or more. Charts are readable in greyscale: the
council, its region and England differ by marker shape as well as shade, the Disagree bars are
hatched, and the rating bands carry their words. A chart has no title of its own: the caption
(:attr:`~healthcheck.charts.chart.Chart.title`) names it, once, in every document.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from healthcheck.text.numbers import fmt_score
from healthcheck.text.words import rating_label

WIDTH = 640  # px: the A4 text column, 17 cm at 96 px to the inch (1 px prints as 0.75 pt)
#: The tallest a chart may be and still print at the full column width (21 cm at 0.75 pt a pixel).
MAX_HEIGHT = 790
#: The size of every piece of chart text, in px (9.75 pt in print).
TEXT_SIZE = 13
#: No chart text is smaller than this in print (pt); tests check every chart against it.
MIN_TEXT_PT = 9.0
TEXT_COLOUR = "#1a1a1a"
FONT = dict(family="Arial, 'Liberation Sans', Helvetica, sans-serif", size=TEXT_SIZE, color=TEXT_COLOUR)
#: The legend at the foot of the figure, clear of the x-axis title whatever the height.
LEGEND = dict(orientation="h", yref="container", y=0.005, yanchor="bottom", x=0, xanchor="left")

# Shapes and shades that stay distinct in greyscale.
COUNCIL = dict(symbol="diamond", size=13, color="#000000", line=dict(color="#000000", width=1))
REGION = dict(symbol="square", size=9, color="#6e6e6e", line=dict(color="#333333", width=1))
ENGLAND = dict(symbol="circle-open", size=10, color="#000000", line=dict(width=2))
# the other organisations: small, but dark enough for 3:1 on every band fill (#595959: 4.8:1 on red)
OTHERS = dict(symbol="circle", size=5, color="#595959", line=dict(color="#ffffff", width=0.5))
MEDIAN = dict(symbol="line-ns-open", size=18, color="#000000", line=dict(color="#000000", width=3))

#: The rating bands' fills (light, with the band's word written over them), in every chart.
BAND_FILL = {"Green": "#d9ead3", "Amber": "#fce5b6", "Red": "#f4cccc"}
#: The fill of a band whose rating has no colour here.
NO_BAND_FILL = "#eeeeee"
# Agree dark, Neither light, Disagree mid-tone and hatched: apart in greyscale too. Labels on
# them: white on blue 8.7:1, black on grey 14.9:1, black on orange 7.1:1 (white hatching under
# black text only raises that); every segment is outlined in near-black, so that each meets
# 3:1 against its neighbours and the page.
SHARE_COLOURS = {"agree": "#1f4e79", "neutral": "#d9d9d9", "disagree": "#e07b39"}
SHARE_TEXT = {"agree": "#ffffff", "neutral": "#000000", "disagree": "#000000"}
SHARE_OUTLINE = "#1a1a1a"
SHARE_LABELS = {"agree": "Agree", "neutral": "Neither agree nor disagree", "disagree": "Disagree"}


class BandLike(Protocol):
    """A rating band as the charts read it (:class:`healthcheck.params.Band` is one)."""

    rating: str
    action: str
    min: float


def band_fill(rating: str) -> str:
    """The fill colour of a rating band."""
    return BAND_FILL.get(rating, NO_BAND_FILL)


def layout(fig: go.Figure, *, height: int, x_title: str, y_title: str) -> go.Figure:
    """The shared layout: white template, the page width, one text size, legend at the foot, no title
    (the caption is the title)."""
    fig.update_layout(
        template="simple_white",
        width=WIDTH,
        height=int(height),
        font=FONT,
        margin=dict(l=10, r=20, t=30, b=110),
        legend=dict(LEGEND, font=dict(size=TEXT_SIZE)),
        hoverlabel=dict(bgcolor="white", font=dict(size=TEXT_SIZE)),
    )
    fig.update_xaxes(title_text=x_title, showgrid=True, gridcolor="#e6e6e6", tickfont=dict(size=TEXT_SIZE),
                     title_font=dict(size=TEXT_SIZE))  # fmt: skip
    fig.update_yaxes(title_text=y_title, tickfont=dict(size=TEXT_SIZE), title_font=dict(size=TEXT_SIZE))
    return fig


def area_labels(areas: pd.DataFrame) -> pd.DataFrame:
    """Area ids and axis labels ('6. CPD', 'Tensions'), in report order when the table has one."""
    areas = areas.sort_values("order") if "order" in areas else areas
    labels = [
        f"{int(n)}. {s}" if k == "standard" and not pd.isna(n) else s
        for k, n, s in zip(areas["kind"], areas["number"], areas["short_title"], strict=True)
    ]
    return pd.DataFrame({"area": areas["area"].to_numpy(), "label": labels})


def band_edges(bands: Iterable[BandLike]) -> list[tuple[str, str, float, float, str]]:
    """(rating, action, from, to, '51–74') of each band on the 0-100 axis, lowest band first.

    The shading's edges sit at .5 because a rating comes from the score rounded to a whole number.
    """
    ordered = sorted(bands, key=lambda b: b.min)
    edges = []
    for i, band in enumerate(ordered):
        last = i == len(ordered) - 1
        low = 0.0 if band.min <= 0 else band.min - 0.5
        high = 100.0 if last else ordered[i + 1].min - 0.5
        span = f"{band.min:.0f}–{100 if last else ordered[i + 1].min - 1:.0f}"
        edges.append((band.rating, band.action, low, high, span))
    return edges


def add_bands(fig: go.Figure, bands: Iterable[BandLike]) -> None:
    """Shade the rating bands across the x axis, each with its word, action and span above it."""
    for rating, action, low, high, span in band_edges(bands):
        fig.add_vrect(x0=low, x1=high, fillcolor=band_fill(rating), opacity=1, layer="below", line_width=0)
        fig.add_annotation(
            x=(low + high) / 2, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
            font=dict(size=TEXT_SIZE, color=TEXT_COLOUR), text=f"<b>{rating}</b><br>({action})<br>{span}",
        )  # fmt: skip


def hover_text(label: str, scores: pd.Series, ratings: pd.Series, actions: pd.Series) -> list[str]:
    """'Halton: 66 – Amber (monitor)' for each score ('Halton: no score' where there is none)."""
    return [
        f"{label}: {fmt_score(s)} – {rating_label(r, a)}" if not pd.isna(s) else f"{label}: no score"
        for s, r, a in zip(scores, ratings, actions, strict=True)
    ]


def jitter(count: int) -> np.ndarray:
    """Fixed vertical offsets (no randomness): neighbours in score sit at different heights."""
    return ((np.arange(count) % 7) - 3) * 0.07


def strip_axes(fig: go.Figure, labels: list[str]) -> None:
    """A 0-100 x axis and one row per label, top to bottom (strip and dot charts by area)."""
    fig.update_xaxes(range=[0, 100], dtick=10)
    fig.update_yaxes(
        tickmode="array", tickvals=list(range(len(labels))), ticktext=labels, autorange="reversed",
        showgrid=False, zeroline=False,
    )  # fmt: skip
    fig.update_layout(margin=dict(t=70))


__all__ = [
    "BAND_FILL",
    "COUNCIL",
    "ENGLAND",
    "FONT",
    "LEGEND",
    "MAX_HEIGHT",
    "MEDIAN",
    "MIN_TEXT_PT",
    "NO_BAND_FILL",
    "OTHERS",
    "REGION",
    "SHARE_COLOURS",
    "SHARE_LABELS",
    "SHARE_OUTLINE",
    "SHARE_TEXT",
    "TEXT_COLOUR",
    "TEXT_SIZE",
    "WIDTH",
    "add_bands",
    "area_labels",
    "band_edges",
    "band_fill",
    "hover_text",
    "jitter",
    "layout",
    "strip_axes",
]
