"""Cleaning: from a survey platform's raw export to ``responses.parquet`` and a QA log.

The rules, in the order :func:`clean` applies them (each is a small function below):

1. ``tidy``: column names matched ignoring case and spaces; every cell stripped of stray
   whitespace; empty cells are missing. (Reading: :func:`healthcheck.ingest.readers.read_raw`,
   UTF-8, UTF-8 with BOM, UTF-16 with or without BOM or Windows-1252, detected; or XLSX.)
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
   ``params/org_name_map.csv`` (:mod:`healthcheck.ingest.names`; a code there that the
   reference data does not know is an error); rows still unresolved are excluded and listed.
   A year's export is resolved as of that year: a council abolished before the round counts
   under its one same-service successor (flagged ``successor_org``) or is kept under its own
   code (flagged ``ended_org``); :func:`healthcheck.ingest.names.history_notes`.
8. answers recoded to 1-5 (labels or numbers); numbers outside 1-5 become missing and are
   flagged ``out_of_range``; an unknown label is an error (never guessed; caught in step 2).
9. ``submitted`` read as dd/mm/yyyy HH:MM (day first) or ISO 8601 (parsed before step 5,
   which needs it); an unreadable date is an error.
10. service and role tidied to their labels; an unknown role becomes 'Other' (flagged
    ``role_other``), an unknown service is an error.
11. the output: the contract columns, items as nullable Int8, the organisation's reference
    name, type and region.

Each rule is a function of :mod:`healthcheck.ingest.rules`. Every excluded row is in the QA log
with its response id ('' for blank rows), its spreadsheet row and the rule, so rows in = rows
out + rows excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.files import atomic_write_text
from healthcheck.ingest.headcounts import HEADCOUNT_BELOW, headcount_problems, load_headcounts
from healthcheck.ingest.names import (
    ENDED_ORG,
    NAME_MAP_NAME,
    SUCCESSOR_ORG,
    history_notes,
    load_name_map,
    name_map_lookup,
    org_key,
    resolve_organisations,
    unresolved_table,
)
from healthcheck.ingest.outputs import write_parquet, write_qa_csv
from healthcheck.ingest.readers import read_raw, tidy
from healthcheck.ingest.rules import (
    out_of_range_cells,
    parse_submitted,
    recode_answers,
    rule_blank,
    rule_duplicate_id,
    rule_duplicate_submission,
    rule_incomplete,
    rule_test,
    submission_key,
    tidy_role,
    tidy_service,
    tidy_text,
)
from healthcheck.ingest.schema import (
    COMMENT_COLUMNS,
    META_COLUMNS,
    OUT_OF_RANGE,
    answer_tokens,
    validate_raw,
    validate_responses,
)
from healthcheck.reference.codebook import item_columns, load_codebook
from healthcheck.reference.organisations import OrganisationIndex, organisations_as_of

#: (rule, action) in the order applied; 'excluded' rules drop rows, 'flagged' rules only log.
RULES: list[tuple[str, str]] = [
    ("blank", "excluded"),
    ("test", "excluded"),
    ("duplicate_id", "excluded"),
    ("duplicate_submission", "excluded"),
    ("incomplete", "excluded"),
    ("partial_kept", "flagged"),
    ("unresolved_org", "excluded"),
    (SUCCESSOR_ORG, "flagged"),
    (ENDED_ORG, "flagged"),
    ("out_of_range", "flagged"),
    ("role_other", "flagged"),
    (HEADCOUNT_BELOW, "flagged"),
]
QA_COLUMNS = ["response_id", "source_row", "rule", "column", "value", "detail"]
#: Columns every export's header names: how the header is found below a title row.
HEADER_KEYS = ("response_id", "org_name")
OUTPUT_FRONT = ["response_id", "submitted", "org_code", "org_name", "org_type", "region", "service", "role"]


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
            lines += ["", f"Unresolved organisation names (excluded; map them in {NAME_MAP_NAME}):"]
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
                f"To keep them, add a line per name to `{NAME_MAP_NAME}` (columns "
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
    year: int | None = None,
) -> CleanResult:
    """Apply the rules (see the module docstring) to a raw export; no files are read or written.

    ``orgs`` from :func:`~healthcheck.reference.organisations.organisations_as_of` resolves the
    export as of ``year``; a plain organisations table resolves it without history.
    """
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
    ignored += sorted(known - set(items) - {*META_COLUMNS, *COMMENT_COLUMNS})
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
    codes = resolve_organisations(frame, index, name_map_lookup(name_map, index))  # 7, needed by 5

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
        + f"; map it in {NAME_MAP_NAME}"
    )
    frame = _exclude(frame, unresolved, "unresolved_org", why, log)
    codes = codes.loc[frame.index]

    notes = history_notes(frame, index, codes, year or 0)  # 7, kept and flagged
    for rule in (SUCCESSOR_ORG, ENDED_ORG):
        hit = notes.index[notes["rule"] == rule]
        log.add(frame, pd.Series(frame.index.isin(hit), index=frame.index), rule, notes["detail"].reindex(frame.index))
    log.add(frame, partial, "partial_kept", answered + " (at least half): kept")  # 6, rows kept
    tokens = tokens.loc[frame.index]
    for row, column in out_of_range_cells(tokens):  # 8
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
        out[name] = frame[name].map(tidy_text, na_action="ignore").astype("string")
    out = out.sort_values(["response_id"], kind="stable").reset_index(drop=True)
    return validate_responses(out, items)


# --------------------------------------------------------------------------------------------
# A year, from files to files


def raw_export_path(project: Project, year: int) -> Path:
    """``data/raw/<year>/worker_survey.csv`` or ``.xlsx`` (exactly one of them)."""
    found = catalogue.WORKER_SURVEY.found(project, year)
    if found is None:
        raise InputError(
            f"no raw export for {year}",
            file=catalogue.WORKER_SURVEY.paths(project, year)[0],
            hint=f"put the export there as {' or '.join(catalogue.WORKER_SURVEY.files)}, or run `healthcheck sample`",
        )
    return found


def clean_year(project: Project, year: int) -> CleanResult:
    """Clean a year's raw export and write responses.parquet, qa_log.csv and qa_summary.md."""
    source = raw_export_path(project, year)
    raw = read_raw(source, expected=HEADER_KEYS)
    result = clean(
        raw,
        source=source,
        codebook=load_codebook(year, project),
        orgs=organisations_as_of(project, year),
        name_map=load_name_map(project),
        year=year,
    )
    headcounts = catalogue.HEADCOUNTS.path(project, year)
    result = with_headcount_checks(result, headcount_problems(load_headcounts(project, year), result.responses,
                                                              project.key(headcounts)))  # fmt: skip
    write_outputs(result, project.processed_dir(year), year=year, root=project.root)
    return result


def with_headcount_checks(result: CleanResult, problems: pd.DataFrame) -> CleanResult:
    """The result with the headcounts' QA rows (:func:`~healthcheck.ingest.headcounts.headcount_problems`) logged."""
    if problems.empty:
        return result
    log = pd.concat([result.qa_log, problems.astype(result.qa_log.dtypes.to_dict())], ignore_index=True)
    counts = result.counts.copy()
    counts.loc[counts["rule"] == HEADCOUNT_BELOW, "rows"] = len(problems)
    return replace(result, qa_log=log, counts=counts)


def write_outputs(
    result: CleanResult, folder: Path, *, year: int | None = None, root: Path | None = None
) -> list[Path]:
    """The three files, each written atomically and byte-for-byte reproducibly."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / catalogue.RESPONSES.file, folder / catalogue.QA_LOG.file, folder / catalogue.QA_SUMMARY.file]
    write_parquet(paths[0], result.responses)
    write_qa_csv(paths[1], result.qa_log)
    atomic_write_text(paths[2], result.markdown(year=year, root=root))
    return paths
