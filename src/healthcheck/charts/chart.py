"""A chart as a report shows it: the plotly figure with its file name, title and text description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the renderer imports this without plotly at hand
    import plotly.graph_objects as go


@dataclass(frozen=True)
class Chart:
    """One chart, ready for :func:`healthcheck.publish.display.show_chart`.

    ``name`` is file-safe and names ``figures/<name>.png`` (and the chart's place in every
    document); ``title`` is its caption, the chart's one title (the figure has none of its own,
    so that it is not read or printed twice); ``alt`` says in words what it shows, for readers
    who cannot see it. Every chart builder computes all four.
    """

    figure: go.Figure | Any
    name: str
    title: str
    alt: str


__all__ = ["Chart"]
