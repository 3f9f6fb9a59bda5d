"""Pandera schemas for the raw worker survey export and the cleaned responses table.

The raw schema only checks what must hold before any row is dropped: the required columns are
there, no column name appears twice and every item cell is something we can read as an answer.
:func:`validate_raw` turns pandera's failure cases into one :class:`InputError` that names the
file, the spreadsheet row and the column, so that no pandera traceback reaches a user.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from healthcheck.errors import HealthcheckError, InputError
from healthcheck.reference.codebook import ANSWER_LABELS, MISSING_LABELS
from healthcheck.reference.labels import label_key
from healthcheck.reference.organisations import NON_COUNCIL, ORG_TYPES, REGIONS
from healthcheck.reference.survey_export import (
    COMMENT_COLUMNS,
    META_COLUMNS,
    ROLES,
    SERVICES,
)

#: How many offending cells an error message lists before saying "and N more".
MAX_LISTED = 5
#: How many characters of an offending cell an error message quotes.
MAX_SHOWN = 80


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A cell quoted for an error message: its repr, cut short (with its length) when long."""
    text = str(value)
    if len(text) <= limit:
        return repr(value)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")

_LABEL_CODES = {label_key(label): code for code, label in enumerate(ANSWER_LABELS, start=1)}
_MISSING_KEYS = {label_key(label) for label in MISSING_LABELS}

#: Tokens of :func:`answer_token` besides the codes "1" to "5".
MISSING = "missing"
OUT_OF_RANGE = "out_of_range"


def answer_token(value: object) -> str | None:
    """What an item cell says: a code '1'-'5', MISSING, OUT_OF_RANGE (a number not 1-5) or None.

    None means the cell is not an answer at all (an unknown label such as 'Agreee'); blank cells
    are MISSING. Labels match case-insensitively; numbers such as '4' or '4.0' are codes.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    text = str(value).strip()
    if not text:
        return MISSING
    if _NUMBER.match(text):
        number = float(text)
        return str(int(number)) if number.is_integer() and 1 <= number <= 5 else OUT_OF_RANGE
    key = label_key(text)
    if key in _LABEL_CODES:
        return str(_LABEL_CODES[key])
    if key in _MISSING_KEYS:
        return MISSING
    return None


def answer_tokens(series: pd.Series) -> pd.Series:
    """:func:`answer_token` for a whole column, working out each distinct value once."""
    lookup = {value: answer_token(value) for value in series.dropna().unique()}
    return series.map(lookup).where(series.notna(), MISSING).astype(object)


def _answers_known(series: pd.Series) -> pd.Series:
    return answer_tokens(series).notna()


def raw_schema(items: list[str]) -> pa.DataFrameSchema:
    """The raw export: required columns, unique column names, item cells in the answer set.

    Values are still text here (any dtype, any may be missing); rows are checked only for
    what no later rule could excuse.
    """
    columns = {name: pa.Column(nullable=True, required=True) for name in META_COLUMNS}
    columns.update({name: pa.Column(nullable=True, required=False) for name in COMMENT_COLUMNS})
    answer_check = pa.Check(
        _answers_known,
        name="answer_set",
        error="an answer label (Strongly disagree ... Strongly agree, Don't know, Not applicable) or 1-5",
    )
    for item in items:
        columns[item] = pa.Column(nullable=True, required=True, checks=answer_check)
    return pa.DataFrameSchema(columns, unique_column_names=True, strict=False, name="worker_survey")


def _cell_list(cells: list[tuple[int, str, object]]) -> str:
    listed = "; ".join(f"row {row}, column '{col}': {shown(value)}" for row, col, value in cells[:MAX_LISTED])
    more = len(cells) - MAX_LISTED
    return listed + (f"; and {more} more" if more > 0 else "")


def validate_raw(frame: pd.DataFrame, items: list[str], source: str | Path | None) -> None:
    """Check a tidied raw export (index = spreadsheet row) or raise one clear InputError."""
    try:
        raw_schema(items).validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise _input_error(exc.failure_cases, source, [str(c) for c in frame.columns]) from None
    except SchemaError as exc:  # pandera raises this in place of SchemaErrors for some checks
        raise InputError(f"the export does not have the expected shape: {exc}", file=source) from None


def _as_list(case: object) -> list:
    # pandera reports duplicated labels as one Index per failure, other checks as scalars
    return [case] if isinstance(case, str) or not hasattr(case, "__iter__") else list(case)


def _input_error(failures: pd.DataFrame, source: str | Path | None, header: list[str]) -> InputError:
    """The most basic problem first: duplicated names, then missing columns, then bad cells."""
    checks = failures["check"].astype(str)
    dupes = failures[checks == "dataframe_column_labels_unique"]
    if len(dupes):
        names = [str(n) for case in dupes["failure_case"] for n in _as_list(case)]
        return InputError(
            f"column name(s) {', '.join(shown(n) for n in names)} appear more than once "
            "(names are compared ignoring case and spaces)",
            file=source,
            column=names[0],
            hint="delete or rename the extra column",
        )
    missing = failures[checks == "column_in_dataframe"]
    if len(missing):
        names = [str(n) for n in missing["failure_case"]]
        listed = ", ".join(shown(n) for n in names[: MAX_LISTED * 2])
        if len(names) > MAX_LISTED * 2:
            listed += f" and {len(names) - MAX_LISTED * 2} more"
        hint = "see docs/data-contracts.md for the columns of the export"
        if len(names) > len(header):  # most of the header is wrong: not the export, or not comma-separated
            header_shown = ", ".join(shown(h) for h in header[:MAX_LISTED])
            more = " ..." if len(header) > MAX_LISTED else ""
            hint = f"the header read was {header_shown}{more}; is this the survey export, saved as comma-separated CSV? {hint}"
        return InputError(f"missing required column(s) {listed}", file=source, column=names[0], hint=hint)
    cells = failures[failures["index"].notna() & failures["column"].notna()]
    if len(cells):
        listed = sorted(
            (
                (int(i), str(c), v)
                for i, c, v in zip(cells["index"], cells["column"], cells["failure_case"], strict=False)
            ),
            key=lambda cell: (cell[0], header.index(cell[1]) if cell[1] in header else len(header)),
        )
        row, column, _ = listed[0]
        return InputError(
            f"{len(listed)} cell(s) are not in the answer set: {_cell_list(listed)}",
            file=source,
            row=row,
            column=column,
            hint="answers must be Strongly disagree, Disagree, Neither agree nor disagree, Agree, "
            "Strongly agree, Don't know, Not applicable, blank or 1-5; labels are never guessed, "
            "so correct the export",
        )
    first = failures.iloc[0]
    return InputError(f"the export fails check {first['check']}: {shown(first['failure_case'])}", file=source)


def responses_schema(items: list[str]) -> pa.DataFrameSchema:
    """The cleaned table ``responses.parquet`` (see docs/data-contracts.md)."""
    text = {"dtype": "string", "nullable": False}
    columns: dict[str, pa.Column] = {
        "response_id": pa.Column(unique=True, **text),
        "submitted": pa.Column("datetime64[us]", nullable=True),
        "org_code": pa.Column(**text),
        "org_name": pa.Column(**text),
        "org_type": pa.Column(checks=pa.Check.isin([*ORG_TYPES, NON_COUNCIL]), **text),
        "region": pa.Column("string", nullable=True, checks=pa.Check.isin(REGIONS)),
        "service": pa.Column(checks=pa.Check.isin(SERVICES), **text),
        "role": pa.Column(checks=pa.Check.isin(ROLES), **text),
    }
    for item in items:
        columns[item] = pa.Column("Int8", nullable=True, checks=pa.Check.in_range(1, 5))
    for name in COMMENT_COLUMNS:
        columns[name] = pa.Column("string", nullable=True)
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name="responses")


def validate_responses(frame: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    """Check the cleaned table before it is written; a failure here is a bug in cleaning."""
    try:
        return responses_schema(items).validate(frame, lazy=True)
    except (SchemaErrors, SchemaError) as exc:
        message = f"internal check of the cleaned responses failed (a bug, please report): {exc}"
        raise HealthcheckError(message) from None
