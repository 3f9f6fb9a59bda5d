"""Tables on the A4 page, and the typst source of the PDF's tables.

:func:`table_layout` shares the text width out among a table's columns as a browser would
(each column at least its longest word, at best its longest cell on one line) and picks the
largest type at which it fits; the Word tables take the same column shares. :func:`table_typst`
writes a table as raw typst, because pandoc's typst writer leaves cell text such as
"1. Leadership" or "- 5" unescaped, which typst then reads as a numbered list or a bullet.
"""

from __future__ import annotations

from healthcheck.publish.display import TableSpec

TEXT_WIDTH_CM = 17.0  # A4 less 2 cm margins
TEXT_WIDTH_PT = TEXT_WIDTH_CM / 2.54 * 72
CELL_INSET_PT = 10.0  # 5 pt either side
TABLE_SIZES_PT = (9.5, 9.0, 8.5, 8.0, 7.5)


def typst_string(text: str) -> str:
    """A typst string literal."""
    body = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{body}"'


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Rough printed width in points of ``text`` in Liberation Sans / Arial at ``size``."""
    return len(text) * size * (0.6 if bold else 0.55)


def table_layout(spec: TableSpec) -> tuple[list[float], float]:
    """Column widths (shares of the text width) and the font size (pt) for a table on A4.

    As browsers lay out tables: each column needs at least its longest word and would like its
    longest cell on one line; the page's width is shared out accordingly. The largest font size
    at which every column's longest word fits is used (9.5 pt down to 7.5 pt).
    """
    shown = spec.formatted_rows()
    for size in TABLE_SIZES_PT:
        least, most = [], []
        for i, name in enumerate(spec.columns):
            cells = [row[i] for row in shown]
            word = max([_text_width(w, size, bold=True) for w in name.split()] +
                       [_text_width(w, size) for c in cells for w in c.split()], default=0.0)  # fmt: skip
            whole = max([_text_width(c, size) for c in cells], default=0.0)
            header = _text_width(name, size, bold=True)
            # a long header may take two lines; a cell would rather not wrap
            want = max(word, whole, header if len(name) <= 14 else header / 2)
            least.append(word + CELL_INSET_PT)
            most.append(max(want, word) + CELL_INSET_PT)
        if sum(least) <= TEXT_WIDTH_PT:
            break
    if sum(most) <= TEXT_WIDTH_PT:
        widths = most
    elif sum(least) < TEXT_WIDTH_PT:
        spare = TEXT_WIDTH_PT - sum(least)
        stretch = [m - lo for m, lo in zip(most, least, strict=True)]
        widths = [lo + spare * s / sum(stretch) for lo, s in zip(least, stretch, strict=True)]
    else:
        widths = least  # too wide even at the smallest size: shrink evenly
    total = sum(widths)
    return [w / total for w in widths], size


def column_shares(spec: TableSpec) -> list[float]:
    """Relative column widths (see :func:`table_layout`)."""
    return table_layout(spec)[0]


def table_typst(spec: TableSpec) -> str:
    """A raw typst table in a numbered figure: widths, alignment, repeating header, smaller type when wide."""
    numeric = spec.numeric
    shares, size = table_layout(spec)
    widths = ", ".join(f"{100 * s:.2f}%" for s in shares)
    align = ", ".join("right" if n else "left" for n in numeric)
    header = ", ".join(f"[#{typst_string(c)}]" for c in spec.columns)
    rows = spec.formatted_rows() or [["n/a"] * len(spec.columns)]
    body = ",\n".join("    " + ", ".join(f"[#{typst_string(t)}]" for t in row) for row in rows)
    return (
        "```{=typst}\n"
        f"#[\n#show table: set text(size: {size:g}pt)\n"
        f"#figure(\n  table(\n    columns: ({widths},),\n    align: ({align},),\n"
        f"    table.header({header}),\n{body},\n  ),\n"
        f"  caption: [#{typst_string(spec.title)}],\n  kind: table,\n) <tbl-{spec.name}>\n]\n```\n"
    )


__all__ = [
    "CELL_INSET_PT", "TABLE_SIZES_PT", "TEXT_WIDTH_CM", "TEXT_WIDTH_PT", "column_shares", "table_layout", "table_typst",
    "typst_string",
]  # fmt: skip
