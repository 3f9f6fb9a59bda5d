"""The organisational return: reading, validating and cleaning what each principal social worker submits.

One row per organisation and year (``data/raw/<year>/org_return.csv`` or ``.xlsx``), one column
per Annex C question named by its ``qid`` in ``data/reference/return_codebook.csv``
(:mod:`healthcheck.reference.return_codebook`). The rules,
in the order :func:`clean_return` applies them:

1. ``tidy``: column names matched ignoring case and spaces, every cell stripped, empty cells
   missing (read as the worker survey is, by :func:`healthcheck.ingest.readers.read_raw`:
   UTF-8, UTF-8 with BOM, UTF-16 or Windows-1252, or XLSX).
   The meta columns and every single, multi and number question must be present; a missing
   free-text column is added empty.
2. ``blank``: rows with every column empty are excluded.
3. ``test``: test submissions are excluded (org name starting 'test'/'testing', 'please ignore'
   in any free text, or a free-text answer that is only a test phrase).
4. Answers are validated, for every row left (an error stops the cleaning; nothing is guessed):
   single and multi choice against the codebook's options (case, spaces, curly apostrophes, en
   dashes and a trailing '(please specify)' do not matter; multi-choice labels separated by
   ';'); numbers must be numbers (thousands commas allowed) and not negative; ``service`` is
   Children or Adults; ``submitted`` is dd/mm/yyyy HH:MM or ISO 8601. Any failure is one
   :class:`InputError` naming the file, the spreadsheet row, the column and the value.
5. ``unresolved_org``: the organisation is resolved by code, then name or alias (through
   :class:`healthcheck.reference.organisations.OrganisationIndex`), then ``params/org_name_map.csv``
   (:mod:`healthcheck.ingest.names`; a code there that the reference data does not know is an
   error); rows still unresolved are excluded.
6. ``duplicate``: an organisation that submitted more than once keeps its latest submission
   (ties: the later row); the earlier ones are excluded.
7. ``filter_mismatch`` (flagged): a follow-up answered by someone whose answer to the parent
   question was not the filter value (``supervision_training_mandatory`` answered after 'No' to
   ``supervision_training_reflective``) is set missing. Applied in codebook order, so a chain of
   follow-ups (exit interviews -> follow-up policy -> its details) clears in one pass.
8. ``implausible`` (flagged, values kept): numbers outside what can be true of one
   organisation (unfilled posts above FTE posts, frozen above unfilled, ...; see
   :data:`PLAUSIBILITY` and :data:`RANGES`).

Outputs ``data/processed/<year>/org_return.parquet`` (the contract in docs/organisational-return.md)
and ``org_return_qa.csv`` (``response_id,source_row,rule,column,value,detail``: one line per
excluded row and per flagged cell).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.ingest.names import (
    ENDED_ORG,
    NAME_MAP_NAME,
    SUCCESSOR_ORG,
    history_notes,
    load_name_map,
    name_map_lookup,
    resolve_organisations,
)
from healthcheck.ingest.outputs import write_parquet, write_qa_csv
from healthcheck.ingest.readers import read_raw, tidy
from healthcheck.ingest.rules import (
    latest_first_order,
    marked_as_test,
    only_test_phrase,
    parse_submitted,
    tidy_text,
)
from healthcheck.ingest.schema import MAX_LISTED
from healthcheck.reference.labels import label_key, label_text_key
from healthcheck.reference.organisations import OrganisationIndex, organisations_as_of
from healthcheck.reference.return_codebook import (
    META_COLUMNS,
    load_return_codebook,
    options,
    parse_filter,
    qids,
    split_options,
)

OUTPUT_FRONT = ["response_id", "submitted", "org_code", "org_name", "org_type", "region", "service"]
SERVICES = ["Children", "Adults"]

#: (rule, action) in the order applied; 'excluded' rules drop rows, 'flagged' rules only log.
RULES: list[tuple[str, str]] = [
    ("blank", "excluded"),
    ("test", "excluded"),
    ("unresolved_org", "excluded"),
    (SUCCESSOR_ORG, "flagged"),
    (ENDED_ORG, "flagged"),
    ("duplicate", "excluded"),
    ("filter_mismatch", "flagged"),
    ("implausible", "flagged"),
]
QA_COLUMNS = ["response_id", "source_row", "rule", "column", "value", "detail"]

#: Pairs that cannot both be true of one organisation: (column, must not exceed, why).
PLAUSIBILITY: list[tuple[str, str, str]] = [
    ("unfilled_posts", "fte_posts", "more unfilled posts than FTE posts"),
    ("agency_posts", "fte_posts", "more posts covered by agency staff than FTE posts"),
    ("frozen_posts", "unfilled_posts", "more frozen vacancies than unfilled posts"),
    ("deleted_posts", "fte_posts", "more posts deleted than FTE posts"),
    ("market_supplements", "fte_posts", "more posts with market supplements than FTE posts"),
    ("absence_total", "fte_posts", "more posts on long-term absence than FTE posts"),
]
ABSENCE_COLUMNS = ["absence_stress", "absence_planned", "absence_maternity", "absence_other"]
#: Plausible range of single numbers, inclusive: (low, high).
RANGES: dict[str, tuple[float, float]] = {
    "fte_posts": (1, 5000),  # 0 FTE posts makes every proportion meaningless
    "caseload": (1, 50),
    "hours_over": (0, 30),
}

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
# The worker survey's test rule (healthcheck.ingest.rules.marked_as_test), with 'return' a test word too.
_TEST_TEXT = only_test_phrase("response", "entry", "submission", "return", "only", "data", "please")
_SERVICE_KEYS = {
    "children": "Children", "child": "Children", "childrens": "Children", "childrens services": "Children",
    "children services": "Children", "adults": "Adults", "adult": "Adults", "adult services": "Adults",
    "adults services": "Adults", "adult social care": "Adults",
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Result


@dataclass
class ReturnResult:
    """The cleaned returns and what a person needs to check how they were made.

    ``found`` is False (and the result is falsy) when the year has no return file: ``message``
    then says where to put it, and every table is empty.
    """

    returns: pd.DataFrame
    qa_log: pd.DataFrame
    counts: pd.DataFrame
    source: Path | None
    encoding: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    found: bool = True
    message: str = ""

    def __bool__(self) -> bool:
        return self.found

    @property
    def rows_out(self) -> int:
        return len(self.returns)

    @property
    def rows_excluded(self) -> int:
        return int(self.counts.loc[self.counts["action"] == "excluded", "rows"].sum()) if len(self.counts) else 0

    @property
    def rows_in(self) -> int:
        return self.rows_out + self.rows_excluded

    def summary(self) -> str:
        """Readable text: rows in and out and rows per rule."""
        if not self.found:
            return self.message
        enc = f" ({self.encoding})" if self.encoding else ""
        lines = [
            f"Cleaned {self.source}{enc}",
            f"  rows in:  {self.rows_in:,}",
            f"  rows out: {self.rows_out:,} returns, one per organisation",
            f"  excluded: {self.rows_excluded:,}",
            "",
            f"  {'rule':<18}{'action':<10}{'rows/cells':>11}",
        ]
        lines += [f"  {r.rule:<18}{r.action:<10}{r.rows:>11,}" for r in self.counts.itertuples(index=False)]
        if self.ignored_columns:
            lines += ["", f"Columns not used: {', '.join(self.ignored_columns)}"]
        return "\n".join(lines)


def empty_result(message: str, source: Path | None = None) -> ReturnResult:
    """The result for a year without a return file."""
    counts = pd.DataFrame({"rule": [r for r, _ in RULES], "action": [a for _, a in RULES], "rows": 0})
    return ReturnResult(
        returns=pd.DataFrame(columns=OUTPUT_FRONT),
        qa_log=pd.DataFrame(columns=QA_COLUMNS),
        counts=counts.astype({"rows": "int64"}),
        source=source,
        found=False,
        message=message,
    )


# --------------------------------------------------------------------------------------------
# Validation: each returns the cleaned column or raises InputError on the first bad cell


def _raise_cells(cells: list[tuple[int, str, str]], what: str, source: object, hint: str | None = None) -> None:
    """One error for bad cells [(row, column, value)], naming the first and listing a few."""
    if not cells:
        return
    cells = sorted(cells, key=lambda c: c[0])
    row, column, value = cells[0]
    listed = "; ".join(f"row {r} column '{c}': {v!r}" for r, c, v in cells[:MAX_LISTED])
    more = f"; and {len(cells) - MAX_LISTED} more" if len(cells) > MAX_LISTED else ""
    first = f"{what} {value!r}" + (f" ({listed}{more})" if len(cells) > 1 else "")
    raise InputError(first, file=source, row=int(row), column=column, hint=hint)


def clean_single(series: pd.Series, labels: list[str]) -> tuple[pd.Series, list[tuple[int, str, str]]]:
    """Labels as the form spells them; unknown values returned as (row, column, value)."""
    lookup = {label_text_key(label): label for label in labels}
    found = {value: lookup.get(label_text_key(value)) for value in series.dropna().unique()}
    out = series.map(found, na_action="ignore")
    bad = series.notna() & out.isna()
    return out.astype("string"), [(int(r), str(series.name), series[r]) for r in series.index[bad]]


def clean_multi(series: pd.Series, labels: list[str]) -> tuple[pd.Series, list[tuple[int, str, str]]]:
    """';'-separated labels, each validated, returned de-duplicated in the form's order."""
    lookup = {label_text_key(label): label for label in labels}
    order = {label: i for i, label in enumerate(labels)}
    values: list[object] = []
    bad: list[tuple[int, str, str]] = []
    for row, value in series.items():
        chosen = set()
        if not pd.isna(value):
            for piece in str(value).split(";"):
                if not piece.strip():
                    continue
                label = lookup.get(label_text_key(piece))
                if label is None:
                    bad.append((int(row), str(series.name), piece.strip()))
                else:
                    chosen.add(label)
        values.append(";".join(sorted(chosen, key=order.get)) if chosen else pd.NA)
    return pd.Series(values, index=series.index, dtype="string"), bad


def clean_number(series: pd.Series) -> tuple[pd.Series, list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """Numbers as Float64; returns (values, non-numeric cells, negative cells)."""
    text = series.dropna().astype(str).str.strip()
    ok = text.str.match(_NUMBER) & text.str.contains(r"\d")
    values = pd.to_numeric(text[ok].str.replace(",", "", regex=False), errors="coerce")
    out = pd.Series(pd.NA, index=series.index, dtype="Float64")
    out[values.index] = values.astype("float64")
    name = str(series.name)
    not_number = [(int(r), name, series[r]) for r in text.index[~ok]]
    negative = [(int(r), name, series[r]) for r in values.index[values < 0]]
    return out, not_number, negative


def clean_service(series: pd.Series, source: object) -> pd.Series:
    """Children or Adults (any case, a few usual spellings); anything else, blank too, is an error."""
    key = series.map(label_key, na_action="ignore")
    out = key.map(_SERVICE_KEYS)
    bad = [(int(r), "service", "" if pd.isna(series[r]) else series[r]) for r in series.index[out.isna()]]
    _raise_cells(bad, "unknown service", source, hint="service must be Children or Adults")
    return out.astype("string")


def validate_answers(frame: pd.DataFrame, codebook: pd.DataFrame, source: object) -> pd.DataFrame:
    """Every question column cleaned to its type; the first bad cell is an InputError."""
    out = pd.DataFrame(index=frame.index)
    unknown: list[tuple[int, str, str]] = []
    not_number: list[tuple[int, str, str]] = []
    negative: list[tuple[int, str, str]] = []
    for row in codebook.itertuples(index=False):
        column = frame[row.qid]
        if row.type == "single":
            out[row.qid], bad = clean_single(column, split_options(row.options))
            unknown += bad
        elif row.type == "multi":
            out[row.qid], bad = clean_multi(column, split_options(row.options))
            unknown += bad
        elif row.type == "number":
            out[row.qid], nn, neg = clean_number(column)
            not_number += nn
            negative += neg
        else:
            out[row.qid] = column.map(tidy_text, na_action="ignore").astype("string")
    position = {q: i for i, q in enumerate(codebook["qid"])}

    def first(cells: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
        return sorted(cells, key=lambda c: (c[0], position[c[1]]))

    if unknown:
        row, column, _ = first(unknown)[0]
        labels = "; ".join(options(codebook, column))
        _raise_cells(first(unknown), "unknown answer", source, hint=f"'{column}' takes: {labels}")
    _raise_cells(first(not_number), "not a number:", source, hint="type numbers only, e.g. 12 or 12.5")
    _raise_cells(first(negative), "a count cannot be negative:", source)
    return out


# --------------------------------------------------------------------------------------------
# Rules


class _Log:
    """QA log rows and per-rule counts (rows for excluding rules, cells for flagging ones)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.counts = {rule: 0 for rule, _ in RULES}

    def add(self, frame: pd.DataFrame, row: int, rule: str, detail: str, column: str = "", value: object = "") -> None:
        rid = frame.at[row, "response_id"] if "response_id" in frame.columns else pd.NA
        self.rows.append(
            {"response_id": "" if pd.isna(rid) else str(rid), "source_row": int(row), "rule": rule,
             "column": column, "value": "" if pd.isna(value) else _value_text(value), "detail": detail}
        )  # fmt: skip
        self.counts[rule] += 1

    def table(self) -> pd.DataFrame:
        order = {rule: i for i, (rule, _) in enumerate(RULES)}
        log = pd.DataFrame(self.rows, columns=QA_COLUMNS)
        log["source_row"] = log["source_row"].astype("int64")
        log = log.sort_values(
            ["source_row", "rule"], key=lambda s: s.map(order) if s.name == "rule" else s, kind="stable"
        )
        return log.reset_index(drop=True).astype({c: "str" for c in QA_COLUMNS if c != "source_row"})

    def count_table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"rule": [r for r, _ in RULES], "action": [a for _, a in RULES], "rows": [self.counts[r] for r, _ in RULES]}
        ).astype({"rule": "str", "action": "str", "rows": "int64"})


def _value_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rule_test(frame: pd.DataFrame, text_columns: list[str]) -> tuple[pd.Series, pd.Series]:
    """Test submissions: org name starting 'test', a test-only free text, or 'please ignore'."""
    hit, why = marked_as_test(frame, text_columns, _TEST_TEXT)
    return hit, "test submission: " + why


def rule_duplicate(frame: pd.DataFrame, codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """More than one return for an organisation: keep the latest submission (ties: the later row)."""
    order = latest_first_order(frame)
    ordered = codes[order.index]
    drop = ordered.duplicated(keep="last").reindex(frame.index)
    kept_row = pd.Series(order.index, index=order.index).groupby(ordered.values).transform("last").reindex(frame.index)
    detail = pd.Series("", index=frame.index, dtype=object)
    for row in frame.index[drop]:
        keep = int(kept_row[row])
        note = ""
        if frame.at[row, "service"] != frame.at[keep, "service"]:
            note = f" (this row says service {frame.at[row, 'service']}, the kept one {frame.at[keep, 'service']})"
        detail[row] = (
            f"{codes[row]} submitted again later: kept row {keep} "
            f"(response {frame.at[keep, 'response_id']}, the latest submitted){note}"
        )
    return drop, detail


def apply_filters(answers: pd.DataFrame, codebook: pd.DataFrame, frame: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Follow-ups answered by someone outside the filter group are set missing and logged."""
    answers = answers.copy()
    kinds = dict(zip(codebook["qid"], codebook["type"], strict=True))
    for row in codebook.itertuples(index=False):
        parsed = parse_filter(row.filter)
        if parsed is None:
            continue
        parent, value = parsed
        parent_answer = answers[parent]
        if kinds[parent] == "multi":
            in_group = parent_answer.fillna("").map(lambda s, value=value: value in s.split(";"))
        else:
            in_group = parent_answer.fillna("").eq(value)
        stray = answers[row.qid].notna() & ~in_group.astype(bool)
        for r in answers.index[stray]:
            given = parent_answer[r]
            was = "left blank" if pd.isna(given) else f"answered {given!r}"
            log.add(
                frame, r, "filter_mismatch",
                f"asked only if {parent} = {value!r}, but {parent} was {was}; set to missing",
                column=row.qid, value=answers.at[r, row.qid],
            )  # fmt: skip
        answers.loc[stray, row.qid] = pd.NA
    return answers


def check_plausibility(answers: pd.DataFrame, frame: pd.DataFrame, log: _Log) -> None:
    """Log numbers no single organisation can have; the values are kept."""
    numbers = answers.copy()
    present = [c for c in ABSENCE_COLUMNS if c in numbers.columns]
    if present:
        numbers["absence_total"] = numbers[present].sum(axis=1, min_count=1)
    for column, limit, why in PLAUSIBILITY:
        if column not in numbers.columns or limit not in numbers.columns:
            continue
        over = (numbers[column] > numbers[limit]).fillna(False).astype(bool)
        for r in numbers.index[over]:
            shown = column if column != "absence_total" else "+".join(present)
            log.add(
                frame, r, "implausible", f"{why}: {shown} = {_value_text(float(numbers.at[r, column]))} "
                f"> {limit} = {_value_text(float(numbers.at[r, limit]))}; kept, check with the organisation",
                column=column if column != "absence_total" else present[0], value=numbers.at[r, column],
            )  # fmt: skip
    for column, (low, high) in RANGES.items():
        if column not in numbers.columns:
            continue
        out = ((numbers[column] < low) | (numbers[column] > high)).fillna(False).astype(bool)
        for r in numbers.index[out]:
            log.add(
                frame, r, "implausible",
                f"{column} outside the plausible range {_value_text(float(low))}-{_value_text(float(high))}; "
                "kept, check with the organisation",
                column=column, value=numbers.at[r, column],
            )  # fmt: skip


# --------------------------------------------------------------------------------------------
# The whole cleaning


def clean_return(
    raw: pd.DataFrame,
    *,
    source: Path | str,
    codebook: pd.DataFrame,
    orgs: pd.DataFrame,
    name_map: pd.DataFrame | None = None,
    year: int | None = None,
) -> ReturnResult:
    """Apply the rules (see the module docstring) to a raw return; no files are read or written.

    With ``orgs`` from :func:`~healthcheck.reference.organisations.organisations_as_of` the
    return is resolved as of ``year`` (an abolished council flagged ``successor_org`` or ``ended_org``).
    """
    encoding = raw.attrs.get("encoding")
    frame, ignored = tidy(raw)
    if frame.empty:
        raise InputError("no returns: the file has a header but no rows", file=source)
    all_qids = codebook["qid"].tolist()
    required = META_COLUMNS + qids(codebook, "single", "multi", "number")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing required column(s) {', '.join(missing)}",
            file=source,
            row=1,
            column=missing[0],
            hint="columns are named by the qid in data/reference/return_codebook.csv",
        )
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise InputError(f"column(s) {', '.join(duplicated)} appear twice", file=source, row=1, column=duplicated[0])
    for column in qids(codebook, "text"):
        if column not in frame.columns:  # free text is optional in an export
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    known = set(required) | set(all_qids)
    ignored += sorted(c for c in frame.columns if c not in known and not c.startswith("unnamed_"))
    frame = frame[META_COLUMNS + all_qids]
    log = _Log()

    blank = frame.isna().all(axis=1)  # 2
    for r in frame.index[blank]:
        log.add(frame, r, "blank", "every column is empty")
    frame = frame[~blank]
    hit, why = rule_test(frame, qids(codebook, "text"))  # 3
    for r in frame.index[hit]:
        log.add(frame, r, "test", why[r])
    frame = frame[~hit]
    if frame.empty:
        raise InputError("no returns: every row is blank or a test", file=source)

    missing_id = frame["response_id"].isna()  # 4
    if missing_id.any():
        raise InputError("response_id is blank", file=source, row=int(missing_id.idxmax()), column="response_id")
    submitted = parse_submitted(frame["submitted"], source)
    service = clean_service(frame["service"], source)
    answers = validate_answers(frame, codebook, source)

    index = OrganisationIndex.build(orgs)  # 5
    codes = resolve_organisations(frame, index, name_map_lookup(name_map, index))
    for r in frame.index[codes.isna()]:
        log.add(
            frame, r, "unresolved_org",
            f"no organisation matches org_name {frame.at[r, 'org_name']!r} / org_code {frame.at[r, 'org_code']!r}; "
            f"map it in {NAME_MAP_NAME}",
        )  # fmt: skip
    keep = codes.notna()
    frame, codes, answers = frame[keep], codes[keep], answers[keep]
    submitted, service = submitted[keep], service[keep]
    notes = history_notes(frame, index, codes, year or 0)
    for r, note in notes.iterrows():
        log.add(frame, r, note["rule"], note["detail"])

    work = frame.assign(submitted=submitted, service=service)  # 6
    drop, why = rule_duplicate(work, codes)
    for r in frame.index[drop]:
        log.add(frame, r, "duplicate", why[r])
    keep = ~drop
    frame, codes, answers = frame[keep], codes[keep], answers[keep]
    submitted, service = submitted[keep], service[keep]

    answers = apply_filters(answers, codebook, frame, log)  # 7
    check_plausibility(answers[qids(codebook, "number")], frame, log)  # 8

    ref = index.orgs.loc[codes.astype(str)]
    out = pd.DataFrame(index=frame.index)
    out["response_id"] = frame["response_id"].astype("string")
    out["submitted"] = submitted.astype("datetime64[us]")
    out["org_code"] = codes.astype("string")
    out["org_name"] = pd.Series(ref["name"].to_numpy(), index=frame.index, dtype="string")
    out["org_type"] = pd.Series(ref["org_type"].to_numpy(), index=frame.index, dtype="string")
    out["region"] = pd.Series(ref["region"].to_numpy(), index=frame.index, dtype="string")
    out["service"] = service
    out = pd.concat([out, answers], axis=1)
    out = out.sort_values("org_code", kind="stable").reset_index(drop=True)
    return ReturnResult(
        returns=out,
        qa_log=log.table(),
        counts=log.count_table(),
        source=Path(source),
        encoding=encoding,
        ignored_columns=ignored,
    )


# --------------------------------------------------------------------------------------------
# A year, from files to files


def return_path(project: Project, year: int) -> Path | None:
    """``data/raw/<year>/org_return.csv`` or ``.xlsx``; None when neither exists."""
    return catalogue.ORG_RETURN_RAW.found(project, year)


def clean_return_year(project: Project, year: int) -> ReturnResult:
    """Clean a year's return and write ``org_return.parquet`` and ``org_return_qa.csv``.

    A year without a return file gives a falsy :class:`ReturnResult` whose ``message`` says
    where the file goes; nothing is written then.
    """
    source = return_path(project, year)
    if source is None:
        expected = catalogue.ORG_RETURN_RAW.paths(project, year)[0]
        return empty_result(
            f"no organisational return for {year}: put the export at {expected} (or .xlsx), "
            "or run healthcheck.synthetic.returns.write_return to create the sample",
            expected,
        )
    result = clean_return(
        read_raw(source, expected=("response_id", "org_name")),
        source=source,
        codebook=load_return_codebook(project, year),
        orgs=organisations_as_of(project, year),
        name_map=load_name_map(project),
        year=year,
    )
    write_return_outputs(result, project.processed_dir(year))
    return result


def write_return_outputs(result: ReturnResult, folder: Path) -> list[Path]:
    """``org_return.parquet`` and ``org_return_qa.csv``, each written atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / catalogue.ORG_RETURN.file, folder / catalogue.ORG_RETURN_QA.file]
    write_parquet(paths[0], result.returns)
    write_qa_csv(paths[1], result.qa_log)  # free text in a CSV must not open as a formula
    return paths
