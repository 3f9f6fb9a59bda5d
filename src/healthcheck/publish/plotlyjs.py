"""plotly.js for the documents: the project's partial bundle, or plotly.py's full one when a chart needs it.

plotly.py ships the whole of plotly.js (about 4.8 MB, every trace type). The reports draw only
scatter, bar and heatmap traces, so ``templates/plotly/plotly-healthcheck.min.js`` holds a
bundle of just those (about 1.2 MB): the npm registry's ``plotly.js`` at the version plotly.py
ships, bundled by esbuild from ``tools/plotly-bundle/`` (``build.sh`` rebuilds it byte for byte).
A chart with any other trace type gets plotly.py's full library instead, so nothing ever draws
blank. Nothing is fetched at run time.

The library is never part of a chart's own output (:func:`healthcheck.publish.display.chart_html`):
the HTML writer inlines it once per page, and the Quarto input carries it once, on its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from healthcheck.publish.formats import TEMPLATES

#: The partial bundle, and the trace types it draws (plotly.js core brings scatter).
BUNDLE = TEMPLATES / "plotly" / "plotly-healthcheck.min.js"
BUNDLE_TRACES = frozenset({"scatter", "bar", "heatmap"})

_VERSION = re.compile(r"plotly\.js v(\d+\.\d+\.\d+)")


def trace_types(figures: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every trace type the figures (plotly JSON) draw; a trace without a type is a scatter."""
    return {str(trace.get("type") or "scatter") for fig in figures for trace in fig.get("data") or ()}


@functools.cache
def bundle_js() -> str:
    """The partial bundle's JavaScript."""
    return BUNDLE.read_text(encoding="utf-8")


@functools.cache
def full_js() -> str:
    """plotly.py's full plotly.js."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def plotly_version() -> str:
    """The plotly.js version plotly.py ships (the partial bundle is built from the same version)."""
    match = _VERSION.search(full_js()[:400])
    return match.group(1) if match else "unknown"


def library_for(figures: Iterable[Mapping[str, Any]]) -> str:
    """The smallest plotly.js that draws every one of ``figures``."""
    return bundle_js() if trace_types(figures) <= BUNDLE_TRACES else full_js()


def library_script(figures: Iterable[Mapping[str, Any]]) -> str:
    """``<script>`` holding the library for ``figures`` (``</script>`` cannot occur in minified plotly.js)."""
    return f'<script type="text/javascript">{library_for(figures)}</script>\n'


__all__ = ["BUNDLE", "BUNDLE_TRACES", "bundle_js", "full_js", "library_for", "library_script", "plotly_version",
           "trace_types"]  # fmt: skip
