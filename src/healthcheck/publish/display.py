"""What a report notebook shows: markdown, tables and charts, as rich outputs the renderer reads back.

Each function calls :func:`IPython.display.display` with a mime bundle, so the executed notebook
carries everything the documents need and nothing is re-run to render them:

* ``show_markdown`` emits ``text/markdown``.
* ``show_table`` emits an accessible ``text/html`` table, a ``text/markdown`` pipe table and
  :data:`TABLE_MIME`, a JSON copy of the table whose values keep their types (numbers stay
  numbers), from which :mod:`healthcheck.publish.render` rebuilds the Word, PDF and spreadsheet tables.
* ``show_publication`` emits the publication block as ``text/markdown`` and the report's
  document properties as :data:`DOCUMENT_MIME` (title, publisher, date, provenance), which the
  renderer writes into each document's metadata.
* ``show_chart`` emits an interactive plotly ``text/html`` div, the figure JSON
  (``application/vnd.plotly.v1+json``), ``text/plain`` (the title) and metadata
  ``{"healthcheck": {"name", "title", "alt"}}``.

No output carries plotly.js itself (4.8 MB in full): JupyterLab draws the charts from the figure
JSON with its own plotly renderer, the HTML writer inlines the library once per page
(:mod:`healthcheck.publish.plotlyjs`), and the Quarto input carries it once, on its own, so the
executed notebook stays small and no chart's output is mistaken for a library. Nothing refers to
a CDN and MathJax is never used, so the HTML works offline.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from healthcheck.charts.chart import Chart
from healthcheck.errors import ReportError
from healthcheck.text.numbers import format_number

if TYPE_CHECKING:  # imported lazily: the renderer reads tables without pandas or plotly at hand
    import pandas as pd
    import plotly.graph_objects as go

TABLE_MIME = "application/vnd.healthcheck.table+json"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: The report's document properties (title, publisher, date, provenance), beside its publication block.
DOCUMENT_MIME = "application/vnd.healthcheck.document+json"
#: Key of the output metadata that names a chart.
META_KEY = "healthcheck"
#: What an empty (missing) cell shows in the documents.
MISSING_TEXT = "n/a"
#: The Analysis Function's shorthand for a cell without a figure, and what each means. A cell may
#: hold one instead of a number (``views.chart_tables.CONFIDENTIAL``); its column stays numeric.
SHORTHAND = {
    "[c]": "confidential: withheld because too few people answered to publish it safely",
    "[x]": "not available: not collected, not given, or no figure can be worked out",
    "[low]": "less than half of one per cent, which would round to 0%",
    "[z]": "not applicable",
}
#: No toolbar in a report: its icons were faint (1.7:1) and added ten tab stops to every chart; hover stays.
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}

Cell = str | int | float | bool | None
#: A table of this many columns is wide: on screen it may use the window's width, and printed
#: from the browser it goes on a landscape page.
WIDE_COLUMNS = 8

# A name becomes a file name (figures/<name>.png) and a sheet name: keep it plain.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")
# Python format specs the tables use, which map one-to-one onto Excel number formats.
_FORMAT = re.compile(r"^(,?)\.(\d)f$")
_RATING = re.compile(r"^(Green|Amber|Red)\b")


def check_name(name: str, what: str) -> str:
    """``name`` if it is a usable file and sheet name, else :class:`ReportError`."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ReportError(
            f"{what} name {name!r} is not usable: use 1-60 letters, digits, '-' or '_', "
            "starting with a letter or digit (it names files and spreadsheet sheets)"
        )
    return name


def _need_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ReportError(f"{what} must be a non-empty string, got {value!r}")
    return value.strip()


# --------------------------------------------------------------------------------------
# values and their formatting
# --------------------------------------------------------------------------------------
def json_cell(value: Any) -> Cell:
    """A table value as JSON keeps it: numbers as numbers, missing as None, dates as ISO text."""
    import numbers

    import numpy as np
    import pandas as pd

    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (numbers.Real, Decimal)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if pd.api.types.is_scalar(value) and pd.isna(value):  # pd.NA, NaT, None-likes
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime):  # pd.Timestamp is one
        if value.time() == datetime.min.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def format_cell(value: Cell, spec: str | None = None) -> str:
    """A cell as a person reads it: ``spec`` (',.1f') for numbers, 'n/a' when missing."""
    if value is None:
        return MISSING_TEXT
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if is_number(value):
        match = _FORMAT.match(spec or "")
        group, digits = (match.group(1), int(match.group(2))) if match else (",", 0 if isinstance(value, int) else 1)
        return format_number(float(value), digits, thousands=bool(group))
    return str(value)


def excel_number_format(spec: str | None) -> str:
    """The Excel number format matching a table format spec (',.1f' -> '#,##0.0')."""
    match = _FORMAT.match(spec or "")
    if not match:
        return "General"
    digits = int(match.group(2))
    base = "#,##0" if match.group(1) else "0"
    return base + ("." + "0" * digits if digits else "")


def _column_format(name: str, values: Sequence[Cell], decimals: int | None, *, given: bool = False) -> str | None:
    """The format spec of a column: None for text; whole numbers unless fractional; no commas in years.

    A column of integers (counts, bases, ranks) stays whole whatever a table-wide ``decimals``
    says (Rank 1, not 1.00; Base 8,414, not 8,414.00); ``given`` (a decimals for this column by
    name) wins even so.
    """
    numbers = [v for v in values if is_number(v)]
    if not numbers:
        return None
    if decimals is not None and not given and all(isinstance(v, int) for v in numbers):
        decimals = 0
    if decimals is None:
        whole = all(isinstance(v, int) or float(v).is_integer() for v in numbers)
        decimals = 0 if whole else 1
    if not 0 <= decimals <= 9:
        raise ReportError(f"decimals for column {name!r} must be 0-9, got {decimals}")
    group = "" if "year" in name.lower() else ","  # 2020, not 2,020
    return f"{group}.{decimals}f"


# --------------------------------------------------------------------------------------
# the table payload
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableSpec:
    """One table as a notebook shows it and every document rebuilds it.

    ``formats`` holds one Python format spec per column (',.1f', '.0f') for numeric columns and
    None for text ones; ``row_headers`` says the first column labels the rows.
    """

    name: str
    title: str
    source: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
    formats: tuple[str | None, ...] = field(default=())
    row_headers: bool = False

    def __post_init__(self) -> None:
        if not self.formats:
            object.__setattr__(self, "formats", tuple(None for _ in self.columns))
        if len(self.formats) != len(self.columns):
            raise ValueError(f"table {self.name!r}: {len(self.formats)} formats for {len(self.columns)} columns")
        for i, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.name!r}: row {i} has {len(row)} cells for {len(self.columns)} columns")

    # construction ------------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        name: str,
        title: str,
        source: str,
        notes: Sequence[str] = (),
        index: bool = False,
        decimals: int | Mapping[str, int] | None = None,
    ) -> TableSpec:
        """A table from a DataFrame; ``decimals`` (all numeric columns, or per column) overrides the default."""
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            raise ReportError(f"show_table needs a pandas DataFrame, got {type(df).__name__}")
        check_name(name, "table")
        title = _need_text(title, f"table {name!r}: title")
        source = _need_text(source, f"table {name!r}: source")
        if isinstance(notes, str):
            notes = [notes]
        notes = tuple(_need_text(n, f"table {name!r}: each note") for n in notes)
        frame = df
        if index:
            names = [n if n is not None else ("Item" if frame.index.nlevels == 1 else f"Level {i + 1}")
                     for i, n in enumerate(frame.index.names)]  # fmt: skip
            frame = frame.copy()
            frame.index = frame.index.set_names(names)
            frame = frame.reset_index()
        columns = tuple(
            " – ".join(str(p) for p in c if str(p) != "") if isinstance(c, tuple) else str(c) for c in frame.columns
        )
        if any(not c.strip() for c in columns):
            raise ReportError(f"table {name!r}: every column needs a heading, got {list(columns)}")
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise ReportError(f"table {name!r}: column headings must differ, repeated: {duplicated}")
        rows = tuple(tuple(json_cell(v) for v in row) for row in frame.itertuples(index=False, name=None))
        if isinstance(decimals, Mapping):
            unknown = sorted(set(decimals) - set(columns))
            if unknown:
                raise ReportError(f"table {name!r}: decimals given for unknown columns {unknown}")
        formats = tuple(
            _column_format(
                col,
                [r[i] for r in rows],
                decimals.get(col) if isinstance(decimals, Mapping) else decimals,
                given=isinstance(decimals, Mapping) and col in decimals,
            )
            for i, col in enumerate(columns)
        )
        return cls(name, title, source, columns, rows, notes, formats, bool(index))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "notes": list(self.notes),
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "formats": list(self.formats),
            "row_headers": self.row_headers,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TableSpec:
        """Read the payload back; ValueError says what is wrong with it."""
        if not isinstance(data, Mapping):
            raise ValueError(f"table payload must be a JSON object, got {type(data).__name__}")
        missing = [k for k in ("name", "title", "source", "columns", "rows") if k not in data]
        if missing:
            raise ValueError(f"table payload lacks {missing}")
        columns = tuple(str(c) for c in data["columns"])
        rows = tuple(tuple(v if v is None or isinstance(v, (bool, int, float, str)) else str(v) for v in r)
                     for r in data["rows"])  # fmt: skip
        formats = tuple(data.get("formats") or (None,) * len(columns))
        for spec in formats:
            if spec is not None and not _FORMAT.match(str(spec)):
                raise ValueError(f"table {data['name']!r}: unknown number format {spec!r}")
        return cls(
            name=str(data["name"]),
            title=str(data["title"]),
            source=str(data["source"]),
            columns=columns,
            rows=rows,
            notes=tuple(str(n) for n in data.get("notes") or ()),
            formats=formats,
            row_headers=bool(data.get("row_headers", False)),
        )

    # reading -----------------------------------------------------------------------
    @property
    def numeric(self) -> tuple[bool, ...]:
        """Per column: every filled cell is a number or shorthand such as '[c]' (such columns are right-aligned)."""
        flags = []
        for i in range(len(self.columns)):
            filled = [r[i] for r in self.rows if r[i] is not None and r[i] not in SHORTHAND]
            flags.append(bool(filled) and all(is_number(v) for v in filled))
        return tuple(flags)

    @property
    def marks(self) -> list[str]:
        """The shorthand ('[c]', '[x]' ...) the table's cells hold, in :data:`SHORTHAND`'s order."""
        used = {v for row in self.rows for v in row if isinstance(v, str)}
        return [m for m in SHORTHAND if m in used]

    def small_print(self) -> list[str]:
        """What goes under the table: its source, its notes, and what its shorthand means."""
        lines = [f"Source: {self.source}"] + [f"Note: {n}" for n in self.notes]
        lines += [f"{m} means {SHORTHAND[m]}." for m in self.marks if not any(n.startswith(m) for n in self.notes)]
        return lines

    def formatted_rows(self) -> list[list[str]]:
        return [[format_cell(v, self.formats[i]) for i, v in enumerate(row)] for row in self.rows]

    @property
    def has_missing(self) -> bool:
        return any(v is None for row in self.rows for v in row)

    # rendering for the notebook and the HTML report ---------------------------------
    def to_html(self) -> str:
        """An accessible table: caption, column and row headers, source and notes below."""
        esc = html.escape
        base = f"hc-table-{self.name}"
        numeric = self.numeric
        num = ' class="hc-num"'
        head = "".join(f'<th scope="col"{num if numeric[i] else ""}>{esc(c)}</th>' for i, c in enumerate(self.columns))
        body = []
        for row in self.formatted_rows():
            cells = []
            for i, text in enumerate(row):
                content = esc(text)
                m = _RATING.match(text)
                if m:  # the word always shows; the swatch only repeats it
                    content = f'<span class="hc-rating hc-rating-{m.group(1).lower()}">{content}</span>'
                if i == 0 and self.row_headers:
                    cells.append(f'<th scope="row">{content}</th>')
                else:
                    cells.append(f"<td{num if numeric[i] else ''}>{content}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        notes = "".join(f'<p class="hc-note">{esc(n)}</p>' for n in self.small_print()[1:])
        return (
            f'<div class="hc-table{" hc-wide" if len(self.columns) >= WIDE_COLUMNS else ""}" id="{base}">'
            f'<div class="hc-table-scroll" role="region" tabindex="0" aria-labelledby="{base}-caption">'
            f'<table><caption id="{base}-caption">{esc(self.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            f'<p class="hc-source">Source: {esc(self.source)}</p>{notes}</div>'
        )

    def to_markdown(self) -> str:
        """A pipe table with its title above and source and notes below."""

        def cell(text: str) -> str:
            return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

        numeric = self.numeric
        lines = [f"**{cell(self.title)}**", ""]
        lines.append("| " + " | ".join(cell(c) for c in self.columns) + " |")
        lines.append("|" + "|".join("---:" if n else ":---" for n in numeric) + "|")
        lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in self.formatted_rows()]
        lines += ["", f"Source: {self.source}"]
        lines += [f"\n{n}" for n in self.small_print()[1:]]
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------------------
def figure_json(fig: go.Figure | Mapping[str, Any]) -> dict[str, Any]:
    """The figure as plain JSON (plotly's own encoder: numpy arrays, NaN and dates handled)."""
    import plotly.io as pio

    return json.loads(pio.to_json(fig, validate=False))


def chart_html(fig: go.Figure, *, name: str, title: str, alt: str) -> str:
    """An interactive chart in a figure: caption, the plotly div, and its text description.

    The div's script calls ``Plotly.newPlot``; the page supplies plotly.js (never this output).
    """
    import plotly.graph_objects as go

    esc = html.escape
    base = f"hc-chart-{name}"
    # fill the page column on screen: drop the fixed print width, keep the height
    screen = go.Figure(fig)
    height = screen.layout.height or 500
    screen.update_layout(width=None, autosize=True)
    div = screen.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=PLOTLY_CONFIG,
        div_id=f"{base}-plot",
        default_width="100%",
        default_height=f"{int(height)}px",
        validate=False,
    )
    return (
        f'<figure class="hc-chart" id="{base}" aria-describedby="{base}-alt">'
        f"<figcaption>{esc(title)}</figcaption>{div}"
        f'<details class="hc-chart-text"><summary>Text description of this chart</summary>'
        f'<p id="{base}-alt">{esc(alt)}</p></details></figure>'
    )


# --------------------------------------------------------------------------------------
# the display object and its module-level shortcuts
# --------------------------------------------------------------------------------------
def _publish(bundle: dict[str, Any], metadata: dict[str, Any] | None = None) -> None:
    from IPython.display import display

    display(bundle, raw=True, metadata=metadata or None)


class Display:
    """Shows report content in a notebook: markdown, tables and charts as mime bundles."""

    def reset(self) -> None:
        """Start again as in a fresh kernel (the display keeps no state between notebooks)."""

    def markdown(self, text: str) -> None:
        if not isinstance(text, str):
            raise ReportError(f"show_markdown needs a string, got {type(text).__name__}")
        _publish({"text/markdown": text, "text/plain": text})

    def table(
        self,
        df: pd.DataFrame,
        *,
        name: str,
        title: str,
        source: str,
        notes: Sequence[str] = (),
        index: bool = False,
        decimals: int | Mapping[str, int] | None = None,
    ) -> TableSpec:
        spec = TableSpec.from_frame(
            df, name=name, title=title, source=source, notes=notes, index=index, decimals=decimals
        )
        _publish(
            {
                "text/html": spec.to_html(),
                "text/markdown": spec.to_markdown(),
                "text/plain": f"{spec.title} ({len(spec.rows)} rows)",
                TABLE_MIME: spec.to_json(),
            },
            {META_KEY: {"name": spec.name, "title": spec.title, "kind": "table"}},
        )
        return spec

    def publication(self, block: str, properties: Mapping[str, Any]) -> None:
        if not isinstance(block, str) or not isinstance(properties, Mapping):
            raise ReportError("show_publication needs the block's markdown and a mapping of document properties")
        title = properties.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ReportError("show_publication: the document properties need a title")
        _publish(
            {"text/markdown": block, "text/plain": block, DOCUMENT_MIME: json.loads(json.dumps(dict(properties)))},
            {META_KEY: {"kind": "publication", "title": title.strip()}},
        )

    def chart(self, chart: Chart) -> None:
        """Show a :class:`~healthcheck.charts.chart.Chart`: its figure, captioned and described in words."""
        import plotly.graph_objects as go

        if not isinstance(chart, Chart):
            raise ReportError(f"show_chart needs a Chart (healthcheck.charts.chart), got {type(chart).__name__}")
        name = check_name(chart.name, "chart")
        title = _need_text(chart.title, f"chart {name!r}: title")
        alt = _need_text(chart.alt, f"chart {name!r}: alt (a text description of what the chart shows)")
        fig = chart.figure
        if isinstance(fig, Mapping):
            fig = go.Figure(fig)
        if not isinstance(fig, go.Figure):
            raise ReportError(f"chart {name!r}: show_chart needs a plotly Figure, got {type(fig).__name__}")
        bundle = {
            "text/html": chart_html(fig, name=name, title=title, alt=alt),
            PLOTLY_MIME: figure_json(fig),
            "text/plain": title,
        }
        _publish(bundle, {META_KEY: {"name": name, "title": title, "alt": alt}})


#: The instance the module-level functions use.
default_display = Display()


def show_markdown(text: str) -> None:
    """Show markdown text (a heading, a paragraph, a list) in the report."""
    default_display.markdown(text)


def show_table(
    df: pd.DataFrame,
    *,
    name: str,
    title: str,
    source: str,
    notes: Sequence[str] = (),
    index: bool = False,
    decimals: int | Mapping[str, int] | None = None,
) -> None:
    """Show a table: ``name`` names its spreadsheet sheet, ``title`` is its caption.

    Numbers keep full precision in the spreadsheet and show rounded half up elsewhere: whole
    numbers stay whole, others get one decimal place unless ``decimals`` says otherwise (one
    number for every numeric column, or ``{"Score": 0}``). ``index=True`` keeps the index as
    the first column and makes it the row headers.
    """
    default_display.table(df, name=name, title=title, source=source, notes=notes, index=index, decimals=decimals)


def show_publication(block: str, properties: Mapping[str, Any]) -> None:
    """Show the publication block (who, when, contact, other formats) and hand the renderer the
    report's document properties (``title``, ``author``, ``date``, ``keywords``, ``description`` ...)."""
    default_display.publication(block, properties)


def show_chart(chart: Chart) -> None:
    """Show a chart built by :mod:`healthcheck.charts`: its ``name`` names figures/<name>.png and .svg,
    its ``title`` captions it and its ``alt`` describes it in words."""
    default_display.chart(chart)


def reset() -> None:
    """Start again as in a fresh kernel (called by the batch between notebooks)."""
    default_display.reset()
