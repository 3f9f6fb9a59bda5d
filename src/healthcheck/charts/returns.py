"""The organisational return's charts: a bar chart of a choice table, in the 2018 report's style.

Bars carry their per cent, with the number beside it when the base is under
:data:`~healthcheck.views.returns.SMALL_BASE` ('45% (9)'); the base note sits under the axis.
"""

from __future__ import annotations

import plotly.graph_objects as go

from healthcheck.charts.chart import Chart
from healthcheck.charts.style import FONT, TEXT_SIZE, WIDTH
from healthcheck.views.returns import PublishedTable


def bar_labels(table: PublishedTable) -> list[str]:
    """Bar labels: '96%' ('*' under 0.5), with the number beside it when the base is under 50: '45% (9)'."""
    labels = []
    for _, row in table.frame.iterrows():
        value = row["Per cent"]
        text = "n/a" if value is None else ("*" if value == "*" else f"{value}%")
        labels.append(f"{text} ({int(row['Number'])})" if table.small_base else text)
    return labels


def chart_alt(table: PublishedTable) -> str:
    """A text description of a choice chart: every option's per cent (and number), and the base."""
    labels = bar_labels(table)
    parts = [f"{row['Answer']}: {label}" for (_, row), label in zip(table.frame.iterrows(), labels, strict=True)]
    return f"Bar chart of {table.title.split(': ', 1)[-1].lower()}. " + "; ".join(parts) + f". {table.notes[0]}."


def chart_name(table: PublishedTable) -> str:
    """The chart's file name: 'fig_' and the table's name, at most 60 characters."""
    return f"fig_{table.name}"[:60]


def choice_chart(table: PublishedTable, *, title: str | None = None) -> Chart:
    """A horizontal bar chart of a choice table's per cents, options top to bottom as in the table.

    ``title`` (the table's title by default) captions it: 'Figure 1: ...' in the national report.
    """
    title = title or table.title
    numbers = [0.0 if v in (None, "*") else float(v) for v in table.frame["Per cent"]]
    fig = go.Figure(
        go.Bar(
            x=numbers,
            y=table.frame["Answer"].tolist(),
            orientation="h",
            text=bar_labels(table),
            textposition="outside",
            textfont={"size": TEXT_SIZE},
            cliponaxis=False,
            marker_color="#1f5f8b",  # 6.8:1 on white
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(  # no title of its own: the caption is the title
        xaxis={"title": "Per cent of respondents", "range": [0, 115], "ticksuffix": "%"},
        yaxis={"autorange": "reversed"},
        height=130 + 36 * len(table.frame),
        width=WIDTH,
        font=FONT,
        margin={"l": 10, "r": 20, "t": 20, "b": 85},
        template="simple_white",
        annotations=[{  # the base under the axis title, a fixed distance whatever the height
            "text": table.notes[0], "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left",
            "yanchor": "top", "yshift": -62, "showarrow": False, "font": {"size": TEXT_SIZE},
        }],
    )  # fmt: skip
    fig.update_yaxes(automargin=True)
    return Chart(figure=fig, name=chart_name(table), title=title, alt=chart_alt(table))


__all__ = ["bar_labels", "chart_alt", "chart_name", "choice_chart"]
