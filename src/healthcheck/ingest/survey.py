"""Cleaning: from a survey platform's raw export to ``responses.parquet`` and a QA log.

The rules, in the order :func:`clean` applies them (each is a small function below):

1. ``tidy``: column names matched ignoring case and spaces; every cell stripped of stray
   whitespace; empty cells are missing. (Reading: :func:`read_raw`, UTF-8, UTF-8 with BOM,
   UTF-16 with or without BOM or Windows-1252, detected; or XLSX.)
2. ``validate``: the pandera schema in :mod:`healthcheck.ingest.schema` (required columns, no
   duplicated names, item cells in the answer set); any failure is one :class:`InputError`.
3. ``blank``: rows with every column empty are excluded.
4. ``test``: test responses are excluded (org name starting 'test'/'testing', a comment that
   is only a test phrase, or 'please ignore' anywhere in the free text).
5. ``duplicate_id``: a response id seen more than once keeps its latest submission;
   ``duplicate_submission``: the same organisation, service, role, answers and comments under
   another id keeps the latest.
6. ``incomplete``: completed = No (or blank) with fewer than half of the items answered is
   excluded; with at least half it is kept and flagged ``partial_kept``.
7. ``unresolved_org``: the organisation is resolved by code, then name or alias, then
   ``params/org_name_map.csv``; rows still unresolved are excluded and listed.
8. answers recoded to 1-5 (labels or numbers); numbers outside 1-5 become missing and are
   flagged ``out_of_range``; an unknown label is an error (never guessed; caught in step 2).
9. ``submitted`` read as dd/mm/yyyy HH:MM (day first) or ISO 8601 (parsed before step 5,
   which needs it); an unreadable date is an error.
10. service and role tidied to their labels; an unknown role becomes 'Other' (flagged
    ``role_other``), an unknown service is an error.
11. the output: the contract columns, items as nullable Int8, the organisation's reference
    name, type and region.

Every excluded row is in the QA log with its response id ('' for blank rows), its spreadsheet
row and the rule, so rows in = rows out + rows excluded.
"""

from __future__ import annotations

import csv
import io
import re
from functools import reduce
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from healthcheck.config import Project
from healthcheck.text.cells import safe_text
from healthcheck.errors import InputError
from healthcheck.files import atomic_write, atomic_write_text
from healthcheck.reference.organisations import OrganisationIndex, looks_like_code, normalise
from healthcheck.reference.codebook import item_columns, load_codebook
from healthcheck.reference.organisations import load_organisations
from healthcheck.ingest.schema import COMMENT_COLUMNS, MAX_LISTED, OUT_OF_RANGE, REQUIRED_COLUMNS, ROLES, SERVICES, answer_tokens, shown, validate_raw, validate_responses

RAW_NAME = "worker_survey"
NAME_MAP_FILE = "org_name_map.csv"

#: (rule, action) in the order applied; 'excluded' rules drop rows, 'flagged' rules only log.
RULES: list[tuple[str, str]] = [
    ("blank", "excluded"),
    ("test", "excluded"),
    ("duplicate_id", "excluded"),
    ("duplicate_submission", "excluded"),
    ("incomplete", "excluded"),
    ("partial_kept", "flagged"),
    ("unresolved_org", "excluded"),
    ("out_of_range", "flagged"),
    ("role_other", "flagged"),
]
QA_COLUMNS = ["response_id", "source_row", "rule", "column", "value", "detail"]
FREE_TEXT = ["org_name", *COMMENT_COLUMNS]
OUTPUT_FRONT = ["response_id", "submitted", "org_code", "org_name", "org_type", "region", "service", "role"]

# An org name that starts with 'test'/'testing' is never a real employer.
_TEST_NAME = re.compile(r"^\s*test(?:ing)?\b", re.IGNORECASE)
# A comment counts only when it is nothing but a test phrase: real comments can start
# 'Testing times ...' or 'Test and trace ...'.
_TEST_COMMENT = re.compile(
    r"^\s*(?:this\s+is\s+(?:a|just\s+a)\s+)?test(?:ing)?"
    r"(?:\s+(?:response|entry|submission|only|data|please))?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_PLEASE_IGNORE = re.compile(r"please\s+ignore", re.IGNORECASE)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters other than tab, newlines, form feed
_DMY = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"]
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_TZ = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
#: Local time of the survey: times given with an offset are converted to it.
LOCAL_TZ = "Europe/London"

_COMPLETED = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}
_SERVICE_ALIASES = {
    "adults": "Adults", "adult": "Adults", "adults services": "Adults", "adult services": "Adults",
    "children": "Children", "child": "Children", "childrens": "Children",
    "childrens services": "Children", "children services": "Children",
    "both": "Both", "adults and children": "Both", "children and adults": "Both",
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Result


@dataclass
class CleanResult:
    """The cleaned table and everything a person needs to check how it was made."""

    responses: pd.DataFrame
    qa_log: pd.DataFrame
    counts: pd.DataFrame
    unresolved: pd.DataFrame
    source: Path
    encoding: str | None = None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rows_out(self) -> int:
        return len(self.responses)

    @property
    def rows_excluded(self) -> int:
        return int(self.counts.loc[self.counts["action"] == "excluded", "rows"].sum())

    @property
    def rows_in(self) -> int:
        """Data rows of the export (every row is either kept or excluded by one rule)."""
        return self.rows_out + self.rows_excluded

    def _source_text(self, root: Path | None = None) -> str:
        if root is not None:
            try:
                return self.source.resolve().relative_to(Path(root).resolve()).as_posix()
            except ValueError:
                pass
        return str(self.source)

    def summary(self, root: Path | None = None) -> str:
        """Readable text: rows in and out, rows per rule and the unresolved names."""
        enc = f" ({self.encoding})" if self.encoding else ""
        orgs = self.responses["org_code"].nunique() if len(self.responses) else 0
        lines = [
            f"Cleaned {self._source_text(root)}{enc}",
            f"  rows in:  {self.rows_in:,}",
            f"  rows out: {self.rows_out:,} valid responses from {orgs} organisation(s)",
            f"  excluded: {self.rows_excluded:,}",
            "",
            f"  {'rule':<22}{'action':<10}{'rows':>7}",
        ]
        for rule in self.counts.itertuples(index=False):
            lines.append(f"  {rule.rule:<22}{rule.action:<10}{rule.rows:>7,}")
        if len(self.unresolved):
            lines += ["", f"Unresolved organisation names (excluded; map them in params/{NAME_MAP_FILE}):"]
            for row in self.unresolved.itertuples(index=False):
                lines.append(f"  {row.org_name!r} (code {row.org_code!r}): {row.rows} row(s)")
        if self.ignored_columns:
            lines += ["", f"Columns not used: {', '.join(self.ignored_columns)}"]
        return "\n".join(lines)

    def markdown(self, year: int | None = None, root: Path | None = None) -> str:
        """The summary as Markdown (``qa_summary.md``), with a table per section."""
        title = f"# Cleaning summary{f', {year}' if year else ''}"
        enc = f" (read as {self.encoding})" if self.encoding else ""
        orgs = self.responses["org_code"].nunique() if len(self.responses) else 0
        lines = [
            title,
            "",
            f"Source: `{self._source_text(root)}`{enc}",
            "",
            f"- Rows in: {self.rows_in:,}",
            f"- Rows out: {self.rows_out:,} valid responses from {orgs} organisation(s)",
            f"- Rows excluded: {self.rows_excluded:,}",
            "",
            "## Rows per rule",
            "",
            "Rules are applied in this order; each excluded row is counted once, under the first "
            "rule that excluded it. Flagged rows are kept. Every row is listed in `qa_log.csv`.",
            "",
            "| rule | action | rows |",
            "| --- | --- | ---: |",
        ]
        lines += [f"| {r.rule} | {r.action} | {r.rows:,} |" for r in self.counts.itertuples(index=False)]
        lines += ["", "## Unresolved organisation names", ""]
        if len(self.unresolved):
            lines += [
                "These rows were excluded because no organisation matches the name or code typed. "
                f"To keep them, add a line per name to `params/{NAME_MAP_FILE}` (columns "
                "`org_name,org_code`, the name exactly as typed below and the ONS code from "
                "`data/reference/organisations.csv`) and run `healthcheck clean` again.",
                "",
                "| org_name as typed | org_code as typed | rows |",
                "| --- | --- | ---: |",
            ]
            for r in self.unresolved.itertuples(index=False):
                lines.append(f"| {_md(r.org_name)} | {_md(r.org_code)} | {r.rows:,} |")
        else:
            lines.append("None: every row's organisation was resolved.")
        if self.ignored_columns:
            lines += ["", "## Columns not used", "", ", ".join(f"`{c}`" for c in self.ignored_columns)]
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|") or " "


# --------------------------------------------------------------------------------------------
# 1. Reading


def read_raw(path: Path) -> pd.DataFrame:
    """The export as typed: every cell a string ('' when empty), the header as column names.

    CSV is read as UTF-8 (with or without BOM) or UTF-16, else Windows-1252; XLSX with openpyxl (first
    sheet). Trailing lines that are entirely empty are not rows. ``attrs['encoding']`` says
    how the file was read.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("the raw export is missing", file=path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError("no responses: the file is empty", file=path)
    if data[:4] == b"PK\x03\x04":
        records, encoding = _xlsx_records(path), "xlsx"
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError("this is an old Excel .xls file, which cannot be read", file=path, hint="save as .xlsx or CSV")
    else:
        text, encoding = _decode(data, path)
        records = _csv_records(text, path)
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        raise InputError("no responses: the file is empty", file=path)
    header, body = records[0], records[1:]
    width = len(header)
    rows = []
    for number, record in enumerate(body, start=2):
        if len(record) > width:
            if any(cell.strip() for cell in record[width:]):
                raise InputError(
                    f"the row has {len(record)} values but the header has {width} columns",
                    file=path,
                    row=number,
                    hint="check for an unquoted comma in a free-text answer",
                )
            record = record[:width]
        rows.append(record + [""] * (width - len(record)))
    frame = pd.DataFrame(rows, columns=header, dtype="str") if rows else pd.DataFrame(columns=header, dtype="str")
    frame.attrs["encoding"] = encoding
    return frame


def _decode(data: bytes, path: Path) -> tuple[str, str]:
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


def _csv_records(text: str, path: Path) -> list[list[str]]:
    """The CSV's records; an unreadable one (such as a cell over the csv module's limit) names its row."""
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
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


def _xlsx_records(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # imported here: only XLSX exports need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad zip; all mean "unreadable"
        raise InputError(f"not a readable XLSX file ({type(exc).__name__})", file=path) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
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
# Step 1: tidy


def column_key(name: object) -> str:
    """A column name as matched: lower case, outer spaces and BOM gone, inner spaces as '_'."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"_+", "_", re.sub(r"\s+", "_", text))


def tidy(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Matched column names, stripped cells, empty as missing; index = spreadsheet row.

    Returns the frame and its columns without a header name (those that are also empty, such
    as from a trailing comma on every line, are dropped).
    """
    frame = raw.copy()
    frame.columns = [column_key(c) or f"unnamed_{i + 1}" for i, c in enumerate(frame.columns)]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="source_row")
    for position in range(frame.shape[1]):
        col = frame.iloc[:, position]
        text = col.astype("str").str.strip()
        frame.isetitem(position, text.mask(text == "").astype("str"))
    headless = [c for c in frame.columns if c.startswith("unnamed_") and frame[c].isna().all()]
    frame = frame.drop(columns=headless)
    return frame, [c for c in frame.columns if c.startswith("unnamed_")]


# --------------------------------------------------------------------------------------------
# Exclusion rules: each returns a boolean mask of the rows it excludes (and details)


def rule_blank(frame: pd.DataFrame) -> pd.Series:
    """Rows with every column empty."""
    return frame.isna().all(axis=1)


def rule_test(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Test responses: an org name starting 'test', a test-only comment, or 'please ignore'."""
    name = frame["org_name"].fillna("")
    hit = name.str.contains(_TEST_NAME)
    why = pd.Series("org_name " + name.map(repr), index=frame.index).where(hit, "")
    for column in FREE_TEXT:
        text = frame[column].fillna("")
        found = text.str.contains(_PLEASE_IGNORE)
        if column != "org_name":
            found |= text.str.contains(_TEST_COMMENT)
        why = why.where(why != "", (f"{column} " + text.map(repr)).where(found, ""))
        hit |= found
    return hit, "test response: " + why


def parse_submitted(series: pd.Series, source: object) -> pd.Series:
    """dd/mm/yyyy HH:MM (day first) or ISO 8601 to local naive datetimes; blank stays NaT."""
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")
    text = series.dropna()
    dmy = text[text.str.match(_DMY)]
    for fmt in _DMY_FORMATS:
        todo = dmy[out[dmy.index].isna()]
        if len(todo):
            out[todo.index] = pd.to_datetime(todo.str.replace(r"\s+", " ", regex=True), format=fmt, errors="coerce")
    iso = text[text.str.match(_ISO)]
    aware = iso[iso.str.contains(_TZ)]
    naive = iso.drop(aware.index)
    if len(naive):
        out[naive.index] = pd.to_datetime(naive, format="ISO8601", errors="coerce")
    if len(aware):
        stamps = pd.to_datetime(aware, format="ISO8601", errors="coerce", utc=True)
        out[aware.index] = stamps.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    bad = text[out[text.index].isna()]
    if len(bad):
        cells = list(zip(bad.index, bad))
        listed = "; ".join(f"row {r}: {shown(v)}" for r, v in cells[:MAX_LISTED])
        more = f"; and {len(cells) - MAX_LISTED} more" if len(cells) > MAX_LISTED else ""
        raise InputError(
            f"{len(cells)} date/time(s) cannot be read: {listed}{more}",
            file=source,
            row=int(bad.index[0]),
            column="submitted",
            hint="use dd/mm/yyyy HH:MM (day first) or ISO 8601 such as 2020-10-05T14:30",
        )
    return out.astype("datetime64[us]")


def _latest_first_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows from earliest to latest submission (blank times first, then file order)."""
    order = pd.DataFrame({"t": frame["submitted"], "row": frame.index}, index=frame.index)
    return order.sort_values(["t", "row"], na_position="first", kind="stable")


def rule_duplicate_id(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The same response id more than once: keep the latest submission (ties: the later row)."""
    order = _latest_first_order(frame)
    ids = frame.loc[order.index, "response_id"]
    drop = ids.duplicated(keep="last").reindex(frame.index)
    last_row = pd.Series(order.index, index=order.index).groupby(ids.values).transform("last")
    times = frame["response_id"].map(frame["response_id"].value_counts())
    detail = (
        "response_id appears "
        + times.astype(str)
        + " times; kept row "
        + last_row.reindex(frame.index).astype(str)
        + " (latest submitted)"
    )
    return drop, detail


def submission_key(frame: pd.DataFrame, tokens: pd.DataFrame, org_key: pd.Series) -> pd.Series:
    """What makes two submissions the same: organisation, service, role, answers, comments."""
    parts = [
        org_key,
        frame["service"].map(_fold, na_action="ignore"),
        frame["role"].map(_fold, na_action="ignore"),
        *(tokens[c] for c in tokens.columns),
        *(frame[c] for c in COMMENT_COLUMNS),
    ]
    # One text per row, the parts joined by a separator no export contains.
    # (as object first: a part that is all missing is float64, which cannot be filled with text)
    return reduce(lambda a, b: a + "\x1f" + b, (p.astype(object).fillna("").astype(str) for p in parts))


def rule_duplicate_submission(frame: pd.DataFrame, key: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identical submissions under different ids: keep the latest, exclude the earlier ones."""
    order = _latest_first_order(frame)
    ordered_key = key[order.index]
    drop = ordered_key.duplicated(keep="last").reindex(frame.index)
    kept = pd.Series(order.index, index=order.index).groupby(ordered_key.values).transform("last")
    kept_id = frame["response_id"].reindex(kept.values).set_axis(kept.index).reindex(frame.index)
    detail = "same organisation, service, role, answers and comments as response " + kept_id.astype(str) + " (later)"
    return drop, detail


def rule_incomplete(frame: pd.DataFrame, items: list[str], source: object) -> tuple[pd.Series, pd.Series, pd.Series]:
    """completed = No (or blank) with fewer than half the items answered.

    Returns (excluded, kept-but-partial, detail naming how many items were answered). An item
    counts as answered when its cell is not blank ('Don't know' is an answer given).
    """
    done = completed_flags(frame["completed"], source)
    answered = frame[items].notna().sum(axis=1)
    partial = ~done
    short = answered * 2 < len(items)
    detail = (
        "completed = "
        + frame["completed"].fillna("(blank)")
        + "; "
        + answered.astype(str)
        + f" of {len(items)} items answered"
    )
    return partial & short, partial & ~short, detail


def completed_flags(series: pd.Series, source: object) -> pd.Series:
    """Yes/No (also Y/N, True/False, 1/0, any case) as booleans; blank counts as No."""
    flags = series.str.lower().map(_COMPLETED)
    bad = series.notna() & flags.isna()
    if bad.any():
        row = int(bad.idxmax())
        raise InputError(
            f"completed must be Yes or No, not {shown(series[row])}", file=source, row=row, column="completed"
        )
    return flags.eq(True) & flags.notna()


def resolve_organisations(frame: pd.DataFrame, index: OrganisationIndex, name_map: dict[str, str]) -> pd.Series:
    """Each row's organisation code (None if unresolved).

    Code first (any case), then name or alias, then the name map; a code typed in the name
    column also counts.
    """
    pairs = frame[["org_code", "org_name"]].astype(object).where(frame[["org_code", "org_name"]].notna(), None)
    found: dict[tuple[object, object], str | None] = {}
    for code, name in pairs.drop_duplicates().itertuples(index=False):  # each spelling once
        result, _ = index.resolve(code, name)
        if result is None and looks_like_code(name):
            result, _ = index.resolve(name, None)
        if result is None:
            result = name_map.get(normalise(name))
        found[(code, name)] = result
    codes = [found[pair] for pair in pairs.itertuples(index=False, name=None)]
    return pd.Series(codes, index=frame.index, dtype=object)


def org_key(frame: pd.DataFrame, codes: pd.Series) -> pd.Series:
    """The resolved code, or what was typed when unresolved (for comparing submissions)."""
    typed = "?" + frame["org_name"].map(normalise) + "|" + frame["org_code"].fillna("").str.upper()
    return codes.where(codes.notna(), typed).astype(str)


def unresolved_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Unresolved (org_name, org_code) as typed with their row counts, most rows first."""
    typed = frame[["org_name", "org_code"]].astype(object).fillna("")
    table = typed.groupby(["org_name", "org_code"], sort=False).size().rename("rows").reset_index()
    table = table.sort_values(["rows", "org_name", "org_code"], ascending=[False, True, True], kind="stable")
    return table.reset_index(drop=True).astype({"org_name": "str", "org_code": "str", "rows": "int64"})


# --------------------------------------------------------------------------------------------
# Recoding


def recode_answers(tokens: pd.DataFrame) -> pd.DataFrame:
    """Answer tokens to codes 1-5 as nullable Int8 (missing and out-of-range as NA)."""
    lookup = {str(code): code for code in range(1, 6)}
    return pd.DataFrame({c: tokens[c].map(lookup).astype("Int8") for c in tokens.columns}, index=tokens.index)


def _fold(text: str) -> str:
    return " ".join(str(text).replace("\u2019", "'").replace("'", "").lower().split())


def tidy_service(series: pd.Series, source: object) -> pd.Series:
    """Adults / Children / Both, any case; anything else (blank too) is an error."""
    lookup = {_fold(s): s for s in SERVICES} | _SERVICE_ALIASES
    tidied = series.map(lambda s: lookup.get(_fold(s)), na_action="ignore")
    bad = tidied.isna()
    if bad.any():
        rows = list(bad[bad].index)
        listed = "; ".join(f"row {r}: {shown(series[r])}" for r in rows[:MAX_LISTED])
        more = f"; and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
        raise InputError(
            f"{len(rows)} unknown service(s): {listed}{more}",
            file=source,
            row=int(rows[0]),
            column="service",
            hint="service must be Adults, Children or Both",
        )
    return tidied.astype("string")


def tidy_role(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The five role labels, any case; anything else (blank too) is 'Other' and flagged."""
    lookup = {_fold(r): r for r in ROLES}
    tidied = series.map(lambda s: lookup.get(_fold(s)), na_action="ignore").astype(object)  # all-None is float64
    other = tidied.isna()
    return tidied.fillna("Other").astype("string"), other & (series.fillna("").map(_fold) != "other")


# --------------------------------------------------------------------------------------------
# The whole cleaning


class _Log:
    """Collects QA log rows and per-rule counts."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.counts = {rule: 0 for rule, _ in RULES}

    def add(self, frame: pd.DataFrame, mask: pd.Series, rule: str, detail: pd.Series | str, column: str = "") -> None:
        hits = frame.index[mask.reindex(frame.index).fillna(False).astype(bool)]
        self.counts[rule] += len(hits)
        for row in hits:
            rid = frame.at[row, "response_id"]
            text = detail if isinstance(detail, str) else detail[row]
            self.rows.append(
                {"response_id": "" if pd.isna(rid) else rid, "source_row": int(row), "rule": rule,
                 "column": column, "value": "", "detail": text}
            )  # fmt: skip

    def add_cell(self, frame: pd.DataFrame, row: int, rule: str, column: str, value: object, detail: str) -> None:
        self.rows.append(
            {"response_id": frame.at[row, "response_id"], "source_row": int(row), "rule": rule,
             "column": column, "value": "" if pd.isna(value) else str(value), "detail": detail}
        )  # fmt: skip

    def qa_log(self) -> pd.DataFrame:
        order = {rule: i for i, (rule, _) in enumerate(RULES)}
        log = pd.DataFrame(self.rows, columns=QA_COLUMNS)
        log["source_row"] = log["source_row"].astype("int64")
        log = log.sort_values(
            ["source_row", "rule", "column"], key=lambda s: s.map(order) if s.name == "rule" else s, kind="stable"
        )
        return log.reset_index(drop=True).astype({c: "str" for c in QA_COLUMNS if c != "source_row"})

    def count_table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"rule": [r for r, _ in RULES], "action": [a for _, a in RULES], "rows": [self.counts[r] for r, _ in RULES]}
        ).astype({"rule": "str", "action": "str", "rows": "int64"})


def clean(
    raw: pd.DataFrame,
    *,
    source: Path,
    codebook: pd.DataFrame,
    orgs: pd.DataFrame,
    name_map: pd.DataFrame | None = None,
) -> CleanResult:
    """Apply the rules (see the module docstring) to a raw export; no files are read or written."""
    items = item_columns(codebook)
    encoding = raw.attrs.get("encoding")
    frame, ignored = tidy(raw)  # 1
    if frame.empty:
        raise InputError("no responses: the file has a header but no rows", file=source)
    validate_raw(frame, items, source)  # 2
    for name in COMMENT_COLUMNS:  # optional in the export
        if name not in frame.columns:
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype="str")
    known = set(frame.columns) - {c for c in frame.columns if c.startswith("unnamed_")}
    ignored += sorted(known - set(items) - {*REQUIRED_COLUMNS, *COMMENT_COLUMNS})
    log = _Log()

    frame = _exclude(frame, rule_blank(frame), "blank", "every column is empty", log)  # 3
    hit, why = rule_test(frame)
    frame = _exclude(frame, hit, "test", why, log)  # 4

    missing_id = frame["response_id"].isna()
    if missing_id.any():
        raise InputError("response_id is blank", file=source, row=int(missing_id.idxmax()), column="response_id")
    frame["submitted"] = parse_submitted(frame["submitted"], source)  # 9, needed by 5
    tokens = pd.DataFrame({c: answer_tokens(frame[c]) for c in items}, index=frame.index)  # 8
    index = OrganisationIndex.build(orgs)
    codes = resolve_organisations(frame, index, _name_map_lookup(name_map, index))  # 7, needed by 5

    drop, why = rule_duplicate_id(frame)  # 5
    frame = _exclude(frame, drop, "duplicate_id", why, log)
    drop, why = rule_duplicate_submission(frame, submission_key(frame, tokens.loc[frame.index], org_key(frame, codes)))
    frame = _exclude(frame, drop, "duplicate_submission", why, log)

    short, partial, answered = rule_incomplete(frame, items, source)  # 6
    frame = _exclude(frame, short, "incomplete", answered + " (fewer than half)", log)

    codes = codes.loc[frame.index]  # 7
    unresolved = codes.isna()
    unresolved_rows = frame[unresolved]
    why = (
        "no organisation matches org_name "
        + frame["org_name"].fillna("").map(repr)
        + " / org_code "
        + frame["org_code"].fillna("").map(repr)
        + f"; map it in params/{NAME_MAP_FILE}"
    )
    frame = _exclude(frame, unresolved, "unresolved_org", why, log)
    codes = codes.loc[frame.index]

    log.add(frame, partial, "partial_kept", answered + " (at least half): kept")  # 6, rows kept
    tokens = tokens.loc[frame.index]
    for row, column in _out_of_range_cells(tokens):  # 8
        log.add_cell(frame, row, "out_of_range", column, frame.at[row, column], "answer outside 1-5; set to missing")
    log.counts["out_of_range"] = int((tokens == OUT_OF_RANGE).any(axis=1).sum())
    service = tidy_service(frame["service"], source)  # 10
    role, other = tidy_role(frame["role"])
    for row in frame.index[other]:
        log.add_cell(frame, row, "role_other", "role", frame.at[row, "role"], "role not in the list; recorded as Other")
    log.counts["role_other"] = int(other.sum())

    responses = build_responses(frame, codes, recode_answers(tokens), service, role, index, items)  # 11
    return CleanResult(
        responses=responses,
        qa_log=log.qa_log(),
        counts=log.count_table(),
        unresolved=unresolved_table(unresolved_rows),
        source=Path(source),
        encoding=encoding,
        ignored_columns=ignored,
    )


def _exclude(frame: pd.DataFrame, mask: pd.Series, rule: str, detail: pd.Series | str, log: _Log) -> pd.DataFrame:
    mask = mask.reindex(frame.index).fillna(False).astype(bool)
    log.add(frame, mask, rule, detail)
    return frame[~mask]


def _out_of_range_cells(tokens: pd.DataFrame) -> list[tuple[int, str]]:
    hits = tokens == OUT_OF_RANGE
    return [(int(row), col) for row in tokens.index[hits.any(axis=1)] for col in tokens.columns if hits.at[row, col]]


def _name_map_lookup(name_map: pd.DataFrame | None, index: OrganisationIndex) -> dict[str, str]:
    """normalised name -> code from ``org_name_map.csv``; every code must be known."""
    if name_map is None or name_map.empty:
        return {}
    lookup: dict[str, str] = {}
    for number, (name, code) in enumerate(name_map[["org_name", "org_code"]].itertuples(index=False), start=2):
        if pd.isna(name) or not str(name).strip():
            continue
        found = index.by_code.get(str(code).strip().upper()) if not pd.isna(code) else None
        if found is None:
            raise InputError(
                f"org_code {code!r} for {name!r} is not a known organisation",
                file=f"params/{NAME_MAP_FILE}",
                row=number,
                column="org_code",
                hint="use an ONS code from data/reference/organisations.csv or params/organisations_extra.csv",
            )
        lookup[normalise(name)] = found
    return lookup


def build_responses(
    frame: pd.DataFrame,
    codes: pd.Series,
    answers: pd.DataFrame,
    service: pd.Series,
    role: pd.Series,
    index: OrganisationIndex,
    items: list[str],
) -> pd.DataFrame:
    """The contract table, one row per valid response, sorted by response id."""
    ref = index.orgs.loc[codes.astype(str)] if len(codes) else index.orgs.iloc[0:0]
    out = pd.DataFrame(index=frame.index)
    out["response_id"] = frame["response_id"].astype("string")
    out["submitted"] = frame["submitted"].astype("datetime64[us]")
    out["org_code"] = codes.astype("string")
    out["org_name"] = pd.Series(ref["name"].to_numpy(), index=frame.index, dtype="string")
    out["org_type"] = pd.Series(ref["org_type"].to_numpy(), index=frame.index, dtype="string")
    out["region"] = pd.Series(ref["region"].to_numpy(), index=frame.index, dtype="string")
    out["service"] = service
    out["role"] = role
    for item in items:
        out[item] = answers[item].astype("Int8")
    for name in COMMENT_COLUMNS:
        out[name] = frame[name].map(_tidy_text, na_action="ignore").astype("string")
    out = out.sort_values(["response_id"], kind="stable").reset_index(drop=True)
    return validate_responses(out, items)


def _tidy_text(text: str) -> str:
    """Free text without stray spaces: each line stripped, runs of spaces as one."""
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in str(text).splitlines())
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------------------------
# A year, from files to files


def raw_export_path(project: Project, year: int) -> Path:
    """``data/raw/<year>/worker_survey.csv`` or ``.xlsx`` (exactly one of them)."""
    folder = project.raw_dir(year)
    found = [p for p in (folder / f"{RAW_NAME}.csv", folder / f"{RAW_NAME}.xlsx") if p.is_file()]
    if not found:
        raise InputError(
            f"no raw export for {year}",
            file=folder / f"{RAW_NAME}.csv",
            hint="put the export there as worker_survey.csv or worker_survey.xlsx, or run `healthcheck sample`",
        )
    if len(found) > 1:
        raise InputError(
            f"both {found[0].name} and {found[1].name} are present for {year}", file=folder, hint="keep only one"
        )
    return found[0]


def load_name_map(project: Project) -> pd.DataFrame | None:
    """``params/org_name_map.csv`` (org_name,org_code) if present."""
    path = project.params_dir / NAME_MAP_FILE
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read the name map: {type(exc).__name__}", file=path) from None
    table.columns = [column_key(c) for c in table.columns]
    for column in ("org_name", "org_code"):
        if column not in table.columns:
            raise InputError(f"missing required column {column!r}", file=path, column=column)
    return table[["org_name", "org_code"]].apply(lambda s: s.str.strip())


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for a CSV file whose text cells cannot start a spreadsheet formula.

    The QA log quotes what was typed in the export (response ids, names, roles), and a person
    opens it in Excel: text starting '=', '+', '-', '@', a tab or a carriage return gets a
    leading apostrophe there (:func:`healthcheck.text.cells.safe_text`). Numbers are untouched.
    """
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(safe_text, na_action="ignore")
    return out


def clean_year(project: Project, year: int) -> CleanResult:
    """Clean a year's raw export and write responses.parquet, qa_log.csv and qa_summary.md."""
    source = raw_export_path(project, year)
    raw = read_raw(source)
    result = clean(
        raw,
        source=source,
        codebook=load_codebook(year, project),
        orgs=load_organisations(project),
        name_map=load_name_map(project),
    )
    write_outputs(result, project.processed_dir(year), year=year, root=project.root)
    return result


def write_outputs(
    result: CleanResult, folder: Path, *, year: int | None = None, root: Path | None = None
) -> list[Path]:
    """The three files, each written atomically and byte-for-byte reproducibly."""
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(result.responses, preserve_index=False)
    paths = [folder / "responses.parquet", folder / "qa_log.csv", folder / "qa_summary.md"]
    atomic_write(paths[0], lambda tmp: pq.write_table(table, tmp, compression="zstd"))
    log = formula_safe(result.qa_log)
    atomic_write(paths[1], lambda tmp: log.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8"))
    atomic_write_text(paths[2], result.markdown(year=year, root=root))
    return paths
