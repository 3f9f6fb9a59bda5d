"""Hostile headcount, self-assessment and export files: one-line errors naming the cause, or a QA entry."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from healthcheck import catalogue
from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError
from healthcheck.ingest.headcounts import HEADCOUNT_BELOW, headcount_problems, read_headcounts
from healthcheck.ingest.readers import detect_delimiter, find_header, read_raw, tidy
from healthcheck.ingest.survey import clean
from healthcheck.reference.areas import load_areas
from healthcheck.reference.organisations import organisations_as_of
from healthcheck.views import selfassess

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "clean"
REPO = Project(REPO_ROOT)


def _one_line(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# ---------------------------------------------------------------------------------------
# headcounts
# ---------------------------------------------------------------------------------------
def test_a_decimal_headcount_is_a_one_line_error(tmp_path):
    path = tmp_path / "headcounts.csv"
    path.write_text("org_code,headcount\nE06000006,55.5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_headcounts(path)
    assert "headcount must be a whole number of social workers, got '55.5'" in _one_line(err)
    assert (err.value.row, err.value.column) == (2, "headcount")


def test_whole_numbers_written_as_a_spreadsheet_saves_them_are_read(tmp_path):
    path = tmp_path / "headcounts.csv"
    path.write_text('org_code,headcount\nE06000006,55.0\nE08000011,"1,250"\nE08000012,\n', encoding="utf-8")
    table = read_headcounts(path)
    assert table["headcount"].tolist()[:2] == [55, 1250] and table["headcount"].isna().tolist() == [False, False, True]


def test_a_duplicated_org_code_is_an_error_naming_both_rows(tmp_path):
    path = tmp_path / "headcounts.csv"
    path.write_text("org_code,headcount\nE06000006,55\nE08000011,40\ne06000006 ,60\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_headcounts(path)
    assert "org_code E06000006 is given twice (first on row 2)" in _one_line(err)
    assert (err.value.row, err.value.column) == (4, "org_code")


def test_semicolons_and_a_title_row_are_read(tmp_path):
    path = tmp_path / "headcounts.csv"
    path.write_text("Social workers per council, October 2022;;\n;;\norg_code;headcount;note\nE06000006;55;x\n",
                    encoding="utf-8")  # fmt: skip
    table = read_headcounts(path)
    assert table.to_dict("records") == [{"org_code": "E06000006", "headcount": 55}]
    assert table.attrs["rows"] == {"E06000006": 4}


def test_a_headcount_below_the_respondents_is_flagged_and_the_rate_not_available(tmp_path):
    path = tmp_path / "headcounts.csv"
    path.write_text("org_code,headcount\nE06000006,12\nE08000011,40\n", encoding="utf-8")
    responses = pd.DataFrame({"org_code": ["E06000006"] * 22 + ["E08000011"] * 10})
    problems = headcount_problems(read_headcounts(path), responses, "params/2022/headcounts.csv")
    assert problems[["source_row", "rule", "column", "value"]].values.tolist() == [
        [2, HEADCOUNT_BELOW, "headcount", "12"]
    ]
    assert "the headcount of E06000006, 12, is below its 22 valid responses" in problems["detail"].iloc[0]

    from healthcheck.findings.council import respondents_phrase
    from healthcheck.views.council import CouncilView

    view = CouncilView(year=2022, code="E06000006", name="Halton", region="North West", n_responses=22,
                       suppressed=False, params=None, headcount=12, response_rate=None)  # type: ignore[arg-type]  # fmt: skip
    assert respondents_phrase(view) == (
        "22 respondents (the response rate is not available: the headcount given, 12, is below the number of "
        "respondents)"
    )


def test_the_clean_stage_logs_a_headcount_below_the_respondents(project):
    from healthcheck import pipeline
    from healthcheck.synthetic.survey import write_sample

    write_sample(project, years=[2020], n_orgs=6, scale=0.3, seed=3)
    path = catalogue.HEADCOUNTS.path(project, 2020)
    lines = path.read_text(encoding="utf-8").splitlines()
    code = lines[1].split(",")[0]
    path.write_text("\n".join([lines[0], f"{code},1", *lines[2:]]) + "\n", encoding="utf-8")
    pipeline.ensure(project, 2020, stages=("clean", "score"))
    log = pd.read_csv(catalogue.QA_LOG.path(project, 2020), dtype=str, keep_default_na=False)
    hit = log[log["rule"] == HEADCOUNT_BELOW]
    assert hit["value"].tolist() == ["1"] and hit["source_row"].tolist() == ["2"]
    assert "| headcount_below_responses | flagged | 1 |" in catalogue.QA_SUMMARY.path(project, 2020).read_text()
    from healthcheck.views.council import load_council_view

    view = load_council_view(project, 2020, code)
    assert view.headcount == 1 and view.response_rate is None


# ---------------------------------------------------------------------------------------
# exports: delimiters and title rows
# ---------------------------------------------------------------------------------------
def _orgs():
    return organisations_as_of(REPO, 2020)


def test_a_semicolon_export_is_read_and_cleaned_like_the_comma_one(tmp_path):
    comma = FIXTURES / "export.csv"
    raw = read_raw(comma)
    path = tmp_path / "export.csv"
    raw.to_csv(path, sep=";", index=False, encoding="utf-8")
    semi = read_raw(path, expected=("response_id", "org_name"))
    assert semi.attrs["delimiter"] == ";" and detect_delimiter(path.read_text(encoding="utf-8")) == ";"
    codebook = pd.read_csv(FIXTURES / "codebook.csv", dtype=str)
    a = clean(raw, source=comma, codebook=codebook, orgs=_orgs(), year=2020)
    b = clean(semi, source=path, codebook=codebook, orgs=_orgs(), year=2020)
    pd.testing.assert_frame_equal(a.responses, b.responses)


def test_a_named_delimiter_is_used_and_a_bad_one_refused(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("response_id|org_name\nR1|Halton\n", encoding="utf-8")
    assert read_raw(path, delimiter="|").values.tolist() == [["R1", "Halton"]]
    with pytest.raises(InputError, match="the delimiter must be one character"):
        read_raw(path, delimiter=";;")


def test_a_wide_row_names_the_delimiter_it_was_read_with(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("response_id;org_name\nR1;Halton\nR2;Knowsley;extra\nR3;Wirral\nR4;Sefton\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_raw(path)
    assert "semicolon-separated: check for an unquoted semicolon" in _one_line(err) and err.value.row == 3


def test_an_xlsx_with_a_title_row_finds_its_header_and_numbers_rows_as_the_sheet(tmp_path):
    path = tmp_path / "export.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["Social Work Health Check 2023: worker survey export"])
    sheet.append([])
    sheet.append(["response_id", "org_name", "service"])
    sheet.append(["R1", "Halton", "Adults"])
    sheet.append(["R2", "Knowsley", "Children"])
    book.save(path)
    raw = read_raw(path, expected=("response_id", "org_name"))
    assert raw.attrs["header_row"] == 3 and raw.columns.tolist() == ["response_id", "org_name", "service"]
    frame, _ = tidy(raw)
    assert frame.index.tolist() == [4, 5]  # the rows the sheet shows
    assert find_header([["Title"], [], ["a", "b", "c"], ["1", "2", "3"]]) == 2


# ---------------------------------------------------------------------------------------
# the self-assessment's action plan
# ---------------------------------------------------------------------------------------
HEAD = "standard,element,status,notes,commentary,priority,owner,target_date\n"


def _sa(tmp_path, body: str, head: str = HEAD):
    path = tmp_path / "E06000006.csv"
    path.write_text(head + body, encoding="utf-8")
    return path


def test_the_action_plan_is_read_and_ordered(tmp_path):
    path = _sa(
        tmp_path,
        "1,Framework,Partially met,,Write the framework,medium,PSW,March 2022\n"
        "6,Feedback in appraisal,Not met,,Add feedback,HIGH,Workforce lead,31/12/2021\n"
        "5,Supervision policy,Fully met,,,,,\n",
    )
    sa = selfassess.read_self_assessment(path)
    assert sa["priority"].tolist() == ["Medium", "High", ""]
    assert [str(d) for d in sa["target_date"]] == ["2022-03-31", "2021-12-31", "None"]
    plan = selfassess.action_plan(sa, load_areas(REPO))
    assert plan["Action"].tolist() == ["Add feedback", "Write the framework"]
    assert plan["Target date"].tolist() == ["31 December 2021", "31 March 2022"]
    assert selfassess.plan_sentence(sa) == (
        "The action plan has 2 actions: 1 high and 1 medium priority; the first is due by 31 December 2021."
    )


@pytest.mark.parametrize(
    ("row", "message", "column"),
    [
        (
            "1,Framework,Partially met,,Write it,Urgent,PSW,2022-03-31\n",
            "priority must be High, Medium or Low",
            "priority",
        ),
        ("1,Framework,Partially met,,Write it,High,PSW,soon\n", "target_date must be a date", "target_date"),
        ("1,Framework,Partially met,,,High,PSW,2022-03-31\n", "no commentary", "commentary"),
        ("1,Framework,Partially met,,Write it,,PSW,\n", "an action needs a priority", "priority"),
    ],
)
def test_a_bad_action_is_a_one_line_error(tmp_path, row, message, column):
    with pytest.raises(InputError) as err:
        selfassess.read_self_assessment(_sa(tmp_path, row))
    assert message in _one_line(err)
    assert (err.value.row, err.value.column) == (2, column)


def test_a_semicolon_self_assessment_with_a_title_row_is_read(tmp_path):
    path = tmp_path / "E06000006.csv"
    path.write_text("Halton self-assessment, October 2020\n\nstandard;element;status\n1;Framework;Partly met\n",
                    encoding="cp1252")  # fmt: skip
    sa = selfassess.read_self_assessment(path)
    assert sa[["standard", "element", "status"]].values.tolist() == [[1, "Framework", "Partially met"]]
    with pytest.raises(InputError) as err:
        selfassess.read_self_assessment(
            _sa(tmp_path, "Title\n\nstandard;element;status\n1;Framework;Mostly\n", head="")
        )
    assert (err.value.row, err.value.column) == (4, "status")


def test_the_shipped_example_has_a_plan():
    sa = selfassess.load_self_assessment(REPO, "E06000006")
    plan = selfassess.actions(sa)
    assert len(plan) == 8 and plan["priority"].tolist()[:2] == ["High", "High"]
    assert (sa.loc[sa["commentary"] != "", "status"] != selfassess.FULLY).all()
