"""The statement-by-statement chart: agree / neither / disagree for the council and England, in parts.

Each statement's full wording is written above its two bars (the council's, then England's),
wrapped to the chart's width rather than cut short, so nothing is lost to an ellipsis. The
statements come in parts (:func:`item_groups`), whole areas each, so that every part prints at
full width on one A4 page (:data:`~healthcheck.charts.style.MAX_HEIGHT`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from healthcheck.charts.chart import Chart
from healthcheck.charts.style import (
    LEGEND,
    MAX_HEIGHT,
    SHARE_COLOURS,
    SHARE_LABELS,
    SHARE_OUTLINE,
    SHARE_TEXT,
    TEXT_SIZE,
    WIDTH,
    layout,
)
from healthcheck.errors import ReportError
from healthcheck.reference.areas import other_codes, standard_codes
from healthcheck.text.numbers import round_half_up
from healthcheck.text.words import join_list
from healthcheck.views.council import CouncilView

ROW = 25  # px: one bar's row (a 13 px label needs a bar about 20 px thick)
LINE = 17  # px: one line of a statement's wording
AREA_HEAD = 26  # px: an area's name above its statements
GAP = 9  # px: after each statement's two bars
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_RIGHT = 8, 96, 24
CHAR_PX = 6.9  # the mean width of a character at TEXT_SIZE px in Arial, a little generous
#: The room the parts' wording may take, for a council with a short name.
DEFAULT_LABEL_PX = 70


def short_wording(text: str, width: int = 52) -> str:
    """An item's wording cut at a word boundary (kept for short labels; the chart shows the whole wording)."""
    return textwrap.shorten(str(text), width=width, placeholder="…")


def label_px(name: str) -> int:
    """The left margin that holds the longer of the council's name and 'England' on one line."""
    return int(min(max(len(name), len("England")) * CHAR_PX + 14, 260))


def wrap_width(left: int) -> int:
    """Characters a line of wording holds beside a left margin of ``left`` px."""
    return max(30, int((WIDTH - left - MARGIN_RIGHT) / CHAR_PX))


def wording_lines(text: str, width: int) -> list[str]:
    """A statement's wording over as many lines as it needs, never cut."""
    return textwrap.wrap(" ".join(str(text).split()), width=width) or [""]


def statement_height(text: str, width: int) -> int:
    """The height in px of one statement: its wording, then the council's and England's bars."""
    return len(wording_lines(text, width)) * LINE + 2 * ROW + GAP


def part_height(wordings: Mapping[str, Sequence[str]], width: int) -> int:
    """The chart's height for these areas' statements (an area heading each when there are several)."""
    heads = AREA_HEAD * len(wordings) if len(wordings) > 1 else 0
    body = sum(statement_height(w, width) for words in wordings.values() for w in words)
    return heads + body + MARGIN_TOP + MARGIN_BOTTOM


def _pack(areas: list[str], wordings: Mapping[str, Sequence[str]], width: int) -> list[list[str]]:
    """Consecutive areas in parts no taller than MAX_HEIGHT, about equal in height."""
    areas = [a for a in areas if wordings.get(a)]
    if not areas:
        return []
    total = part_height({a: wordings[a] for a in areas}, width)
    parts = max(1, math.ceil(total / MAX_HEIGHT))
    target = total / parts
    out: list[list[str]] = [[]]
    for area in areas:
        trial = out[-1] + [area]
        height = part_height({a: wordings[a] for a in trial}, width)
        if out[-1] and (height > MAX_HEIGHT or height - target > target - part_height(
                {a: wordings[a] for a in out[-1]}, width)):  # fmt: skip
            out.append([area])
        else:
            out[-1] = trial
    return out


def _numbers(areas: pd.DataFrame, chunk: list[str]) -> list[int]:
    table = areas.set_index("area")
    return [int(table.loc[a, "number"]) for a in chunk]


def item_groups(
    areas: pd.DataFrame, wordings: Mapping[str, Sequence[str]], *, width: int | None = None
) -> list[tuple[str, str, list[str]]]:
    """The parts of the statement chart: (chart name, how a title names the part, its areas).

    ``wordings`` gives each area's statements. Standards and other areas are kept apart, each
    in consecutive whole areas packed into parts that fit a page (``width``: characters of
    wording to a line). A part of standards is named by their numbers ('Standards 1 and 2',
    'Standards 3 to 5', 'Standard 8'), one of other areas by their short titles.
    """
    width = width or wrap_width(DEFAULT_LABEL_PX)
    ordered = areas.sort_values("order")
    codes = ordered["area"].tolist()
    standards = [a for a in codes if a in set(standard_codes(areas))]
    others = [a for a in codes if a in set(other_codes(areas))]
    short = ordered.set_index("area")["short_title"]
    parts: list[tuple[str, str, list[str]]] = []
    for chunk in _pack(standards, wordings, width):
        numbers = _numbers(areas, chunk)
        first, last = numbers[0], numbers[-1]
        if len(chunk) == 1:
            parts.append((f"item_shares_standard_{first}", f"Standard {first}", chunk))
        else:
            link = "and" if len(chunk) == 2 else "to"
            parts.append((f"item_shares_standards_{first}_{last}", f"Standards {first} {link} {last}", chunk))
    packed_others = _pack(others, wordings, width)
    for chunk in packed_others:
        if len(packed_others) == 1 and len(chunk) == len([a for a in others if wordings.get(a)]) and len(chunk) > 2:
            parts.append(("item_shares_other_areas", "the other areas", chunk))
        else:
            parts.append((f"item_shares_{'_'.join(chunk)}"[:60], join_list([str(short[a]) for a in chunk]), chunk))
    return parts


def _shown_items(view: CouncilView, areas: list[str] | None = None) -> pd.DataFrame:
    items = view.items[view.items["level"].isin(["org", "national"])].copy()
    if areas is not None:
        items = items[items["area"].isin(areas)]
    order = {item: i for i, item in enumerate(view.codebook["item"])}
    items["_o"] = items["item"].map(order)
    items["_l"] = items["level"].map({"org": 0, "national": 1})
    return items.sort_values(["_o", "_l"]).drop(columns=["_o", "_l"]).reset_index(drop=True)


def view_wordings(view: CouncilView) -> dict[str, list[str]]:
    """Each area's statements that the view has shares for, in codebook order."""
    items = _shown_items(view).drop_duplicates("item")
    return {a: items.loc[items["area"] == a, "wording"].astype(str).tolist() for a in items["area"].unique()}


def item_share_groups(view: CouncilView) -> list[tuple[str, list[str]]]:
    """The parts of the statement chart that have statements for this view: (chart name, areas)."""
    width = wrap_width(label_px(view.name))
    return [(name, areas) for name, _, areas in item_groups(view.areas, view_wordings(view), width=width)]


def _wanted(area: str | list[str] | None) -> list[str] | None:
    return None if area is None else ([area] if isinstance(area, str) else list(area))


def _part(view: CouncilView, areas: list[str]) -> tuple[str, str] | None:
    """(name, title words) of the part of the statement chart holding exactly ``areas``."""
    width = wrap_width(label_px(view.name))
    for name, words, group in item_groups(view.areas, view_wordings(view), width=width):
        if set(areas) == set(group):
            return name, words
    return None


def _scope(view: CouncilView, areas: list[str] | None) -> tuple[str, str]:
    """(chart name, the words for the title) of the statements of ``areas`` (None: every statement)."""
    if areas is None:
        return "item_shares", "every statement"
    part = _part(view, areas)
    if part is not None and len(areas) > 1:
        return part
    name = part[0] if part is not None else f"item_shares_{'_'.join(areas)}"[:60]
    return name, join_list([view.short_title(a) for a in areas])


def _layout_rows(view: CouncilView, items: pd.DataFrame, width: int) -> tuple[list[dict], list[float], int]:
    """Annotations (area headings, wordings), each bar's centre (px from the top) and the plot's height."""
    notes: list[dict] = []
    centres: list[float] = []
    y = 0.0
    several = items["area"].nunique() > 1
    for area, rows in items.groupby("area", sort=False):
        if several:
            notes.append(dict(text=f"<b>{view.title(area)}</b>", y=y, size=TEXT_SIZE))
            y += AREA_HEAD
        for _, pair in rows.groupby("item", sort=False):
            lines = wording_lines(pair["wording"].iloc[0], width)
            notes.append(dict(text="<br>".join(lines), y=y, size=TEXT_SIZE))
            y += LINE * len(lines)
            for _ in range(len(pair)):
                centres.append(y + ROW / 2)
                y += ROW
            y += GAP
    return notes, centres, math.ceil(y)


def item_shares(view: CouncilView, area: str | list[str] | None = None) -> Chart:
    """Agree / neither / disagree shares of each statement for the council and England, stacked to 100%.

    ``area`` picks one area or a list of areas; None shows every statement in one tall chart.
    Statements with too small a base for the council are marked '[c]'. The chart is named for
    the part of the statement chart it is (:func:`item_groups`).
    """
    if view.suppressed:
        raise ReportError(
            f"{view.name} has fewer than {view.min_respondents} valid responses: there is nothing to chart"
        )
    wanted = _wanted(area)
    items = _shown_items(view, wanted)
    if items.empty:
        raise ReportError(f"no item shares for {view.name} in {area!r}")
    who = {"org": view.name, "national": "England"}
    left = label_px(view.name)
    notes, centres, plot_height = _layout_rows(view, items, wrap_width(left))
    labels = [who[lv] for lv in items["level"]]
    fig = go.Figure()
    for share in ("agree", "neutral", "disagree"):
        values = items[share].astype(float)
        fig.add_trace(
            go.Bar(
                x=values, y=centres, orientation="h", name=SHARE_LABELS[share], width=ROW * 0.84,
                marker=dict(
                    color=SHARE_COLOURS[share], line=dict(color=SHARE_OUTLINE, width=0.75),
                    pattern=dict(shape="/" if share == "disagree" else "", fgcolor="#ffffff", size=7, solidity=0.15),
                ),
                text=[f"{round_half_up(v):.0f}%" if not pd.isna(v) else "" for v in values],
                textposition="inside", insidetextanchor="middle",
                textfont=dict(color=SHARE_TEXT[share], size=TEXT_SIZE),
                hovertext=[
                    f"{w} – {lvl}: {SHARE_LABELS[share].lower()} {round_half_up(v):.0f}% (base {int(b)})"
                    if not pd.isna(v) else ""
                    for w, lvl, v, b in zip(items["wording"], labels, values, items["base"].fillna(0), strict=True)
                ],
                hoverinfo="text",
            )
        )  # fmt: skip
    hidden = items["agree"].isna().to_numpy()
    if hidden.any():
        fig.add_trace(
            go.Scatter(
                x=[1] * int(hidden.sum()), y=[c for c, h in zip(centres, hidden, strict=True) if h], mode="text",
                text=[f"[c] fewer than {view.min_item_base} answers"] * int(hidden.sum()),
                textposition="middle right", textfont=dict(size=TEXT_SIZE), showlegend=False, hoverinfo="skip",
            )
        )  # fmt: skip
    name, scope = _scope(view, wanted)
    layout(
        fig,
        height=plot_height + MARGIN_TOP + MARGIN_BOTTOM,
        x_title="Share of those answering (%)",
        y_title="",
    )
    fig.update_layout(
        barmode="stack", margin=dict(l=left, r=MARGIN_RIGHT, t=MARGIN_TOP, b=MARGIN_BOTTOM),
        legend=dict(LEGEND, traceorder="normal", font=dict(size=TEXT_SIZE)),
        uniformtext=dict(minsize=TEXT_SIZE, mode="hide"),  # a label that does not fit is left off, never shrunk
        annotations=[
            dict(text=n["text"], x=0, xref="paper", xanchor="left", y=n["y"], yref="y", yanchor="top",
                 align="left", showarrow=False, font=dict(size=n["size"]))
            for n in notes
        ],
    )  # fmt: skip
    fig.update_xaxes(range=[0, 100], dtick=20, ticksuffix="%")
    fig.update_yaxes(
        range=[plot_height, 0], tickmode="array", tickvals=centres, ticktext=labels, showgrid=False,
        zeroline=False, showline=False, ticks="",
    )  # fmt: skip
    title = f"Agreement with each statement: {view.name} and England, {view.year} ({scope})"
    return Chart(figure=fig, name=name, title=title, alt=item_shares_alt(view, wanted))


def item_share_charts(view: CouncilView) -> list[Chart]:
    """The statement-by-statement chart in its parts (:func:`item_share_groups`), each fitting a page."""
    return [item_shares(view, areas) for _, areas in item_share_groups(view)]


def item_shares_alt(view: CouncilView, areas: list[str] | None = None) -> str:
    """The statement chart (or a part of it, ``areas``) in words."""
    topics = join_list([view.short_title(a) for a in areas]) if areas else ""
    which = f"each statement on {topics}" if topics else "each statement of the survey"
    return (
        f"Stacked bar chart of the percentage of {view.name}'s respondents and of England's who agree, neither agree "
        f"nor disagree, or disagree with {which}. The table of statements that follows gives every figure, with "
        "each statement's full wording and base."
    )


__all__ = [
    "item_groups", "item_share_charts", "item_share_groups", "item_shares", "item_shares_alt", "label_px",
    "part_height", "short_wording", "statement_height", "view_wordings", "wording_lines", "wrap_width",
]  # fmt: skip
