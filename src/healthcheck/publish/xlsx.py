"""The report's tables as an accessible spreadsheet, as the Analysis Function asks.

Following the UK Government Analysis Function's guidance on releasing statistics in
spreadsheets (the standard the ``gptables`` package implements): a Cover sheet (title, what the
workbook holds, source, date of publication, publisher, contact, other formats, the shorthand
used), a Contents sheet and a Notes sheet, each with its table, then one table per sheet,
named ``Table_1`` ... as the report numbers its tables, with its title in A1 (a real heading
style) ending in its note markers ('[note 2]'), the source below it, and the table itself as a
named Excel Table with one header row, starting in column A. No merged cells, no blank columns,
no colour carrying meaning; numbers stored as numbers (shown with the report's rounding
through a number format; a per cent written as text, '11.3%', is stored as the number it is);
a cell without a figure holds the shorthand ``[c]``, ``[x]`` or ``[low]`` (never 'n/a' or
'*'), explained on the cover and on the sheet; panes frozen under the header; columns sized to
their contents; set up to print on A4, one page wide, the header row on every page.

Text that a spreadsheet could take for a formula (starting ``=``, ``+``, ``-``, ``@``, or a tab
or carriage return) is stored as a literal string with Excel's quote prefix, so it is shown and
never evaluated. :func:`healthcheck.text.cells.safe_text` does the same job for CSV files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from healthcheck.publish.display import SHORTHAND, TableSpec, excel_number_format, format_cell, is_number
from healthcheck.text.cells import FORMULA_START, safe_text

MISSING_MARK = "[x]"  # a figure that is not there
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
    elif (parsed := number_from_text(str(value))) is not None:
        cell.value, cell.number_format = parsed  # '11.3%' is a number shown as a per cent, not text
    else:
        _set_text(cell, str(value))


def _width(texts: Sequence[str]) -> float:
    longest = max((len(t) for t in texts), default=0)
    return float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))


#: Cell text the documents use for a missing figure, and the shorthand the workbook writes instead.
LEGACY_MARKS = {"n/a": "[x]", "*": "[low]", "": "[x]"}
_NUMBER_TEXT = re.compile(r"^(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%?)$")
#: Sheets before the tables, in the Analysis Function's order.
COVER, CONTENTS, NOTES = "Cover", "Contents", "Notes"
COVER_WIDTH = 90  # characters: the cover's one column, which its paragraphs wrap in


def number_from_text(text: str) -> tuple[float, str] | None:
    """'11.3%' -> (0.113, '0.0%'), '1,234' -> (1234.0, '#,##0'): a number written as text, with its format."""
    match = _NUMBER_TEXT.match(text.strip())
    if not match:
        return None
    sign, whole, decimals, percent = match.groups()
    value = float(f"{sign}{whole.replace(',', '')}.{decimals or '0'}")
    places = "." + "0" * len(decimals) if decimals else ""
    if percent:
        return value / 100, f"0{places}%"
    return value, ("#,##0" if "," in whole or abs(value) >= 1000 else "0") + places


def _cell_value(value: Any) -> Any:
    """A table value as the workbook stores it: numbers as numbers, shorthand for what is missing."""
    if value is None:
        return MISSING_MARK
    if isinstance(value, str) and value.strip() in LEGACY_MARKS:
        return LEGACY_MARKS[value.strip()]
    return value


def marks_in(tables: Sequence[TableSpec]) -> list[str]:
    """The shorthand the tables' cells use, in :data:`SHORTHAND`'s order."""
    used = {str(_cell_value(v)) for spec in tables for row in spec.rows for v in row if not is_number(v)}
    return [mark for mark in SHORTHAND if mark in used]


def note_numbers(tables: Sequence[TableSpec]) -> dict[str, int]:
    """Every table note, numbered once in order of first use (a note shared by tables keeps one number)."""
    numbers: dict[str, int] = {}
    for spec in tables:
        for note in spec.notes:
            numbers.setdefault(note, len(numbers) + 1)
    return numbers


def table_heading(spec: TableSpec, number: int, notes: dict[str, int]) -> str:
    """'Table 3: title [note 1] [note 4]': the number is the report's own table number."""
    title = spec.title if re.match(r"^Table \d+\b", spec.title) else f"Table {number}: {spec.title}"
    markers = "".join(f" [note {notes[n]}]" for n in spec.notes)
    return title + markers


def _heading(ws: Any, row: int, text: str, style: str = "Headline 2") -> int:
    ws.cell(row, 1).style = style
    _set_text(ws.cell(row, 1), text)
    return row + 1


def _para(ws: Any, row: int, text: str) -> int:
    from openpyxl.styles import Alignment

    _set_text(ws.cell(row, 1), text)
    ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    _fit_height(ws, row, [text], [COVER_WIDTH])
    return row + 1


def _write_cover(ws: Any, tables: Sequence[TableSpec], *, title: str, source: str, properties: dict[str, Any]) -> None:
    """Title, what the workbook holds, source, publication, contact, other formats and the shorthand."""
    ws["A1"].style = "Headline 1"
    _set_text(ws["A1"], title)
    row = 2
    count = f"the {len(tables)} tables" if len(tables) != 1 else "the table"
    row = _para(ws, row, f"This workbook holds {count} of the report, one table to a worksheet, listed on the "
                         f"{CONTENTS} worksheet. A table's notes are on the {NOTES} worksheet: a title ending "
                         "[note 1] has note 1." if tables else "The report has no tables.")  # fmt: skip
    row = _heading(ws, row + 1, "Source")
    row = _para(ws, row, source)
    if properties.get("date") or properties.get("publisher"):
        row = _heading(ws, row + 1, "Published")
        when = str(properties.get("date") or "")
        try:
            from healthcheck.text.words import long_date

            when = long_date(dt.date.fromisoformat(when))
        except ValueError:
            pass
        row = _para(ws, row, " by the ".join(p for p in (when, str(properties.get("publisher") or "")) if p))
    contact = properties.get("contact") if isinstance(properties.get("contact"), dict) else {}
    if contact:
        row = _heading(ws, row + 1, "Contact")
        for key in ("team", "email", "phone"):
            if contact.get(key):
                _set_text(ws.cell(row, 1), str(contact[key]))
                if key == "email":
                    ws.cell(row, 1).hyperlink = f"mailto:{contact[key]}"
                    ws.cell(row, 1).style = "Hyperlink"
                row += 1
    row = _heading(ws, row + 1, "Other formats")
    row = _para(ws, row, "This report is also published as a web page, a Word document and a PDF. "
                         + str(properties.get("alternative_formats") or ""))  # fmt: skip
    row = _heading(ws, row + 1, "Shorthand and rounding")
    for mark in marks_in(tables):
        row = _para(ws, row, f"{mark}: {SHORTHAND[mark]}")
    row = _para(ws, row, "Figures are stored unrounded; they are shown rounded as in the report.")
    ws.column_dimensions["A"].width = COVER_WIDTH


def _fit_height(ws: Any, row: int, texts: Sequence[str], widths: Sequence[float]) -> None:
    """A row tall enough for its wrapped text (spreadsheet programs do not always work it out)."""
    lines = max((-(-len(t) // max(int(w) - 1, 1)) for t, w in zip(texts, widths, strict=False)), default=1)
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines


def _simple_table(
    ws: Any, top: int, columns: Sequence[str], rows: Sequence[Sequence[Any]], name: str, widths: Sequence[float]
) -> str:
    """A small Excel Table (contents, notes) from ``top``, columns ``widths`` wide; returns its reference."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    for col, heading in enumerate(columns, start=1):
        _set_text(ws.cell(top, col), heading)
        ws.cell(top, col).font = Font(bold=True)
    for r, values in enumerate(rows, start=top + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            _put(cell, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        _fit_height(ws, r, [str(v) for v in values], widths)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ref = f"A{top}:{get_column_letter(len(columns))}{top + max(len(rows), 1)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    return ref


def _write_contents(ws: Any, tables: Sequence[TableSpec], names: list[str], headings: list[str]) -> None:
    ws["A1"].style = "Headline 1"
    _set_text(ws["A1"], "Contents")
    _set_text(ws["A2"], "This worksheet contains one table: each worksheet of the workbook and what it holds.")
    rows = [(COVER, "About this workbook: source, publication, contact, other formats and shorthand"),
            (NOTES, "The notes the tables refer to"), *zip(names, headings, strict=True)]  # fmt: skip
    _simple_table(ws, 3, ("Worksheet", "What it holds"), rows, "Contents_table", (14, 90))
    for r, (sheet, _) in enumerate(rows, start=4):
        ws.cell(r, 1).hyperlink = f"#'{sheet}'!A1"
        ws.cell(r, 1).style = "Hyperlink"
    _print_setup(ws, 3, False)


def _write_notes(ws: Any, tables: Sequence[TableSpec], notes: dict[str, int], names: list[str]) -> None:
    ws["A1"].style = "Headline 1"
    _set_text(ws["A1"], "Notes")
    _set_text(
        ws["A2"],
        "This worksheet contains one table. A table's title ends with the numbers of the notes that apply to it.",
    )
    used = {n: [name for name, spec in zip(names, tables, strict=True) if n in spec.notes] for n in notes}
    rows = [(f"[note {number}]", text, ", ".join(used[text])) for text, number in notes.items()]
    if not rows:
        rows = [("[x]", "The tables have no notes.", "[x]")]
    _simple_table(ws, 3, ("Note number", "Note text", "Tables"), rows, "Notes_table", (14, 80, 24))
    _print_setup(ws, 3, False)


def _print_setup(ws: Any, header: int, landscape: bool) -> None:
    """A4, one page wide, the header row repeated on every printed page, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header:
        ws.print_title_rows = f"{header}:{header}"
    ws.oddFooter.center.text = "Page &P of &N"


def _write_table(ws: Any, spec: TableSpec, display_name: str, heading: str) -> tuple[str, str]:
    """Heading (with note markers), source, the shorthand used, then the table as an Excel Table."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from healthcheck.publish.render.typst import table_fit

    ws["A1"].style = "Headline 1"
    _set_text(ws["A1"], heading)
    _set_text(ws["A2"], "This worksheet contains one table, starting in the row below the source.")
    _set_text(ws["A3"], f"Source: {spec.source}")
    row = 3
    marks = marks_in([spec])
    if marks:
        row += 1
        _set_text(ws.cell(row, 1), "Shorthand: " + "; ".join(f"{m} {SHORTHAND[m]}" for m in marks) + ".")
    header = row + 1
    for col, name in enumerate(spec.columns, start=1):
        cell = ws.cell(header, col)
        _set_text(cell, name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    formats = [excel_number_format(f) if f else None for f in spec.formats]
    for r, values in enumerate(spec.rows, start=header + 1):
        for c, value in enumerate(values, start=1):
            _put(ws.cell(r, c), _cell_value(value), formats[c - 1])
    last_row = header + max(len(spec.rows), 1)
    if not spec.rows:  # an Excel Table needs a data row
        for c in range(1, len(spec.columns) + 1):
            _set_text(ws.cell(header + 1, c), MISSING_MARK)
    ref = f"A{header}:{get_column_letter(len(spec.columns))}{last_row}"
    table = Table(displayName=display_name, ref=ref, comment=spec.title[:255])
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = ws.cell(header + 1, 1)
    shown = spec.formatted_rows()
    for c, name in enumerate(spec.columns, start=1):
        texts = [name] + [
            str(_cell_value(v)) if not is_number(v) else t
            for v, t in zip((r[c - 1] for r in spec.rows), (s[c - 1] for s in shown), strict=True)
        ]
        ws.column_dimensions[get_column_letter(c)].width = _width(texts)
        if max((len(t) for t in texts), default=0) > MAX_WIDTH:  # long wording wraps in its column
            for r, t in zip(range(header + 1, last_row + 1), texts[1:], strict=False):
                ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
                _fit_height(ws, r, [t], [MAX_WIDTH])
    _print_setup(ws, header, table_fit(spec).landscape)
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


def write_workbook(
    tables: Sequence[TableSpec],
    path: Path,
    *,
    title: str,
    source: str,
    properties: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``tables`` to ``path`` (.xlsx) to the Analysis Function's standard.

    Cover (title, what it holds, source, publication, contact, other formats, shorthand),
    Contents and Notes, then one worksheet and Excel Table per table, named ``Table_1`` ... as
    the report numbers them. ``properties`` are the report's document properties
    (:func:`healthcheck.publish.display.show_publication`). The file appears under its name only
    once complete (written to a temporary file, then renamed).
    """
    from openpyxl import Workbook

    path = Path(path)
    properties = dict(properties or {})
    wb = Workbook()
    cover = wb.active
    cover.title = COVER
    taken_sheets = {COVER.lower(), CONTENTS.lower(), NOTES.lower()}
    taken_tables: set[str] = {"contents_table", "notes_table"}
    names = [sheet_name(f"Table_{i}", taken_sheets) for i in range(1, len(tables) + 1)]
    notes = note_numbers(tables)
    headings = [table_heading(spec, i, notes) for i, spec in enumerate(tables, start=1)]
    _write_cover(cover, tables, title=title, source=source, properties=properties)
    _print_setup(cover, 0, False)
    _write_contents(wb.create_sheet(CONTENTS), tables, names, headings)
    _write_notes(wb.create_sheet(NOTES), tables, notes, names)
    alt: dict[str, tuple[str, str]] = {}
    for spec, name, heading in zip(tables, names, headings, strict=True):
        ws = wb.create_sheet(name)
        display_name = table_name(spec.name, taken_tables)
        _write_table(ws, spec, display_name, heading)
        summary = f"{spec.title}. Source: {spec.source}." + "".join(f" Note: {n}" for n in spec.notes)
        alt[display_name] = (spec.title, summary)
    wb.properties.title = title
    wb.properties.creator = str(properties.get("author") or "healthcheck")
    wb.properties.lastModifiedBy = wb.properties.creator
    wb.properties.subject = str(properties.get("subject") or "") or None
    keywords = properties.get("keywords")
    wb.properties.keywords = "; ".join(map(str, keywords)) if isinstance(keywords, list) else None
    wb.properties.description = str(properties.get("description") or "") or None
    wb.properties.language = str(properties.get("language") or "en-GB")
    with contextlib.suppress(ValueError):
        wb.properties.created = wb.properties.modified = dt.datetime.fromisoformat(str(properties.get("date")))
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
