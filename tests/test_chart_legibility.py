"""Every report chart is legible on an A4 page: no text under 9 pt in print, WCAG contrast, one title.

Print size: a chart is placed 17 cm wide (the A4 text column), or narrower when that would make
it taller than 21 cm (:data:`healthcheck.publish.render.markdown.MAX_FIGURE_HEIGHT_CM`); its
pixels print at that scale. Contrast: WCAG 2.2's relative luminance, 4.5:1 for text on bars and
3:1 for markers on the rating bands they sit on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_charts import halton, scored  # noqa: F401  (fixtures: hand-made scoring tables)
from test_national import make_view
from test_regional import regional
from test_trends import HALTON, council, table  # noqa: F401

from healthcheck.charts import council as council_charts
from healthcheck.charts import distributions, trends
from healthcheck.charts.chart import Chart
from healthcheck.charts.style import BAND_FILL, MIN_TEXT_PT, SHARE_COLOURS, SHARE_TEXT
from healthcheck.publish.render.markdown import MAX_FIGURE_HEIGHT_CM
from healthcheck.publish.render.typst import TEXT_WIDTH_CM

PT_PER_CM = 72 / 2.54


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_by_hand():
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("#ffffff", "#c55a11") == pytest.approx(4.33, abs=0.01)  # the old Disagree label: too faint
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def print_scale(figure: dict[str, Any]) -> float:
    """Points per pixel when the chart is placed in a Word or PDF report."""
    layout = figure["layout"]
    width, height = float(layout["width"]), float(layout["height"])
    placed_cm = min(TEXT_WIDTH_CM, MAX_FIGURE_HEIGHT_CM * width / height)
    return placed_cm * PT_PER_CM / width


def font_sizes(node: Any, inherited: float) -> Iterator[float]:
    """Every font size a figure sets (a font without a size inherits ``inherited``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict):
                yield float(value.get("size", inherited))
            yield from font_sizes(value, inherited)
    elif isinstance(node, list):
        for item in node:
            yield from font_sizes(item, inherited)


def texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "ticktext", "hovertext") or key.endswith("text"):
                if isinstance(value, str):
                    yield value
                elif isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
            yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def check(chart: Chart) -> float:
    """Assert the chart's legibility; return its smallest text in print (pt)."""
    figure = chart.figure.to_plotly_json()
    layout = figure["layout"]
    assert not (layout.get("title") or {}).get("text"), (
        f"{chart.name}: a title inside the figure (the caption is the title)"
    )
    assert chart.title.strip()
    scale = print_scale(figure)
    base = float(layout["font"]["size"])
    smallest = min([base, *font_sizes(figure, base)]) * scale
    assert smallest >= MIN_TEXT_PT, f"{chart.name}: text of {smallest:.1f} pt in print"
    assert not [t for t in texts(figure) if "<sup>" in t or "<sub>" in t], f"{chart.name}: shrunk text"
    for trace in figure["data"]:
        if trace.get("type") == "bar" and trace.get("text") is not None and trace.get("textposition") != "outside":
            # plotly shrinks a label that does not fit its bar unless told to hide it instead
            uniform = layout.get("uniformtext") or {}
            assert uniform.get("mode") == "hide" and float(uniform.get("minsize", 0)) * scale >= MIN_TEXT_PT
            marker = trace["marker"]["color"]
            label = trace["textfont"]["color"]
            assert contrast(label, marker) >= 4.5, f"{chart.name}: {label} on {marker}"
            pattern = trace["marker"].get("pattern") or {}
            if pattern.get("shape"):
                assert contrast(label, pattern["fgcolor"]) >= 4.5, f"{chart.name}: {label} on its hatching"
        if trace.get("type") == "scatter" and "markers" in str(trace.get("mode")):
            colour = (trace.get("marker") or {}).get("color", "#000000")
            if isinstance(colour, str) and colour.startswith("#") and not trace.get("marker", {}).get("opacity"):
                worst = min(contrast(colour, fill) for fill in BAND_FILL.values())
                assert worst >= 3.0, f"{chart.name}: markers {colour} at {worst:.2f}:1 on a band"
    return smallest


def test_council_charts(halton):
    charts = [council_charts.area_comparison(halton), council_charts.distribution(halton),
              *council_charts.item_share_charts(halton), council_charts.drivers(halton)]  # fmt: skip
    assert min(check(c) for c in charts) == pytest.approx(13 * 0.75, abs=0.05)  # 13 px at 17 cm for 640 px


def test_trend_charts(table):
    trend = council(table, HALTON)
    for chart in trends.trend_charts(trend):
        check(chart)


def test_national_and_regional_charts():
    view = make_view()
    for chart in (distributions.national_distribution(view), distributions.regional_heatmap(view),
                  distributions.region_comparison(regional())):  # fmt: skip
        check(chart)


def test_share_palette_meets_wcag():
    """The Disagree label was white on orange, 4.33:1 (3.2:1 over the white hatching); now 7:1 or more."""
    ratios = {share: contrast(SHARE_TEXT[share], SHARE_COLOURS[share]) for share in SHARE_COLOURS}
    assert ratios["agree"] == pytest.approx(8.66, abs=0.01)
    assert ratios["neutral"] == pytest.approx(14.88, abs=0.01)
    assert ratios["disagree"] == pytest.approx(7.06, abs=0.01)
    assert contrast(SHARE_TEXT["disagree"], "#ffffff") == pytest.approx(21.0)  # over the hatching


def test_no_toolbar_in_reports():
    from healthcheck.publish.display import PLOTLY_CONFIG

    assert PLOTLY_CONFIG["displayModeBar"] is False  # no faint icons, no ten extra tab stops per chart
