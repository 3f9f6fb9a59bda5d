"""Tables on the A4 page, and the typst source of the PDF's tables.

:func:`table_layout` shares the text width out among a table's columns as a browser would
(each column at least its longest word, at best its longest cell on one line) and picks the
largest type at which it fits; the Word tables take the same column shares. :func:`table_typst`
writes a table as raw typst, because pandoc's typst writer leaves cell text such as
"1. Leadership" or "- 5" unescaped, which typst then reads as a numbered list or a bullet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from healthcheck.publish.display import TableSpec

TEXT_WIDTH_CM = 17.0  # A4 less 2 cm margins
TEXT_WIDTH_PT = TEXT_WIDTH_CM / 2.54 * 72
#: A4 turned on its side, less 2 cm margins: the text width of a landscape page.
LANDSCAPE_WIDTH_CM = 25.7
LANDSCAPE_WIDTH_PT = LANDSCAPE_WIDTH_CM / 2.54 * 72
CELL_INSET_PT = 10.0  # 5 pt either side
#: The height a table may take and still be kept whole on one page with its caption (pt): A4 less
#: margins, running header and room for a heading, upright and on its side.
PAGE_ROOM_PT = {False: 640.0, True: 400.0}
#: Table type sizes, largest first: never below 9 pt, so a table reads at arm's length.
TABLE_SIZES_PT = (9.5, 9.0)


def typst_string(text: str) -> str:
    """A typst string literal."""
    body = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{body}"'


# Character widths of Arial / Liberation Sans in ems (their published metrics, grouped), so that a
# column is never narrower than its longest word: a narrower one breaks words ("Nort h Wes t").
_NARROW = set("iljtf.,;:'!|()[] ") | {"\u2019"}
_WIDE = set("mwMW@%")


def _char_em(c: str) -> float:
    if c in _NARROW:
        return 0.28
    if c in _WIDE:
        return 0.86
    if c.isupper():
        return 0.70
    if c.isdigit():
        return 0.56
    return 0.54


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Printed width in points of ``text`` in Liberation Sans / Arial at ``size`` (a little generous)."""
    return sum(_char_em(c) for c in text) * size * (1.08 if bold else 1.0)


@dataclass(frozen=True)
class TableFit:
    """How a table goes on an A4 page: column shares of the text width, type size, and orientation."""

    shares: tuple[float, ...]
    size: float
    landscape: bool

    @property
    def width_pt(self) -> float:
        return LANDSCAPE_WIDTH_PT if self.landscape else TEXT_WIDTH_PT


def _needs(spec: TableSpec, size: float) -> tuple[list[float], list[float]]:
    """Per column: the least width (its longest word) and the width it would like (its longest cell)."""
    shown = spec.formatted_rows()
    least, most = [], []
    for i, name in enumerate(spec.columns):
        cells = [row[i] for row in shown]
        word = max([text_width(w, size, bold=True) for w in name.split()] +
                   [text_width(w, size) for c in cells for w in c.split()], default=0.0)  # fmt: skip
        whole = max([text_width(c, size) for c in cells], default=0.0)
        header = text_width(name, size, bold=True)
        # a long header may take two lines; a cell would rather not wrap
        want = max(word, whole, header if len(name) <= 14 else header / 2)
        least.append(word + CELL_INSET_PT)
        most.append(max(want, word) + CELL_INSET_PT)
    return least, most


def _share_out(least: list[float], most: list[float], width: float) -> list[float]:
    if sum(most) <= width:
        widths = most
    elif sum(least) < width:
        spare = width - sum(least)
        stretch = [m - lo for m, lo in zip(most, least, strict=True)]
        widths = (
            [lo + spare * s / sum(stretch) for lo, s in zip(least, stretch, strict=True)] if sum(stretch) else least
        )
    else:
        widths = least  # too wide even on its side at the smallest size: shrink evenly
    total = sum(widths)
    return [w / total for w in widths]


def table_fit(spec: TableSpec) -> TableFit:
    """Where and how a table fits: portrait if every column's longest word fits at 9 pt or more, else landscape.

    As browsers lay out tables: each column needs at least its longest word and would like its
    longest cell on one line; the page's width is shared out accordingly, at the largest type
    (9.5 pt, then 9 pt) at which every word fits. A table too wide for a portrait page goes on a
    landscape page (its own section in Word, a turned page in the PDF, a landscape page when
    the web page is printed).
    """
    for landscape, width in ((False, TEXT_WIDTH_PT), (True, LANDSCAPE_WIDTH_PT)):
        for size in TABLE_SIZES_PT:
            least, most = _needs(spec, size)
            if sum(least) <= width:
                return TableFit(tuple(_share_out(least, most, width)), size, landscape)
    least, most = _needs(spec, TABLE_SIZES_PT[-1])
    return TableFit(tuple(_share_out(least, most, LANDSCAPE_WIDTH_PT)), TABLE_SIZES_PT[-1], True)


def table_layout(spec: TableSpec) -> tuple[list[float], float]:
    """Column widths (shares of the text width) and the font size (pt): see :func:`table_fit`."""
    fit = table_fit(spec)
    return list(fit.shares), fit.size


def column_shares(spec: TableSpec) -> list[float]:
    """Relative column widths (see :func:`table_fit`)."""
    return list(table_fit(spec).shares)


def table_height(spec: TableSpec, fit: TableFit) -> float:
    """Roughly how tall the table prints (pt): each row as many lines as its fullest cell needs."""
    line = fit.size * 1.25
    total = 30.0  # the caption
    rows = [(list(spec.columns), True)] + [(row, False) for row in spec.formatted_rows()]
    for cells, bold in rows:
        lines = 1
        for text, share in zip(cells, fit.shares, strict=True):
            room = max(share * fit.width_pt - CELL_INSET_PT, 1.0)
            lines = max(lines, math.ceil(text_width(text, fit.size, bold=bold) / room))
        total += lines * line + 8.0
    return total


def fits_a_page(spec: TableSpec, fit: TableFit) -> bool:
    """Whether the table is short enough to be kept whole on one page with its caption."""
    return table_height(spec, fit) <= PAGE_ROOM_PT[fit.landscape]


def table_typst(spec: TableSpec) -> str:
    """A raw typst table in a numbered figure: widths, alignment, repeating header, smaller type when wide."""
    numeric = spec.numeric
    fit = table_fit(spec)
    shares, size = fit.shares, fit.size
    widths = ", ".join(f"{100 * s:.2f}%" for s in shares)
    align = ", ".join("right" if n else "left" for n in numeric)
    header = ", ".join(f"[#{typst_string(c)}]" for c in spec.columns)
    rows = spec.formatted_rows() or [["n/a"] * len(spec.columns)]
    body = ",\n".join("    " + ", ".join(f"[#{typst_string(t)}]" for t in row) for row in rows)
    # a table that fits on a page stays whole, with its caption (a long one breaks, its header repeated)
    keep = "#show figure.where(kind: table): set block(breakable: false)\n" if fits_a_page(spec, fit) else ""
    return (
        "```{=typst}\n"
        f"#[\n#show table: set text(size: {size:g}pt)\n{keep}"
        f"#figure(\n  table(\n    columns: ({widths},),\n    align: ({align},),\n"
        f"    table.header({header}),\n{body},\n  ),\n"
        f"  caption: [#{typst_string(spec.title)}],\n  kind: table,\n) <tbl-{spec.name}>\n]\n```\n"
    )


def landscape_typst(start: bool) -> str:
    """Raw typst that turns the page on its side before a wide table (``start``) or back after it."""
    return "```{=typst}\n" + f"#set page(flipped: {'true' if start else 'false'})\n" + "```\n"


__all__ = [
    "CELL_INSET_PT", "LANDSCAPE_WIDTH_CM", "LANDSCAPE_WIDTH_PT", "PAGE_ROOM_PT", "TABLE_SIZES_PT", "TEXT_WIDTH_CM",
    "TEXT_WIDTH_PT", "TableFit", "column_shares", "fits_a_page", "landscape_typst", "table_fit", "table_height",
    "table_layout", "table_typst", "text_width", "typst_string",
]  # fmt: skip
