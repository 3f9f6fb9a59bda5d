"""Reading a raw export, of either instrument, as typed: every cell a string, the header as names.

The survey platform exports CSV in whatever encoding the person saving it chose, or XLSX.
:func:`read_raw` detects UTF-16 (with or without a byte order mark), UTF-8 (with or without
BOM) and Windows-1252, detects a semicolon-, tab- or bar-separated "CSV" (or is told the
delimiter), finds the header below a title row, refuses binary files and old ``.xls`` workbooks,
and names the file and spreadsheet row of anything it cannot read. :func:`tidy` then gives the frame every cleaning
rule starts from: matched column names, stripped cells, empty cells missing, the index the
spreadsheet row. The worker survey (:mod:`healthcheck.ingest.survey`) and the organisational
return (:mod:`healthcheck.ingest.returns`) both read their exports here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from healthcheck.errors import InputError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters other than tab, newlines, form feed


def read_raw(path: Path, *, expected: Sequence[str] = (), delimiter: str | None = None) -> pd.DataFrame:
    """The export as typed: every cell a string ('' when empty), the header as column names.

    CSV is read as UTF-8 (with or without BOM) or UTF-16, else Windows-1252; XLSX with openpyxl (first
    sheet). The CSV's delimiter is ``delimiter`` when named, else detected (comma, semicolon, tab
    or bar: :func:`detect_delimiter`). The header is the first row that names every ``expected``
    column (matched as :func:`column_key` does), else the first row as full as the rows below it,
    so that a title and blank rows above the header are passed over (:func:`find_header`).
    Trailing lines that are entirely empty are not rows. ``attrs`` say how the file was read:
    ``encoding``, ``delimiter`` (None for XLSX) and ``header_row`` (the header's spreadsheet row).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("the raw export is missing", file=path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError("no responses: the file is empty", file=path)
    if data[:4] == b"PK\x03\x04":
        records, encoding = xlsx_records(path), "xlsx"
        delimiter = None
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError("this is an old Excel .xls file, which cannot be read", file=path, hint="save as .xlsx or CSV")
    else:
        text, encoding = decode_text(data, path)
        if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
            raise InputError(f"the delimiter must be one character such as ',' or ';', got {delimiter!r}", file=path)
        delimiter = delimiter or detect_delimiter(text)
        records = csv_records(text, path, delimiter)
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        raise InputError("no responses: the file is empty", file=path)
    at = find_header(records, expected)
    header, body = records[at], records[at + 1 :]
    width = len(header)
    rows = []
    for number, record in enumerate(body, start=at + 2):
        if len(record) > width:
            if any(cell.strip() for cell in record[width:]):
                raise InputError(
                    f"the row has {len(record)} values but the header has {width} columns",
                    file=path,
                    row=number,
                    hint=_width_hint(delimiter),
                )
            record = record[:width]
        rows.append(record + [""] * (width - len(record)))
    frame = pd.DataFrame(rows, columns=header, dtype="str") if rows else pd.DataFrame(columns=header, dtype="str")
    frame.attrs.update(encoding=encoding, delimiter=delimiter, header_row=at + 1)
    return frame


#: Delimiters a spreadsheet's "CSV" may use, by name (for messages), the comma first.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


def _width_hint(delimiter: str | None) -> str:
    if delimiter is None:
        return "check the sheet for values beyond the header's last column"
    name = DELIMITERS.get(delimiter, repr(delimiter))
    return f"the file was read as {name}-separated: check for an unquoted {name} in a free-text answer"


def detect_delimiter(text: str, lines: int = 50) -> str:
    """The delimiter of CSV text: of comma, semicolon, tab and bar, the one that splits the first lines
    into the most columns, the same number on most lines (a comma when none splits them)."""
    sample = "\n".join(text.splitlines()[:lines])
    best, best_width = ",", 1
    for candidate in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate) if any(r)]
        except csv.Error:
            continue
        if not widths:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        if common > best_width and widths.count(common) >= len(widths) / 2:
            best, best_width = candidate, common
    return best


def find_header(records: list[list[str]], expected: Sequence[str] = (), look: int = 20) -> int:
    """The index of the header among ``records``: the first of the first ``look`` rows that names every
    ``expected`` column, else the first with at least two cells and as many filled as half the fullest
    row's (a title row above the header has one cell); 0 when none qualifies."""
    top = records[:look]
    keys = {column_key(c) for c in expected}
    if keys:
        for at, record in enumerate(top):
            if keys <= {column_key(c) for c in record}:
                return at
    filled = [sum(bool(str(c).strip()) for c in r) for r in top]
    widest = max(filled, default=0)
    for at, count in enumerate(filled):
        if count >= 2 and count * 2 >= widest:
            return at
    return 0


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """UTF-16 (BOM or not), UTF-8 (BOM or not), then Windows-1252; binary junk is refused."""
    bom_less = _utf16_without_bom(data)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or bom_less:
        try:
            text, encoding = data.decode(bom_less or "utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise InputError("not a readable CSV or XLSX file (broken UTF-16 text)", file=path) from None
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "UTF-8"
            if data.startswith(b"\xef\xbb\xbf"):
                encoding = "UTF-8 with BOM"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                raise InputError(
                    "not a readable CSV or XLSX file (neither UTF-8 nor Windows-1252 text)",
                    file=path,
                    hint="export the survey as CSV (UTF-8) or XLSX",
                ) from None
    # Text files have no NUL bytes and few control characters; binary files have many.
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(3, len(text) // 100):
        raise InputError(
            "not a readable CSV or XLSX file (it looks like binary data)",
            file=path,
            hint="export the survey as CSV (UTF-8) or XLSX",
        )
    return text, encoding


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text saved without a byte order mark, else None.

    ASCII text in UTF-16 has a NUL in every other byte: in the odd positions for little-endian,
    the even ones for big-endian. Binary files have NULs scattered anywhere.
    """
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2 or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def csv_records(text: str, path: Path, delimiter: str = ",") -> list[list[str]]:
    """The CSV's records; an unreadable one (such as a cell over the csv module's limit) names its row."""
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            records.append(list(record))
    except csv.Error as exc:
        row = len(records) + 1  # the record being read: header = row 1, as in a spreadsheet
        if "field larger than field limit" in str(exc):
            raise InputError(
                f"a cell is too long (over {csv.field_size_limit():,} characters)",
                file=path,
                row=row,
                hint="a survey answer is never that long: check the export for a missing closing quote",
            ) from None
        raise InputError(f"not a readable CSV file: {exc}", file=path, row=row) from None
    return records


def xlsx_records(path: Path) -> list[list[str]]:
    """The first sheet's rows, each cell as the text a CSV export would hold."""
    from openpyxl import load_workbook  # imported here: only XLSX exports need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad zip; all mean "unreadable"
        raise InputError(f"not a readable XLSX file ({type(exc).__name__})", file=path) from None
    try:
        sheet = book.worksheets[0]
        return [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------------------------
# The frame the cleaning rules see


def column_key(name: object) -> str:
    """A column name as matched: lower case, outer spaces and BOM gone, inner spaces as '_'."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"_+", "_", re.sub(r"\s+", "_", text))


def tidy(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Matched column names, stripped cells, empty as missing; index = spreadsheet row (below ``header_row``).

    Returns the frame and its columns without a header name (those that are also empty, such
    as from a trailing comma on every line, are dropped).
    """
    frame = raw.copy()
    frame.columns = [column_key(c) or f"unnamed_{i + 1}" for i, c in enumerate(frame.columns)]
    first = int(raw.attrs.get("header_row", 1)) + 1  # the first data row as a spreadsheet numbers it
    frame.index = pd.RangeIndex(first, len(frame) + first, name="source_row")
    for position in range(frame.shape[1]):
        col = frame.iloc[:, position]
        text = col.astype("str").str.strip()
        frame.isetitem(position, text.mask(text == "").astype("str"))
    headless = [c for c in frame.columns if c.startswith("unnamed_") and frame[c].isna().all()]
    frame = frame.drop(columns=headless)
    return frame, [c for c in frame.columns if c.startswith("unnamed_")]
