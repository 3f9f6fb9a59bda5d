"""Headcounts: how many social workers each organisation has (``params/<year>/headcounts.csv``).

The response rate of an organisation is its valid responses against this headcount. The file is
optional: without it every rate is unknown, never guessed. It is read like an export
(:func:`healthcheck.ingest.readers.read_raw`: any of the usual encodings, a semicolon or tab
delimiter, a title row above the header), and checked: each headcount a whole number of people
(``55``, not ``55.5``), each organisation once. A headcount below the organisation's number of
valid responses cannot be right; :func:`headcount_problems` lists those for the QA log, and the
reports then show the rate as not available.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.ingest.readers import column_key, read_raw

#: The QA rule of :func:`headcount_problems` (flagged: no response is dropped).
HEADCOUNT_BELOW = "headcount_below_responses"
COLUMNS = ("org_code", "headcount")


def no_headcounts() -> pd.DataFrame:
    """The empty headcounts table: no organisation's headcount is known."""
    return pd.DataFrame({"org_code": pd.Series(dtype="string"), "headcount": pd.Series(dtype="Int64")})


def _whole(text: str) -> int | None:
    """'55', '55.0' or '1,250' as a whole number; None when it is not one."""
    cleaned = text.replace(",", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return int(value) if value.is_integer() and value >= 0 else None


def read_headcounts(path: Path) -> pd.DataFrame:
    """``org_code,headcount`` (``attrs['rows']`` the spreadsheet row of each); an absent file gives an empty table.

    A blank headcount is unknown. Anything else that is not a whole number of people, or an
    org_code given twice, is an :class:`InputError` naming the file, the row and the column.
    """
    if not path.is_file():
        return no_headcounts()
    raw = read_raw(path, expected=COLUMNS)
    raw.columns = [column_key(c) for c in raw.columns]
    for col in COLUMNS:
        if col not in raw.columns:
            found = ", ".join(c for c in raw.columns if c) or "none"
            raise InputError(f"missing required column (the header names {found})", file=path, column=col,
                             row=raw.attrs.get("header_row"), hint="the header must read org_code,headcount")  # fmt: skip
    first = int(raw.attrs.get("header_row", 1)) + 1
    frame = raw[list(COLUMNS)].apply(lambda s: s.str.strip())
    frame["org_code"] = frame["org_code"].str.upper()
    frame.index = pd.RangeIndex(first, first + len(frame))
    frame = frame[(frame != "").any(axis=1)]  # rows left blank in a spreadsheet
    counts = []
    for row, code, text in frame.itertuples(name=None):
        if not code:
            raise InputError("org_code is blank", file=path, row=row, column="org_code")
        value = _whole(text) if text else None
        if text and value is None:
            raise InputError(f"headcount must be a whole number of social workers, got {text!r}", file=path,
                             row=row, column="headcount")  # fmt: skip
        counts.append(value)
    twice = frame["org_code"].duplicated()
    if twice.any():
        row = int(frame.index[twice.to_numpy()][0])
        code = frame.at[row, "org_code"]
        first_row = int(frame.index[(frame["org_code"] == code).to_numpy()][0])
        raise InputError(f"org_code {code} is given twice (first on row {first_row})", file=path, row=row,
                         column="org_code", hint="keep one headcount per organisation")  # fmt: skip
    out = pd.DataFrame(
        {"org_code": frame["org_code"].astype("string").to_numpy(), "headcount": pd.array(counts, dtype="Int64")}
    )
    out.attrs["rows"] = dict(zip(out["org_code"], frame.index, strict=True))
    return out


def load_headcounts(project: Project, year: int) -> pd.DataFrame:
    """A year's headcounts (:func:`read_headcounts` of ``params/<year>/headcounts.csv``)."""
    return read_headcounts(catalogue.HEADCOUNTS.path(project, year))


def headcount_problems(headcounts: pd.DataFrame, responses: pd.DataFrame, path: Path | str) -> pd.DataFrame:
    """QA log rows (``response_id``, ``source_row``, ``rule``, ``column``, ``value``, ``detail``) for each
    organisation whose headcount is below its valid responses: its rate would be over 100%."""
    counts = responses.groupby("org_code").size()
    rows = headcounts.attrs.get("rows", {})
    out = []
    for code, headcount in zip(headcounts["org_code"], headcounts["headcount"], strict=True):
        n = int(counts.get(code, 0))
        if pd.isna(headcount) or n <= int(headcount):
            continue
        out.append({
            "response_id": "", "source_row": int(rows.get(code, 0)), "rule": HEADCOUNT_BELOW, "column": "headcount",
            "value": str(int(headcount)),
            "detail": f"{path}: the headcount of {code}, {int(headcount)}, is below its {n} valid responses; "
                      "its response rate is shown as not available (check the headcount)",
        })  # fmt: skip
    return pd.DataFrame(out, columns=["response_id", "source_row", "rule", "column", "value", "detail"])
