"""The council report's charts (plotly), sized for an A4 page and readable in greyscale.

Every chart has a title and labelled axes; the council, its region and England are told apart
by marker shape as well as shade, and the rating bands carry their words. The only
organisation named is the council itself: other organisations appear as unlabelled grey
markers with no hover text, so nothing ties a score to another organisation.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .council import CouncilView, fmt_rho, fmt_score, rating_label, round_half_up
from .errors import ReportError
from .findings import the_region

WIDTH = 900  # px: fits an A4 page at print resolution with margins
FONT = dict(family="Arial, Helvetica, sans-serif", size=12, color="#222222")

# Shapes and shades that stay distinct in greyscale.
COUNCIL = dict(symbol="diamond", size=13, color="#000000", line=dict(color="#000000", width=1))
REGION = dict(symbol="square", size=9, color="#6e6e6e", line=dict(color="#333333", width=1))
ENGLAND = dict(symbol="circle-open", size=10, color="#000000", line=dict(width=2))
OTHERS = dict(symbol="circle", size=5, color="#a6a6a6", opacity=0.55)

# Rating band fills: light, with the band's word written in it.
BAND_FILL = {"Green": "#d9ead3", "Amber": "#fce5b6", "Red": "#f4cccc"}
SHARE_COLOURS = {"agree": "#1f4e79", "neutral": "#d0d0d0", "disagree": "#c55a11"}
SHARE_TEXT = {"agree": "#ffffff", "neutral": "#000000", "disagree": "#ffffff"}
SHARE_LABELS = {"agree": "Agree", "neutral": "Neither agree nor disagree", "disagree": "Disagree"}


def _require_figures(view: CouncilView) -> None:
    if view.suppressed:
        raise ReportError(f"{view.name} has fewer than {view.min_respondents} valid responses: there is nothing to chart")


def _layout(fig: go.Figure, *, title: str, height: int, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        template="simple_white",
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16)),
        width=WIDTH,
        height=height,
        font=FONT,
        margin=dict(l=20, r=30, t=70, b=110),
        # at the foot of the figure, clear of the x-axis title whatever the height
        legend=dict(orientation="h", yref="container", y=0.005, yanchor="bottom", x=0, xanchor="left"),
        hoverlabel=dict(bgcolor="white"),
    )
    fig.update_xaxes(title_text=x_title, showgrid=True, gridcolor="#eeeeee")
    fig.update_yaxes(title_text=y_title)
    return fig


def _area_labels(view: CouncilView) -> pd.DataFrame:
    """Area ids and axis labels ('6. CPD', 'Tensions') in report order."""
    areas = view.areas.sort_values("order")
    labels = [
        f"{int(n)}. {s}" if k == "standard" and not pd.isna(n) else s
        for k, n, s in zip(areas["kind"], areas["number"], areas["short_title"], strict=True)
    ]
    return pd.DataFrame({"area": areas["area"].to_numpy(), "label": labels})


def _band_edges(view: CouncilView) -> list[tuple[str, str, float, float, str]]:
    """(rating, action, from, to, '51–74') on the 0-100 axis.

    The shading's edges sit at .5 because a rating comes from the score rounded to a whole number.
    """
    bands = sorted(view.bands, key=lambda b: b.min)
    edges = []
    for i, band in enumerate(bands):
        last = i == len(bands) - 1
        low = 0.0 if band.min <= 0 else band.min - 0.5
        high = 100.0 if last else bands[i + 1].min - 0.5
        span = f"{band.min:.0f}–{100 if last else bands[i + 1].min - 1:.0f}"
        edges.append((band.rating, band.action, low, high, span))
    return edges


def _add_bands(fig: go.Figure, view: CouncilView) -> None:
    for rating, action, low, high, span in _band_edges(view):
        fig.add_vrect(x0=low, x1=high, fillcolor=BAND_FILL.get(rating, "#eeeeee"), opacity=1, layer="below", line_width=0)
        fig.add_annotation(
            x=(low + high) / 2, y=1.0, yref="paper", yanchor="bottom", showarrow=False, font=dict(size=11),
            text=f"<b>{rating}</b> ({action})<br>{span}",
        )  # fmt: skip


def _hover(label: str, scores: pd.Series, ratings: pd.Series, actions: pd.Series) -> list[str]:
    return [
        f"{label}: {fmt_score(s)} – {rating_label(r, a)}" if not pd.isna(s) else f"{label}: no score"
        for s, r, a in zip(scores, ratings, actions, strict=True)
    ]


# --------------------------------------------------------------------------------------
# 1. council, region and England by area
# --------------------------------------------------------------------------------------
def area_comparison(view: CouncilView) -> go.Figure:
    """The council's score in each of the 13 areas beside its region's and England's, over the rating bands."""
    _require_figures(view)
    table = view.comparison().merge(_area_labels(view), on="area")
    fig = go.Figure()
    _add_bands(fig, view)
    y = table["label"]
    fig.add_trace(
        go.Scatter(
            x=table["england_score"], y=y, mode="markers", name="England", marker=ENGLAND,
            hovertext=_hover("England", table["england_score"], table["england_rating"], table["england_action"]),
            hoverinfo="text",
        )
    )  # fmt: skip
    if view.region:
        fig.add_trace(
            go.Scatter(
                x=table["region_score"], y=y, mode="markers", name=view.region, marker=REGION,
                hovertext=_hover(view.region, table["region_score"], table["region_rating"], table["region_action"]),
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
            hovertext=_hover(view.name, table["score"], table["rating"], table["action"]),
            hoverinfo="text",
        )
    )  # fmt: skip
    where = f" and {the_region(view.region)}" if view.region else ""
    _layout(
        fig,
        title=f"{view.name} compared with England{where}: score by standard and area, {view.year}",
        height=620,
        x_title="Mean score (0 = all strongly disagree, 100 = all strongly agree)",
        y_title="Standard or area",
    )
    fig.update_xaxes(range=[0, 100], dtick=10)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=list(y))
    fig.update_layout(margin=dict(t=110))
    return fig


# --------------------------------------------------------------------------------------
# 2. where the council sits among all organisations
# --------------------------------------------------------------------------------------
def _jitter(count: int) -> np.ndarray:
    """Fixed vertical offsets (no randomness): neighbours in score sit at different heights."""
    return ((np.arange(count) % 7) - 3) * 0.07


def distribution(view: CouncilView, *, by_area: bool = True) -> go.Figure:
    """The council's overall (and each area's) score among every reporting organisation's.

    Other organisations are bare grey markers without names or hover text.
    """
    _require_figures(view)
    rows = [("overall", "Overall score", view.others_overall, view.overall)]
    if by_area:
        own = view.scores.set_index("area")["score"]
        for area, label in _area_labels(view).itertuples(index=False):
            rows.append((area, label, view.others_by_area.get(area, ()), own.get(area, np.nan)))
    xs, ys = [], []
    council_x, council_y, council_text = [], [], []
    for i, (_, _, others, mine) in enumerate(rows):
        values = np.asarray(others, dtype=float)
        xs.extend(values.tolist())
        ys.extend((i + _jitter(len(values))).tolist())
        council_x.append(np.nan if mine is None else float(mine))
        council_y.append(i)
        council_text.append(f"{view.name}: {fmt_score(mine)}" if mine is not None and not pd.isna(mine) else "")
    fig = go.Figure()
    _add_bands(fig, view)
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
    _layout(
        fig,
        title=f"Where {view.name} sits among the {n_orgs} organisations reporting, {view.year}",
        height=260 + 34 * len(rows),
        x_title="Mean score (0-100); each grey dot is one other organisation",
        y_title="Overall score and each standard or area" if by_area else "Overall score",
    )
    fig.update_xaxes(range=[0, 100], dtick=10)
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(rows))),
        ticktext=[label for _, label, _, _ in rows],
        autorange="reversed",
        showgrid=False,
        zeroline=False,
    )
    fig.update_layout(margin=dict(t=110))
    return fig


# --------------------------------------------------------------------------------------
# 3. item-level agreement
# --------------------------------------------------------------------------------------
def short_wording(text: str, width: int = 52) -> str:
    """An item's wording cut at a word boundary to fit an axis label."""
    return textwrap.shorten(str(text), width=width, placeholder="…")


def item_shares(view: CouncilView, area: str | list[str] | None = None) -> go.Figure:
    """Agree / neutral / disagree shares of each item for the council and England, stacked to 100%.

    ``area`` picks one area or a list of areas; None shows every item in one tall chart.
    Items with too small a base for the council are marked '[c]'.
    """
    _require_figures(view)
    items = view.items[view.items["level"].isin(["org", "national"])].copy()
    if area is not None:
        wanted = [area] if isinstance(area, str) else list(area)
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
            f"{w} – {lvl}: {SHARE_LABELS[share].lower()} {round_half_up(v):.0f}% (base {int(b)})" if not pd.isna(v) else ""
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
    marks = [
        (short_wording(w), who[lv]) for w, lv in zip(suppressed["wording"], suppressed["level"], strict=True)
    ]
    if marks:
        fig.add_trace(
            go.Scatter(
                x=[1] * len(marks), y=[[m[0] for m in marks], [m[1] for m in marks]], mode="text",
                text=[f"[c] fewer than {view.min_item_base} answers"] * len(marks), textposition="middle right",
                showlegend=False, hoverinfo="skip",
            )
        )  # fmt: skip
    scope = "every item" if area is None else ", ".join(view.short_title(a) for a in ([area] if isinstance(area, str) else area))
    _layout(
        fig,
        title=f"Agreement with each statement: {view.name} and England, {view.year} ({scope})",
        height=max(320, 160 + 23 * len(items)),
        x_title="Share of those answering (%)",
        y_title="Statement",
    )
    fig.update_layout(barmode="stack", bargap=0.25, margin=dict(l=10), legend_traceorder="normal")
    fig.update_xaxes(range=[0, 100], dtick=20, ticksuffix="%")
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=10))
    return fig


# --------------------------------------------------------------------------------------
# 4. drivers of the wish to stay
# --------------------------------------------------------------------------------------
def drivers(view: CouncilView) -> go.Figure:
    """Spearman's rho of each standard with desire to stay: England with its confidence interval,
    and the council's own where its sample is large enough."""
    _require_figures(view)
    labels = _area_labels(view)
    labels = labels[labels["area"].str.match(r"^s\d$")]
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
    _layout(
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
    return fig


# --------------------------------------------------------------------------------------
# alternative text: what each chart shows, in words, for screen readers and the Word export
# --------------------------------------------------------------------------------------
def _count_by_rating(view: CouncilView) -> str:
    rated = view.rated()
    counts = rated["rating"].value_counts()
    order = [b.rating for b in sorted(view.bands, key=lambda b: -b.min)]
    return ", ".join(f"{int(counts[r])} {r}" for r in order if r in counts.index)


def alt_text(view: CouncilView, chart: str) -> str:
    """A sentence or two describing a chart's content for readers who cannot see it."""
    name = view.name
    if chart == "area_comparison":
        where = f" and {the_region(view.region)}" if view.region else ""
        return (
            f"Dot chart of {name}'s mean score (0-100) in each of the 8 standards and 5 other areas, beside the "
            f"scores of England{where}, drawn over the Red, Amber and Green rating bands. "
            f"{name}'s ratings: {_count_by_rating(view)}. The table above gives every figure."
        )
    if chart == "distribution":
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
            f"one unnamed grey dot each, with {name} marked.{position}"
        )
    if chart == "item_shares":
        return (
            f"Stacked bar chart of the percentage of {name}'s respondents and of England's who agree, neither agree "
            "nor disagree, or disagree with each statement of the survey."
        )
    if chart == "drivers":
        own = "" if view.drivers_own.empty else f", and {name}'s own estimates"
        return (
            "Dot chart of Spearman's rho between each standard and the desire to stay, for England with 95% "
            f"confidence intervals{own}. A higher rho means the standard goes more closely with wanting to stay."
        )
    raise ValueError(f"no chart called {chart!r}")


__all__ = ["WIDTH", "alt_text", "area_comparison", "distribution", "drivers", "item_shares", "short_wording"]
