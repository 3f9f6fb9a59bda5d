"""The council report's charts (plotly), sized for an A4 page and readable in greyscale.

Every chart has a title and labelled axes; the council, its region and England are told apart
by marker shape as well as shade, and the rating bands carry their words. The only
organisation named is the council itself: other organisations appear as unlabelled grey
markers with no hover text, so nothing ties a score to another organisation.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from healthcheck.text.numbers import fmt_rho, fmt_score, round_half_up
from healthcheck.text.words import rating_label
from healthcheck.views.council import CouncilView
from healthcheck.errors import ReportError
from healthcheck.findings.council import join_list, the_region

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


#: The statement-by-statement chart in three parts, so that each fits a page at a readable size.
ITEM_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("item_shares_standards_1_4", ("s1", "s2", "s3", "s4")),
    ("item_shares_standards_5_8", ("s5", "s6", "s7", "s8")),
    ("item_shares_other_areas", ("covid", "contribution", "tensions", "satisfaction", "stay")),
)
#: How a chart title names a part of more than two areas (a list of them would not fit).
ITEM_GROUP_TITLES = {
    "item_shares_standards_1_4": "Standards 1 to 4",
    "item_shares_standards_5_8": "Standards 5 to 8",
    "item_shares_other_areas": "the other areas",
}


def item_share_groups(view: CouncilView) -> list[tuple[str, list[str]]]:
    """The parts of the statement chart that have statements for this view: (chart name, areas)."""
    present = set(view.items.loc[view.items["level"].isin(["org", "national"]), "area"])
    return [(name, [a for a in areas if a in present]) for name, areas in ITEM_GROUPS if present & set(areas)]


def _item_scope(view: CouncilView, areas: list[str]) -> str:
    """'Wellbeing', 'Supervision, CPD', or a part's name ('Standards 1 to 4') for more than two areas."""
    if len(areas) > 2:
        for name, group in ITEM_GROUPS:
            if set(areas) <= set(group):
                return ITEM_GROUP_TITLES[name]
    return ", ".join(view.short_title(a) for a in areas)


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
    scope = "every item" if area is None else _item_scope(view, [area] if isinstance(area, str) else list(area))
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


def alt_text(view: CouncilView, chart: str, areas: Sequence[str] | None = None) -> str:
    """A sentence or two describing a chart's content for readers who cannot see it.

    ``areas`` names the areas a part of the statement chart shows (:func:`item_share_groups`).
    """
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
        topics = join_list([view.short_title(a) for a in areas]) if areas else ""
        which = f"each statement on {topics}" if topics else "each statement of the survey"
        return (
            f"Stacked bar chart of the percentage of {name}'s respondents and of England's who agree, neither agree "
            f"nor disagree, or disagree with {which}."
        )
    if chart == "drivers":
        own = "" if view.drivers_own.empty else f", and {name}'s own estimates"
        return (
            "Dot chart of Spearman's rho between each standard and the desire to stay, for England with 95% "
            f"confidence intervals{own}. A higher rho means the standard goes more closely with wanting to stay."
        )
    raise ValueError(f"no chart called {chart!r}")


__all__ = [
    "ITEM_GROUPS", "WIDTH", "alt_text", "area_comparison", "distribution", "drivers", "item_share_groups",
    "item_shares", "short_wording",
]  # fmt: skip


# --------------------------------------------------------------------------------------
# national and regional reports of the worker survey (healthcheck.views.national, .regional)
# --------------------------------------------------------------------------------------
# These take a NationalView or RegionalView (imported for annotations only). No organisation is
# ever named: organisations are bare grey markers with no hover text and no data labels, whether
# or not they agreed to be named.
from typing import TYPE_CHECKING  # noqa: E402 - kept with the section that uses it

from healthcheck.findings.council import in_region  # noqa: E402

if TYPE_CHECKING:  # annotations only: national.py and regional.py do not import charts
    from healthcheck.views.national import NationalView
    from healthcheck.views.regional import RegionalView

MEDIAN = dict(symbol="line-ns-open", size=18, color="#000000", line=dict(color="#000000", width=3))
RATING_SHADE = {"Green": "#d9ead3", "Amber": "#fce5b6", "Red": "#f4cccc"}


def _strip_rows(view: NationalView, values: dict[str, tuple[float, ...]]) -> tuple[list[float], list[float], list[str]]:
    """x, y (jittered row positions) of unlabelled values per area, and the row labels."""
    labels = _area_labels(view)
    xs: list[float] = []
    ys: list[float] = []
    for i, area in enumerate(labels["area"]):
        vals = np.asarray(values.get(area, ()), dtype=float)
        xs.extend(vals.tolist())
        ys.extend((i + _jitter(len(vals))).tolist())
    return xs, ys, labels["label"].tolist()


def _pooled_trace(view: NationalView, frame: pd.DataFrame, who: str, marker: dict, *, error: bool, offset: float = 0.0) -> go.Scatter:
    """A pooled score per area (England or a region), with its interval when ``error``; ``offset`` moves
    it up or down its row so that two markers at the same score stay apart."""
    labels = _area_labels(view)
    table = labels.merge(frame, on="area", how="left")
    extra = {}
    if error:
        extra["error_x"] = dict(
            type="data", array=(table["ci_high"] - table["score"]).astype(float),
            arrayminus=(table["score"] - table["ci_low"]).astype(float), color="#333333", thickness=1.2, width=4,
        )  # fmt: skip
    return go.Scatter(
        x=table["score"].astype(float), y=[i + offset for i in range(len(table))], mode="markers", name=who, marker=marker,
        hovertext=_hover(who, table["score"], table["rating"], table["action"]), hoverinfo="text", **extra,
    )  # fmt: skip


def _strip_chart(view: NationalView, values: dict[str, tuple[float, ...]]) -> tuple[go.Figure, list[str]]:
    """A strip chart's start: the rating bands and each organisation's score as an unnamed grey dot."""
    xs, ys, labels = _strip_rows(view, values)
    fig = go.Figure()
    _add_bands(fig, view)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name="One organisation (not named)", marker=OTHERS, hoverinfo="skip"))
    return fig, labels


def _finish_strip(fig: go.Figure, labels: list[str], title: str) -> go.Figure:
    """Title, axis titles and one row per area, from 0 to 100."""
    _layout(
        fig,
        title=title,
        height=260 + 34 * len(labels),
        x_title="Mean score (0-100); each grey dot is one organisation",
        y_title="Standard or area",
    )
    _strip_axes(fig, labels)
    return fig


def _strip_axes(fig: go.Figure, labels: list[str]) -> None:
    fig.update_xaxes(range=[0, 100], dtick=10)
    fig.update_yaxes(
        tickmode="array", tickvals=list(range(len(labels))), ticktext=labels, autorange="reversed",
        showgrid=False, zeroline=False,
    )  # fmt: skip
    fig.update_layout(margin=dict(t=110))


def national_distribution(view: NationalView) -> go.Figure:
    """Every reporting organisation's score in each area (unnamed grey dots), the median organisation
    and England's pooled score, over the rating bands."""
    rep = view.reporting()
    values = {a: tuple(sorted(rep.loc[rep["area"] == a, "score"].dropna().astype(float))) for a in _area_labels(view)["area"]}
    fig, labels = _strip_chart(view, values)
    nat = view.bench("national", "England")
    med = _area_labels(view).merge(nat, on="area", how="left")
    fig.add_trace(
        go.Scatter(
            x=med["median"].astype(float), y=list(range(len(med))), mode="markers", name="Median organisation",
            marker=MEDIAN, hovertext=[f"Median organisation: {fmt_score(v)}" for v in med["median"]], hoverinfo="text",
        )
    )  # fmt: skip
    fig.add_trace(_pooled_trace(view, nat, "England (all respondents pooled)", ENGLAND, error=False))
    n_orgs = len(set(rep["org_code"]))
    title = f"How organisations' scores vary: the {n_orgs} organisations reporting, by standard and area, {view.year}"
    return _finish_strip(fig, labels, title)


def _region_tick(region: str) -> str:
    """A region's name over two lines when long ('Yorkshire and<br>The Humber')."""
    return textwrap.fill(region, width=12).replace("\n", "<br>")


def regional_heatmap(view: NationalView) -> go.Figure:
    """Each region's pooled score in each area, written in its cell with the rating word.

    The cell's shade repeats the rating (light green, amber, red); the words make it readable
    in greyscale and to a screen reader.
    """
    from healthcheck.views.national import region_groups

    labels = _area_labels(view)
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
            hr.append(f"{group} – {label}: {fmt_score(score)}, {rating_label(rating, action)}" if ok else f"{group} – {label}: no score")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    # a stepped colour scale: each rating's code maps onto one flat colour
    steps = []
    for i, rating in enumerate(order):
        colour = RATING_SHADE.get(rating, "#eeeeee")
        steps += [[i / len(order), colour], [(i + 1) / len(order), colour]]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[_region_tick(g) for _, g in groups], y=labels["label"].tolist(), zmin=-0.5, zmax=len(order) - 0.5,
            colorscale=steps, showscale=False, text=text, texttemplate="%{text}", textfont=dict(size=10, color="#000000"),
            hovertext=hover, hoverinfo="text", xgap=2, ygap=2,
        )
    )  # fmt: skip
    _layout(
        fig,
        title=f"Each region's pooled score and rating by standard and area, with England, {view.year}",
        height=200 + 40 * len(labels),
        x_title="",
        y_title="",
    )
    fig.update_xaxes(side="top", showgrid=False, tickfont=dict(size=10))
    fig.update_yaxes(autorange="reversed", showgrid=False, tickfont=dict(size=11))
    fig.update_layout(showlegend=False, margin=dict(t=130, b=30))
    return fig


def region_comparison(view: RegionalView) -> go.Figure:
    """The region's pooled score in each area, with its interval, beside England's, over the rating bands."""
    nat_view = view.national
    reg = nat_view.bench("region", view.region)
    nat = nat_view.bench("national", "England")
    labels = _area_labels(nat_view)["label"].tolist()
    fig = go.Figure()
    _add_bands(fig, nat_view)
    fig.add_trace(_pooled_trace(nat_view, nat, "England", ENGLAND, error=False, offset=-0.16))
    fig.add_trace(
        _pooled_trace(nat_view, reg, f"{view.region} (with {nat_view.confidence:.0%} confidence interval)", REGION,
                      error=True, offset=0.16)
    )  # fmt: skip
    where = the_region(view.region)
    _layout(
        fig,
        title=f"{where[:1].upper() + where[1:]} compared with England: pooled score by standard and area, {view.year}",
        height=620,
        x_title="Mean score (0 = all strongly disagree, 100 = all strongly agree)",
        y_title="Standard or area",
    )
    _strip_axes(fig, labels)
    return fig


def region_distribution(view: RegionalView) -> go.Figure:
    """The region's organisations' scores in each area as unnamed grey dots, with the region's and
    England's pooled scores; ReportError when the spread may not be shown (``regional.spread_shown``)."""
    from healthcheck.views.regional import spread_shown, unlabelled_scores

    shown, reason = spread_shown(view)
    if not shown:
        raise ReportError(reason)
    nat_view = view.national
    fig, labels = _strip_chart(nat_view, unlabelled_scores(view))
    fig.add_trace(_pooled_trace(nat_view, nat_view.bench("national", "England"), "England", ENGLAND, error=False))
    fig.add_trace(_pooled_trace(nat_view, nat_view.bench("region", view.region), f"{view.region} (pooled)", REGION, error=False))
    n_orgs = len(view.reporting_codes())
    return _finish_strip(fig, labels, f"How scores vary among the {n_orgs} organisations reporting {in_region(view.region)}, {view.year}")


def _rating_count_words(bench: pd.DataFrame, bands: list) -> str:
    counts = bench["rating"].dropna().value_counts()
    order = [b.rating for b in sorted(bands, key=lambda b: -b.min)]
    return ", ".join(f"{int(counts[r])} {r}" for r in order if r in counts.index)


def national_alt_text(view: NationalView, chart: str) -> str:
    """A text description of a national report chart."""
    if chart == "national_distribution":
        nat = view.bench("national", "England")
        n_orgs = len(set(view.reporting()["org_code"]))
        return (
            f"Strip chart of the score of each of the {n_orgs} reporting organisations in each of the 8 standards and "
            "5 other areas, one unnamed grey dot per organisation, with the median organisation and England's pooled "
            f"score marked, over the Red, Amber and Green rating bands. England's ratings: {_rating_count_words(nat, view.bands)}. "
            "The table above gives the lowest, quartiles and highest of each area."
        )
    if chart == "regional_heatmap":
        return (
            "Grid of the pooled score and rating of England and of each English region (columns) in each standard "
            "and area (rows); each cell shows the score and the rating word, shaded by rating. The tables above give "
            "every figure."
        )
    raise ValueError(f"no national chart called {chart!r}")


def regional_alt_text(view: RegionalView, chart: str) -> str:
    """A text description of a regional report chart."""
    nat_view = view.national
    reg = nat_view.bench("region", view.region)
    if chart == "region_comparison":
        from healthcheck.views.regional import comparison

        comp = comparison(view)
        above, below = int((comp["significance"] == "above").sum()), int((comp["significance"] == "below").sum())
        return (
            f"Dot chart of {the_region(view.region)}'s pooled score (0-100) in each of the 8 standards and 5 other areas, "
            f"with its {nat_view.confidence:.0%} confidence interval, beside England's, over the Red, Amber and Green "
            f"rating bands. The region's ratings: {_rating_count_words(reg, nat_view.bands)}. It is significantly above "
            f"the rest of England in {above} areas and below in {below}. The table above gives every figure."
        )
    if chart == "region_distribution":
        return (
            f"Strip chart of the score of each of the {len(view.reporting_codes())} reporting organisations "
            f"{in_region(view.region)} in each standard and area, one unnamed grey dot per organisation, with "
            "the region's and England's pooled scores marked, over the rating bands."
        )
    raise ValueError(f"no regional chart called {chart!r}")


__all__ += [
    "national_alt_text",
    "national_distribution",
    "region_comparison",
    "region_distribution",
    "regional_alt_text",
    "regional_heatmap",
]


# --------------------------------------------------------------------------------------
# 5. change over the survey years (healthcheck.scoring.trends)
# --------------------------------------------------------------------------------------
_TREND_COLS = 3
_TREND_LINES = {"org": "solid", "region": "dash", "national": "dot"}


def _panel_labels(areas: pd.DataFrame) -> pd.DataFrame:
    """Area ids and panel titles ('4. Wellbeing', 'Tensions') in report order."""
    areas = areas.sort_values("order") if "order" in areas else areas
    labels = [
        f"{int(n)}. {s}" if k == "standard" and not pd.isna(n) else s
        for k, n, s in zip(areas["kind"], areas["number"], areas["short_title"], strict=True)
    ]
    return pd.DataFrame({"area": areas["area"].to_numpy(), "label": labels})


def _trend_panels(
    series: pd.DataFrame, areas: pd.DataFrame, lines: list[tuple[str, str, dict]], *, title: str, bands: list
) -> go.Figure:
    """Small multiples, one panel per area: a line per (level, legend name, marker) over the years.

    Every panel has the same y range, so that a change of a few points looks the same size
    anywhere; the rating bands shade each panel and are named in the subtitle. A panel whose
    questions changed in a year says so in its title, as a reminder that its line then joins
    scores on different questions (the table of changes compares like with like).
    """
    from plotly.subplots import make_subplots

    labels = _panel_labels(areas)
    changed = series[series["questions_changed"].astype(bool)].groupby("area")["year"].apply(lambda y: sorted(set(y)))
    titles = [
        f"{label}<br><sup>questions changed {', '.join(str(y) for y in changed[a])}</sup>" if a in changed.index else label
        for a, label in labels.itertuples(index=False)
    ]
    rows = -(-len(labels) // _TREND_COLS)
    fig = make_subplots(rows=rows, cols=_TREND_COLS, subplot_titles=titles, vertical_spacing=0.085, horizontal_spacing=0.07)
    years = sorted(int(y) for y in series["year"].unique())
    values = series["score"].astype(float)
    low = 5 * np.floor((np.nanmin(values) - 3) / 5) if values.notna().any() else 0.0
    high = 5 * np.ceil((np.nanmax(values) + 3) / 5) if values.notna().any() else 100.0
    low, high = max(0.0, low), min(100.0, high)
    traces, trace_rows, trace_cols, shapes = [], [], [], []
    edges = [e for e in _band_edges_of(bands) if e[3] > low and e[2] < high]
    for i, area in enumerate(labels["area"]):
        row, col = i // _TREND_COLS + 1, i % _TREND_COLS + 1
        for level, name, marker in lines:
            part = series[(series["level"] == level) & (series["area"] == area)].sort_values("year")
            scores = part["score"].astype(float)
            traces.append(
                go.Scatter(
                    x=part["year"].astype(int), y=scores, mode="lines+markers", name=name, legendgroup=name,
                    showlegend=i == 0, marker=marker, connectgaps=False,
                    line=dict(color=marker.get("color", "#000000") if level != "national" else "#000000", width=1.5,
                              dash=_TREND_LINES[level]),
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
                 fillcolor=BAND_FILL.get(rating, "#eeeeee"), opacity=0.6, layer="below", line_width=0)
            for rating, _action, y0, y1, _span in edges
        ]  # fmt: skip
    fig.add_traces(traces, rows=trace_rows, cols=trace_cols)
    fig.update_layout(shapes=shapes)
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years],
                     range=[years[0] - 0.4, years[-1] + 0.4] if years else None)  # fmt: skip
    fig.update_yaxes(range=[low, high], dtick=5 if high - low <= 30 else 10)
    for col in range(1, _TREND_COLS + 1):  # axis titles on the outer panels only
        last_row = max(r for r in range(1, rows + 1) if (r - 1) * _TREND_COLS + col <= len(labels))
        fig.update_xaxes(title_text="Survey year", row=last_row, col=col)
    for row in range(1, rows + 1):
        fig.update_yaxes(title_text="Score (0-100)", row=row, col=1)
    key = "; ".join(f"{rating} ({action}) {span}" for rating, action, _, _, span in reversed(_band_edges_of(bands)))
    fig.update_layout(
        template="simple_white",
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16),
                   subtitle=dict(text=f"Shading shows the rating bands: {key}", font=dict(size=12))),
        width=WIDTH,
        height=170 + 210 * rows,
        font=FONT,
        margin=dict(l=20, r=30, t=110, b=90),
        legend=dict(orientation="h", yref="container", y=0.005, yanchor="bottom", x=0, xanchor="left"),
        hoverlabel=dict(bgcolor="white"),
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eeeeee")
    fig.update_annotations(font_size=12)
    return fig


def _band_edges_of(bands: list) -> list[tuple[str, str, float, float, str]]:
    """:func:`_band_edges` from a list of bands rather than a view (it reads nothing else)."""
    from types import SimpleNamespace

    return _band_edges(SimpleNamespace(bands=bands))  # type: ignore[arg-type]


def trend(council_trend: object, bands: list | None = None) -> go.Figure:
    """The council's published score in each area over the survey years, beside its region's and England's.

    ``council_trend`` is a :class:`healthcheck.scoring.trends.CouncilTrend` with a trend (``has_trend``).
    Council, region and England differ by marker shape and line style as well as shade.
    """
    from healthcheck.params import ScoringParams

    if not getattr(council_trend, "has_trend", False):
        raise ReportError(f"{council_trend.name} has no previous year to compare with: there is no trend to chart")
    t = council_trend
    lines = [("national", "England", ENGLAND)]
    if t.region:
        lines.insert(0, ("region", t.region, REGION))
    lines.append(("org", t.name, COUNCIL))
    years = sorted(int(y) for y in t.series["year"].unique())
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    where = f", {the_region(t.region)} and England" if t.region else " and England"
    return _trend_panels(
        t.series, t.areas, lines, title=f"{t.name}{where}: score by standard and area, {span}",
        bands=bands or list(ScoringParams().bands),
    )  # fmt: skip


def national_trend(frame: pd.DataFrame, bands: list | None = None) -> go.Figure:
    """England's score in each area over the survey years (``healthcheck.scoring.trends.national_trend``)."""
    from healthcheck.params import ScoringParams

    if frame.empty:
        raise ReportError("no national scores to chart")
    series = frame.assign(level="national")
    areas = frame.drop_duplicates("area")[["area", "kind", "number", "short_title"]]
    years = sorted(int(y) for y in frame["year"].unique())
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    return _trend_panels(series, areas, [("national", "England", ENGLAND)],
                         title=f"England: score by standard and area, {span}", bands=bands or list(ScoringParams().bands))  # fmt: skip


def trend_alt_text(council_trend: object) -> str:
    """Words for the trend chart: what it shows and which changes were significant."""
    from healthcheck.findings.council import join_list, possessive
    t = council_trend
    years = sorted(int(y) for y in t.series["year"].unique())
    where = f", {the_region(t.region)}" if t.region else ""
    changes = t.changes
    up = changes.loc[changes["significance"] == "improved", "area"].map(t.short_title).tolist()
    down = changes.loc[changes["significance"] == "declined", "area"].map(t.short_title).tolist()
    moved = []
    if up:
        moved.append(f"improved significantly for {join_list(up)}")
    if down:
        moved.append(f"declined significantly for {join_list(down)}")
    summary = (
        f"Since {t.previous_year}, {possessive(t.name)} scores " + " and ".join(moved) + "."
        if moved
        else f"None of {possessive(t.name)} scores changed significantly since {t.previous_year}."
    )
    return (
        f"Line charts, one for each of the 8 standards and 5 other areas, of the mean score (0-100) of {t.name}{where} "
        f"and England in each survey year from {years[0]} to {years[-1]}. {summary} The table above gives every figure."
    )


def national_trend_alt_text(frame: pd.DataFrame) -> str:
    """Words for the national trend chart."""
    from healthcheck.findings.council import join_list
    years = sorted(int(y) for y in frame["year"].unique())
    last = frame[frame["year"] == years[-1]]
    up = last.loc[last["significance"] == "improved", "short_title"].tolist()
    down = last.loc[last["significance"] == "declined", "short_title"].tolist()
    moved = []
    if up:
        moved.append(f"improved significantly for {join_list(up)}")
    if down:
        moved.append(f"declined significantly for {join_list(down)}")
    summary = f" In {years[-1]}, scores " + " and ".join(moved) + "." if moved else ""
    return (
        "Line charts, one for each of the 8 standards and 5 other areas, of England's mean score (0-100) in each "
        f"survey year from {years[0]} to {years[-1]}.{summary}"
    )


__all__ += ["national_trend", "national_trend_alt_text", "trend", "trend_alt_text"]
