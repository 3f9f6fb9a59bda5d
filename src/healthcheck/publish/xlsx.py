"""The report's tables as an accessible spreadsheet, as the Analysis Function asks.

Following the UK Government Analysis Function's guidance on releasing statistics in
spreadsheets: a Cover sheet first (title, source, a contents list linking to every sheet, notes),
then one table per sheet with its title in A1 (a real heading style), the source and notes in the
rows below it, and the table itself as a named Excel Table with one header row, starting in
column A. No merged cells, no blank columns, no colour carrying meaning, numbers stored as
numbers (shown with the report's rounding through a number format), missing figures as ``[x]``
explained on the cover, panes frozen under the header, columns sized to their contents.

Text that a spreadsheet could take for a formula (starting ``=``, ``+``, ``-``, ``@``, or a tab
or carriage return) is stored as a literal string with Excel's quote prefix, so it is shown and
never evaluated. :func:`healthcheck.text.cells.safe_text` does the same job for CSV files.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from healthcheck.publish.display import TableSpec, excel_number_format, format_cell, is_number
from healthcheck.text.cells import FORMULA_START, safe_text

MISSING_MARK = "[x]"
MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_TABLE_NAME_BAD = re.compile(r"[^A-Za-z0-9_]")
_CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*)$")
MIN_WIDTH, MAX_WIDTH = 8, 60
# Excel's extension for a table's alt text (title and description)
_ALT_TEXT_EXT = (
    '<extLst><ext uri="{{504A1905-F514-4f6f-8877-14C23A59335A}}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:table altText="{title}" altTextSummary="{summary}"/></ext></extLst>'
)


def sheet_name(text: str, taken: set[str] | None = None) -> str:
    """A legal, unique sheet name: no ``[]:*?/\\``, at most 31 characters, not 'History'."""
    name = _BAD_SHEET_CHARS.sub("_", str(text)).strip().strip("'") or "Sheet"
    if name.lower() == "history":  # reserved by Excel
        name = "History_"
    name = name[:MAX_SHEET_NAME]
    taken = taken if taken is not None else set()
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f"_{n}"
        candidate = name[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(candidate.lower())
    return candidate


def table_name(text: str, taken: set[str]) -> str:
    """A legal, unique Excel Table name (letters, digits, underscores; not like a cell reference)."""
    name = _TABLE_NAME_BAD.sub("_", str(text))
    if not name or not (name[0].isalpha() or name[0] == "_") or _CELL_LIKE.match(name):
        name = "Table_" + name
    name = name[:250]
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate = f"{name}_{n}"
        n += 1
    taken.add(candidate.lower())
    return candidate


def _set_text(cell: Any, text: str) -> None:
    """Store ``text`` as a literal string, never a formula."""
    cell.value = text
    if text.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl guessed 'f' for '=...': undo that
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited


def _put(cell: Any, value: Any, number_format: str | None = None) -> None:
    if value is None:
        _set_text(cell, MISSING_MARK)
    elif isinstance(value, bool):
        _set_text(cell, "Yes" if value else "No")
    elif is_number(value):
        cell.value = value
        if number_format:
            cell.number_format = number_format
    else:
        _set_text(cell, str(value))


def _width(texts: Sequence[str]) -> float:
    longest = max((len(t) for t in texts), default=0)
    return float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))


def _write_cover(ws: Any, tables: Sequence[TableSpec], names: list[str], *, title: str, source: str) -> None:
    from openpyxl.styles import Alignment, Font

    ws["A1"].style = "Headline 1"
    _set_text(ws["A1"], title)
    _set_text(ws["A2"], f"Source: {source}")
    count = f"the {len(tables)} tables" if len(tables) != 1 else "the table"
    _set_text(ws["A3"], f"This workbook holds {count} of the report, one table per worksheet." if tables
              else "The report has no tables.")  # fmt: skip
    row = 5
    ws.cell(row, 1).style = "Headline 2"
    _set_text(ws.cell(row, 1), "Contents")
    row += 1
    for col, heading in enumerate(("Worksheet", "Table title"), start=1):
        cell = ws.cell(row, col)
        _set_text(cell, heading)
        cell.font = Font(bold=True)
    for name, spec in zip(names, tables, strict=True):
        row += 1
        link = ws.cell(row, 1)
        _set_text(link, name)
        link.hyperlink = f"#'{name}'!A1"
        link.style = "Hyperlink"
        _set_text(ws.cell(row, 2), spec.title)
    row += 2
    ws.cell(row, 1).style = "Headline 2"
    _set_text(ws.cell(row, 1), "Notes")
    notes = [
        "Each table's source and notes are given above the table on its worksheet.",
        "Figures are stored unrounded; they are shown rounded as in the report.",
    ]
    if any(spec.has_missing for spec in tables):
        notes.append(f"{MISSING_MARK} means the figure is not available (too few responses, or not collected).")
    for note in notes:
        row += 1
        _set_text(ws.cell(row, 1), note)
    ws.column_dimensions["A"].width = max(_width([*names, "Worksheet"]), 14)
    ws.column_dimensions["B"].width = _width([s.title for s in tables] + ["Table title"])
    for cells in ws.iter_rows(min_row=1, max_row=row, max_col=1):
        cells[0].alignment = Alignment(wrap_text=False, vertical="top")


def _write_table(ws: Any, spec: TableSpec, display_name: str) -> tuple[str, str]:
    """Title, source, notes, then the table as an Excel Table; returns (ref, display name)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.table import Table, TableStyleInfo

    ws["A1"].style = "Headline 1"
    _set_text(ws["A1"], spec.title)
    row = 2
    _set_text(ws.cell(row, 1), f"Source: {spec.source}")
    for note in spec.notes:
        row += 1
        _set_text(ws.cell(row, 1), f"Note: {note}")
    if spec.has_missing:
        row += 1
        _set_text(ws.cell(row, 1), f"{MISSING_MARK} means the figure is not available.")
    row += 1
    _set_text(ws.cell(row, 1), "This worksheet contains one table, starting in the row below.")
    header = row + 1
    for col, name in enumerate(spec.columns, start=1):
        cell = ws.cell(header, col)
        _set_text(cell, name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    formats = [excel_number_format(f) if f else None for f in spec.formats]
    for r, values in enumerate(spec.rows, start=header + 1):
        for c, value in enumerate(values, start=1):
            _put(ws.cell(r, c), value, formats[c - 1])
    last_row = header + max(len(spec.rows), 1)
    if not spec.rows:  # an Excel Table needs a data row
        for c in range(1, len(spec.columns) + 1):
            _set_text(ws.cell(header + 1, c), MISSING_MARK)
    from openpyxl.utils import get_column_letter

    ref = f"A{header}:{get_column_letter(len(spec.columns))}{last_row}"
    table = Table(displayName=display_name, ref=ref, comment=spec.title[:255])
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = ws.cell(header + 1, 1)
    shown = spec.formatted_rows()
    for c, name in enumerate(spec.columns, start=1):
        texts = [name] + [
            MISSING_MARK if v is None else t
            for v, t in zip((r[c - 1] for r in spec.rows), (s[c - 1] for s in shown), strict=True)
        ]
        ws.column_dimensions[get_column_letter(c)].width = _width(texts)
    return ref, display_name


def _add_alt_text(path: Path, alt: dict[str, tuple[str, str]]) -> None:
    """Give each Excel Table alt text (title, summary): openpyxl cannot write this extension."""
    tmp = path.with_name(path.name + ".alt")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/tables/") and item.filename.endswith(".xml"):
                text = data.decode("utf-8")
                match = re.search(r'displayName="([^"]+)"', text)
                if match and match.group(1) in alt and "<extLst>" not in text:
                    title, summary = alt[match.group(1)]
                    ext = _ALT_TEXT_EXT.format(title=escape(title, quote=True), summary=escape(summary, quote=True))
                    text = text.replace("</table>", ext + "</table>")
                    data = text.encode("utf-8")
            dst.writestr(item, data)
    os.replace(tmp, path)


def write_workbook(tables: Sequence[TableSpec], path: Path, *, title: str, source: str) -> Path:
    """Write ``tables`` to ``path`` (.xlsx): a Cover sheet, then one sheet and Excel Table each.

    The file appears under its name only once complete (written to a temporary file, then
    renamed).
    """
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    taken_sheets = {"cover"}
    taken_tables: set[str] = set()
    names = [sheet_name(spec.name, taken_sheets) for spec in tables]
    _write_cover(cover, tables, names, title=title, source=source)
    alt: dict[str, tuple[str, str]] = {}
    for spec, name in zip(tables, names, strict=True):
        ws = wb.create_sheet(name)
        display_name = table_name(spec.name, taken_tables)
        _write_table(ws, spec, display_name)
        summary = f"{spec.title}. Source: {spec.source}." + "".join(f" Note: {n}" for n in spec.notes)
        alt[display_name] = (spec.title, summary)
    wb.properties.title = title
    wb.properties.creator = "healthcheck"
    wb.properties.language = "en-GB"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".xlsx")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        wb.save(tmp)
        _add_alt_text(tmp, alt)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".alt").unlink(missing_ok=True)
        raise
    return path


def format_for_csv(spec: TableSpec) -> list[list[Any]]:
    """A table's rows for a CSV writer: header first, numbers as numbers, text made safe."""
    rows: list[list[Any]] = [[safe_text(c) for c in spec.columns]]
    for values in spec.rows:
        rows.append([MISSING_MARK if v is None else v if is_number(v) else safe_text(format_cell(v)) for v in values])
    return rows
