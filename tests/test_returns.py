"""Cleaning the organisational return: a hand-made return whose every row's fate is worked out below.

The return has seven data rows (spreadsheet rows 2-8); ``EXPECTED_LOG`` lists what each row
should leave in the QA log, and ``test_kept_values`` the cleaned values of the rows kept.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError
from healthcheck.ingest.readers import read_raw
from healthcheck.ingest.returns import (
    RULES,
    clean_return,
    clean_return_year,
)
from healthcheck.reference.labels import label_text_key
from healthcheck.reference.organisations import load_organisations
from healthcheck.reference.return_codebook import (
    load_return_codebook,
    validate_codebook,
)
from healthcheck.views.tables import read_return

SOURCE = Path("org_return.csv")
META = ["response_id", "submitted", "org_code", "org_name", "service"]

#: spreadsheet row -> its cells (every other cell blank)
ROWS: dict[int, dict[str, str]] = {
    2: {  # Halton: kept; a follow-up outside its group; unfilled above FTE
        "response_id": "R1", "submitted": "05/12/2020 10:00", "org_code": "E06000006", "org_name": "Halton",
        "service": "Children", "supervision_monitoring": " yes ", "supervision_training_reflective": "No",
        "supervision_training_mandatory": "Yes", "fte_posts": "100", "unfilled_posts": "120",
        "safety_support": "Mobile phones; other (please specify)", "safety_support_other": "Panic app",
        "cancel_meetings": "Don\u2019t know", "appraisal": "more than 80 %", "incidents": "1-10",
        "achievements": "  Launched   the Halton academy  ",
    },
    3: {},  # blank
    4: {  # a test: excluded before validation, so its junk answer is no error
        "response_id": "R2", "submitted": "01/12/2020 08:00", "org_name": "Test council", "service": "Children",
        "supervision_monitoring": "Yess", "achievements": "asdf",
    },
    5: {  # Warrington's first submission: superseded by row 6
        "response_id": "R3", "submitted": "01/12/2020 09:00", "org_code": "", "org_name": "Warrington Borough Council",
        "service": "children", "caseload": "20",
    },
    6: {  # Warrington again, later (ISO date), lower-case code: kept; a chain of follow-ups outside its group
        "response_id": "R4", "submitted": "2020-12-02T09:00:00", "org_code": "e06000007", "org_name": "warrington",
        "service": "Children", "caseload": "18", "exit_interviews": "No", "exit_followup": "Yes",
        "exit_followup_details": "HR review",
    },
    7: {"response_id": "R5", "submitted": "02/12/2020 10:00", "org_name": "Borsetshire Council", "service": "Children"},
    8: {  # Knowsley by alias: kept; thousands comma, a decimal, an implausible caseload
        "response_id": "R6", "submitted": "03/12/2020 12:00", "org_name": "Knowsley MBC", "service": "Adults",
        "fte_posts": "1,234", "unfilled_posts": "12.5", "caseload": "60",
    },
}  # fmt: skip

#: (spreadsheet row, rule, column) of every QA log line, in log order
EXPECTED_LOG = [
    (2, "filter_mismatch", "supervision_training_mandatory"),
    (2, "implausible", "unfilled_posts"),
    (3, "blank", ""),
    (4, "test", ""),
    (5, "duplicate", ""),
    (6, "filter_mismatch", "exit_followup"),
    (6, "filter_mismatch", "exit_followup_details"),  # its parent was cleared just before
    (7, "unresolved_org", ""),
    (8, "implausible", "caseload"),
]


@pytest.fixture(scope="module")
def codebook() -> pd.DataFrame:
    return load_return_codebook(Project(REPO_ROOT))


@pytest.fixture(scope="module")
def orgs() -> pd.DataFrame:
    return load_organisations(Project(REPO_ROOT))


def make_raw(codebook: pd.DataFrame, rows: dict[int, dict[str, str]] = ROWS) -> pd.DataFrame:
    """The return as read: every cell a string, '' when empty, rows in spreadsheet order."""
    columns = META + codebook["qid"].tolist()
    records = [[rows[r].get(c, "") for c in columns] for r in sorted(rows)]
    return pd.DataFrame(records, columns=columns, dtype="str")


def with_cell(codebook: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    rows = {r: dict(cells) for r, cells in ROWS.items()}
    rows[row][column] = value
    return make_raw(codebook, rows)


@pytest.fixture(scope="module")
def result(codebook, orgs):
    return clean_return(make_raw(codebook), source=SOURCE, codebook=codebook, orgs=orgs)


# ---------------------------------------------------------------------------------------------
# The rules


def test_qa_log(result):
    log = list(result.qa_log[["source_row", "rule", "column"]].itertuples(index=False, name=None))
    assert log == EXPECTED_LOG


def test_counts(result):
    counts = dict(zip(result.counts["rule"], result.counts["rows"], strict=True))
    assert counts == {
        "blank": 1, "test": 1, "unresolved_org": 1, "successor_org": 0, "ended_org": 0, "duplicate": 1,
        "filter_mismatch": 3, "implausible": 2,
    }  # fmt: skip
    assert list(result.counts["rule"]) == [r for r, _ in RULES]
    assert (result.rows_in, result.rows_out, result.rows_excluded) == (7, 3, 4)


def test_kept_values(result):
    out = result.returns.set_index("org_code")
    assert out.index.tolist() == ["E06000006", "E06000007", "E08000011"]  # sorted by code
    assert out["response_id"].tolist() == ["R1", "R4", "R6"]  # Warrington's later submission
    assert out["org_name"].tolist() == ["Halton", "Warrington", "Knowsley"]  # reference names
    assert out["org_type"].tolist() == ["Unitary Authority", "Unitary Authority", "Metropolitan District"]
    assert out["service"].tolist() == ["Children", "Children", "Adults"]
    halton = out.loc["E06000006"]
    assert halton["supervision_monitoring"] == "Yes"
    assert pd.isna(halton["supervision_training_mandatory"])  # cleared: parent was 'No'
    assert halton["safety_support"] == "Mobile Phones;Other"
    assert halton["safety_support_other"] == "Panic app"
    assert halton["cancel_meetings"] == "Don't know"  # curly apostrophe folded
    assert halton["appraisal"] == "More than 80%"
    assert halton["incidents"] == "1 - 10"
    assert halton["achievements"] == "Launched the Halton academy"
    assert halton["fte_posts"] == 100 and halton["unfilled_posts"] == 120  # implausible values are kept
    knowsley = out.loc["E08000011"]
    assert knowsley["fte_posts"] == 1234 and knowsley["unfilled_posts"] == 12.5
    warrington = out.loc["E06000007"]
    assert warrington["caseload"] == 18
    assert pd.isna(warrington["exit_followup"]) and pd.isna(warrington["exit_followup_details"])
    assert warrington["submitted"] == pd.Timestamp("2020-12-02 09:00")
    assert str(out["fte_posts"].dtype) == "Float64"


def test_log_details(result):
    log = result.qa_log.set_index(["source_row", "column"])
    assert log.loc[(2, "supervision_training_mandatory"), "detail"] == (
        "asked only if supervision_training_reflective = 'Yes', but supervision_training_reflective "
        "was answered 'No'; set to missing"
    )
    assert log.loc[(2, "supervision_training_mandatory"), "value"] == "Yes"
    assert "exit_followup was left blank" in log.loc[(6, "exit_followup_details"), "detail"]
    assert log.loc[(2, "unfilled_posts"), "detail"].startswith(
        "more unfilled posts than FTE posts: unfilled_posts = 120 > fte_posts = 100"
    )
    assert "kept row 6" in log.loc[(5, ""), "detail"]
    assert log.loc[(5, ""), "response_id"] == "R3"


@pytest.mark.parametrize(
    ("text", "label"),
    [("Don\u2019t know", "Don't know"), ("DONT KNOW", "Don't know"), ("2 \u2013 3 times a week", "2-3 times a week"),
     ("Other (Please specify)___", "Other"), ("More than 80 %", "More than 80%")],
)  # fmt: skip
def test_label_matching(text, label):
    assert label_text_key(text) == label_text_key(label)


# ---------------------------------------------------------------------------------------------
# Errors: file, row, column and value


def _error(codebook, orgs, raw) -> InputError:
    with pytest.raises(InputError) as info:
        clean_return(raw, source=SOURCE, codebook=codebook, orgs=orgs)
    return info.value


def test_unknown_single_label(codebook, orgs):
    err = _error(codebook, orgs, with_cell(codebook, 2, "co_work", "Yess"))
    assert (err.file, err.row, err.column) == ("org_return.csv", 2, "co_work")
    assert "'Yess'" in str(err) and "Yes; No; Don't know" in str(err)


def test_unknown_multi_label(codebook, orgs):
    err = _error(codebook, orgs, with_cell(codebook, 6, "safety_support", "Mobile Phones;Pager"))
    assert (err.row, err.column) == (6, "safety_support")
    assert "'Pager'" in str(err)


def test_first_bad_cell_is_named(codebook, orgs):
    rows = {r: dict(cells) for r, cells in ROWS.items()}
    rows[8]["co_work"] = "Maybe"
    rows[5]["integration"] = "Brilliant"
    err = _error(codebook, orgs, make_raw(codebook, rows))
    assert (err.row, err.column) == (5, "integration")
    assert "row 8 column 'co_work': 'Maybe'" in str(err)


def test_not_a_number(codebook, orgs):
    err = _error(codebook, orgs, with_cell(codebook, 8, "caseload", "twenty"))
    assert (err.file, err.row, err.column) == ("org_return.csv", 8, "caseload")
    assert "'twenty'" in str(err)


def test_negative_number(codebook, orgs):
    err = _error(codebook, orgs, with_cell(codebook, 5, "agency_posts", "-3"))
    assert (err.row, err.column) == (5, "agency_posts")
    assert "negative" in str(err)


def test_missing_required_column(codebook, orgs):
    raw = make_raw(codebook).drop(columns=["co_work"])
    err = _error(codebook, orgs, raw)
    assert err.column == "co_work"


def test_missing_free_text_column_is_added(codebook, orgs):
    raw = make_raw(codebook).drop(columns=["s2_comments"])
    result = clean_return(raw, source=SOURCE, codebook=codebook, orgs=orgs)
    assert result.returns["s2_comments"].isna().all()


def test_unknown_service(codebook, orgs):
    err = _error(codebook, orgs, with_cell(codebook, 6, "service", "Both"))
    assert (err.row, err.column) == (6, "service")


def test_bad_date(codebook, orgs):
    err = _error(codebook, orgs, with_cell(codebook, 8, "submitted", "32/13/2020"))
    assert (err.row, err.column) == (8, "submitted")


def test_extra_columns_are_ignored(codebook, orgs):
    raw = make_raw(codebook).assign(Contact_Email="x")
    assert clean_return(raw, source=SOURCE, codebook=codebook, orgs=orgs).ignored_columns == ["contact_email"]


# ---------------------------------------------------------------------------------------------
# Reading files


def _csv_bytes(raw: pd.DataFrame, encoding: str) -> bytes:
    buffer = io.StringIO()
    raw.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "read_as"), [("cp1252", "Windows-1252"), ("utf-8-sig", "UTF-8 with BOM"), ("utf-8", "UTF-8")]
)
def test_read_encodings(tmp_path, codebook, orgs, encoding, read_as):
    path = tmp_path / "org_return.csv"
    path.write_bytes(_csv_bytes(make_raw(codebook), encoding))
    raw = read_raw(path)
    assert raw.attrs["encoding"] == read_as
    result = clean_return(raw, source=path, codebook=codebook, orgs=orgs)
    assert result.returns["cancel_meetings"].iloc[0] == "Don't know"
    assert result.qa_log["source_row"].tolist() == [r for r, _, _ in EXPECTED_LOG]


def test_read_xlsx(tmp_path, codebook, orgs):
    path = tmp_path / "org_return.xlsx"
    raw = make_raw(codebook)
    raw.to_excel(path, index=False)
    result = clean_return(read_raw(path), source=path, codebook=codebook, orgs=orgs)
    assert result.returns["org_code"].tolist() == ["E06000006", "E06000007", "E08000011"]


def test_year_without_return(project):
    result = clean_return_year(project, 2020)
    assert not result
    assert "no organisational return for 2020" in result.message
    assert "org_return.csv" in result.message
    assert result.returns.empty
    assert not (project.processed_dir(2020) / "org_return.parquet").exists()
    assert read_return(project, 2020) is None  # what a report reads: nothing, and no error


def test_year_writes_outputs(project, codebook):
    path = project.raw_dir(2020) / "org_return.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(_csv_bytes(make_raw(codebook), "cp1252"))
    with pytest.raises(InputError, match="org_return.parquet.*has not been cleaned.*healthcheck clean --year 2020"):
        read_return(project, 2020)  # a report never cleans the return itself
    result = clean_return_year(project, 2020)
    assert result
    folder = project.processed_dir(2020)
    back = pd.read_parquet(folder / "org_return.parquet")
    assert back["org_code"].tolist() == ["E06000006", "E06000007", "E08000011"]
    assert back.columns.tolist() == result.returns.columns.tolist()
    qa = pd.read_csv(folder / "org_return_qa.csv", keep_default_na=False)
    assert qa["rule"].tolist() == [rule for _, rule, _ in EXPECTED_LOG]
    assert read_return(project, 2020)["response_id"].tolist() == ["R1", "R4", "R6"]


# ---------------------------------------------------------------------------------------------
# The codebook


def test_codebook_matches_annex_c(codebook):
    assert len(codebook) == codebook["qid"].nunique() == 73
    assert set(codebook["type"]) == {"single", "multi", "number", "text"}
    assert codebook.loc[codebook["type"] == "number", "qid"].tolist() == [
        "fte_posts", "unfilled_posts", "agency_posts", "frozen_posts", "deleted_posts", "absence_stress",
        "absence_planned", "absence_maternity", "absence_other", "market_supplements", "caseload", "hours_over",
    ]  # fmt: skip
    opts = dict(zip(codebook["qid"], codebook["options"], strict=True))
    assert opts["incidents"] == "None;1 - 10;11 - 20;21 - 30;More than 30"
    assert opts["supervision_frequency"] == (
        "Once a week;Once a fortnight;Once a month;Once every 4-6 weeks;Once every 6-8 weeks;Other"
    )
    assert opts["performance_systems"] == (
        "Very effective;Fairly effective;Not very effective;Not at all effective;Don't know"
    )
    filters = dict(zip(codebook["qid"], codebook["filter"], strict=True))
    assert filters["supervision_training_mandatory"] == "supervision_training_reflective=Yes"
    assert filters["exit_followup"] == "exit_interviews=Yes"
    assert (codebook.loc[codebook["type"] == "number", "unit"] != "").all()


@pytest.mark.parametrize(
    ("qid", "column", "value", "message"),
    [
        ("co_work", "type", "scale", "type 'scale'"),
        ("co_work", "options", "Yes", "at least two"),
        ("supervision_training_mandatory", "filter", "exit_interviews=Yes", "not an earlier question"),
        ("supervision_training_mandatory", "filter", "supervision_training_reflective=Maybe", "not an option"),
        ("caseload", "options", "A;B", "no options"),
    ],
)
def test_codebook_errors(codebook, qid, column, value, message):
    book = codebook.copy()
    book.loc[book["qid"] == qid, column] = value
    with pytest.raises(InputError, match=message) as info:
        validate_codebook(book, "return_codebook.csv")
    assert info.value.row == int((book["qid"] == qid).idxmax()) + 2
    assert info.value.column == column


@pytest.mark.slow
def test_return_notebook_runs(project, tmp_path):
    import papermill as pm

    from healthcheck.synthetic.returns import write_return

    write_return(project, [2020], seed=4, orgs_by_year={2020: load_organisations(project)["org_code"].tolist()[::5]})
    out = tmp_path / "04.ipynb"
    pm.execute_notebook(
        str(project.notebooks_dir / "04-return.ipynb"), str(out),
        parameters={"year": 2020, "project_root": str(project.root)},
        kernel_name="python3", cwd=str(project.notebooks_dir), progress_bar=False,
    )  # fmt: skip
    assert "QA log" in out.read_text()
    assert (project.processed_dir(2020) / "org_return.parquet").is_file()
    assert (project.processed_dir(2020) / "org_return_qa.csv").is_file()
