"""The named cleaning rules, each a small function of a tidied frame (index = spreadsheet row).

An exclusion rule returns a boolean mask of the rows it excludes and a detail per row for the
QA log; a tidying rule returns the cleaned column, or raises one :class:`InputError` that names
the file, the row and the column of the first cell it cannot read. :func:`healthcheck.ingest.survey.clean`
applies them in the order its docstring gives; the organisational return
(:mod:`healthcheck.ingest.returns`) shares the test, date and free-text rules.
"""

from __future__ import annotations

import re
from functools import reduce

import pandas as pd

from healthcheck.errors import InputError
from healthcheck.ingest.schema import MAX_LISTED, OUT_OF_RANGE, shown
from healthcheck.reference.labels import label_key
from healthcheck.reference.survey_export import COMMENT_COLUMNS, ROLES, SERVICES

#: Free-text columns of the worker survey searched for test markers.
FREE_TEXT = ["org_name", *COMMENT_COLUMNS]

# An org name that starts with 'test'/'testing' is never a real employer.
TEST_NAME = re.compile(r"^\s*test(?:ing)?\b", re.IGNORECASE)
PLEASE_IGNORE = re.compile(r"please\s+ignore", re.IGNORECASE)


def only_test_phrase(*words: str) -> re.Pattern[str]:
    """A free text that is nothing but a test phrase: 'test', 'testing', 'this is a test <word>'.

    Only the whole text counts: real comments can start 'Testing times ...' or 'Test and trace ...'.
    """
    return re.compile(
        r"^\s*(?:this\s+is\s+(?:a|just\s+a)\s+)?test(?:ing)?"
        rf"(?:\s+(?:{'|'.join(words)}))?\s*[.!]*\s*$",
        re.IGNORECASE,
    )


#: A worker survey comment that is only a test phrase.
TEST_COMMENT = only_test_phrase("response", "entry", "submission", "only", "data", "please")

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
# Exclusion rules: each returns a boolean mask of the rows it excludes (and details)


def rule_blank(frame: pd.DataFrame) -> pd.Series:
    """Rows with every column empty."""
    return frame.isna().all(axis=1)


def marked_as_test(
    frame: pd.DataFrame, text_columns: list[str], phrase: re.Pattern[str], *, ignore_only: tuple[str, ...] = ()
) -> tuple[pd.Series, pd.Series]:
    """Test rows: an org name starting 'test', 'please ignore' in a free text, or a test-only free text.

    ``ignore_only`` columns are searched for 'please ignore' alone, before ``text_columns``; the
    detail names the first column that gave the row away.
    """
    name = frame["org_name"].fillna("")
    hit = name.str.contains(TEST_NAME)
    why = pd.Series("org_name " + name.map(repr), index=frame.index).where(hit, "")
    for column in [*ignore_only, *text_columns]:
        text = frame[column].fillna("")
        found = text.str.contains(PLEASE_IGNORE)
        if column not in ignore_only:
            found |= text.str.contains(phrase)
        why = why.where(why != "", (f"{column} " + text.map(repr)).where(found, ""))
        hit |= found
    return hit, why


def rule_test(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Test responses: an org name starting 'test', a test-only comment, or 'please ignore'."""
    hit, why = marked_as_test(frame, COMMENT_COLUMNS, TEST_COMMENT, ignore_only=("org_name",))
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
        cells = list(zip(bad.index, bad, strict=False))
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


def latest_first_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows from earliest to latest submission (blank times first, then file order)."""
    order = pd.DataFrame({"t": frame["submitted"], "row": frame.index}, index=frame.index)
    return order.sort_values(["t", "row"], na_position="first", kind="stable")


def rule_duplicate_id(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The same response id more than once: keep the latest submission (ties: the later row)."""
    order = latest_first_order(frame)
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
        frame["service"].map(label_key, na_action="ignore"),
        frame["role"].map(label_key, na_action="ignore"),
        *(tokens[c] for c in tokens.columns),
        *(frame[c] for c in COMMENT_COLUMNS),
    ]
    # One text per row, the parts joined by a separator no export contains.
    # (as object first: a part that is all missing is float64, which cannot be filled with text)
    return reduce(lambda a, b: a + "\x1f" + b, (p.astype(object).fillna("").astype(str) for p in parts))


def rule_duplicate_submission(frame: pd.DataFrame, key: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Identical submissions under different ids: keep the latest, exclude the earlier ones."""
    order = latest_first_order(frame)
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


# --------------------------------------------------------------------------------------------
# Recoding and tidying


def recode_answers(tokens: pd.DataFrame) -> pd.DataFrame:
    """Answer tokens to codes 1-5 as nullable Int8 (missing and out-of-range as NA)."""
    lookup = {str(code): code for code in range(1, 6)}
    return pd.DataFrame({c: tokens[c].map(lookup).astype("Int8") for c in tokens.columns}, index=tokens.index)


def out_of_range_cells(tokens: pd.DataFrame) -> list[tuple[int, str]]:
    """(row, column) of every answer outside 1-5, row by row, in column order."""
    hits = tokens == OUT_OF_RANGE
    return [(int(row), col) for row in tokens.index[hits.any(axis=1)] for col in tokens.columns if hits.at[row, col]]


def tidy_service(series: pd.Series, source: object) -> pd.Series:
    """Adults / Children / Both, any case; anything else (blank too) is an error."""
    lookup = {label_key(s): s for s in SERVICES} | _SERVICE_ALIASES
    tidied = series.map(lambda s: lookup.get(label_key(s)), na_action="ignore")
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
    lookup = {label_key(r): r for r in ROLES}
    tidied = series.map(lambda s: lookup.get(label_key(s)), na_action="ignore").astype(object)  # all-None is float64
    other = tidied.isna()
    return tidied.fillna("Other").astype("string"), other & (series.fillna("").map(label_key) != "other")


def tidy_text(text: str) -> str:
    """Free text without stray spaces: each line stripped, runs of spaces as one."""
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in str(text).splitlines())
    return "\n".join(line for line in lines if line)
