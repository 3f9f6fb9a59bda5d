"""The self-assessment file: checks, summaries and the comparison with the survey."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import scoring_params

from healthcheck.config import REPO_ROOT
from healthcheck.errors import InputError
from healthcheck.reference.areas import load_areas
from healthcheck.views.council import CouncilView
from healthcheck.views.selfassess import (
    areas_for_improvement,
    compare_with_survey,
    improvement_text,
    load_self_assessment,
    read_self_assessment,
    self_assessment_path,
    summary,
    summary_sentence,
    verdict,
)

HEADER = "standard,element,status,notes\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "E06000006.csv"
    path.write_bytes(text.encode(encoding))
    return path


SMALL = (
    HEADER
    + "1,Clear vision for social work,Fully met,\n"
    + "1,Views of people who use services,partially met,Collected but not used\n"
    + "4,Access to legal advice,Not at all met,\n"
    + "4,Admin support,Partially met,\n"
    + "5,Reflective supervision,Fully met,Monthly\n"
    + "6,Feedback from people with lived experience,Not met,\n"
)


def test_read_normalises_statuses(tmp_path):
    sa = read_self_assessment(write(tmp_path, SMALL))
    assert sa.columns.tolist() == [
        "standard",
        "element",
        "status",
        "notes",
        "commentary",
        "priority",
        "owner",
        "target_date",
    ]
    assert sa["standard"].tolist() == [1, 1, 4, 4, 5, 6]
    assert sa["status"].tolist() == ["Fully met", "Partially met", "Not met", "Partially met", "Fully met", "Not met"]
    assert sa["notes"].tolist() == ["", "Collected but not used", "", "", "Monthly", ""]


def test_read_accepts_bom_windows_1252_any_column_case_and_no_notes(tmp_path):
    text = "\ufeffStandard,Element,STATUS\n2,Workforce plan – agreed,Fully met\n"
    assert read_self_assessment(write(tmp_path, text))["element"].tolist() == ["Workforce plan – agreed"]
    cp = "standard,element,status\n2,Workforce plan – agreed,Fully met\n"
    sa = read_self_assessment(write(tmp_path, cp, "cp1252"))
    assert sa["element"].tolist() == ["Workforce plan – agreed"] and sa["notes"].tolist() == [""]


@pytest.mark.parametrize(
    "body,row,column,message",
    [
        (
            "1,Vision,Fully met,\n9,Extra,Fully met,\n",
            3,
            "standard",
            "standard must be a whole number from 1 to 8, got '9'",
        ),
        ("1,Vision,Fully met,\none,Extra,Fully met,\n", 3, "standard", "got 'one'"),
        ("1,Vision,Fully met,\n2.5,Extra,Fully met,\n", 3, "standard", "got '2.5'"),
        ("1,,Fully met,\n", 2, "element", "element is blank"),
        (
            "1,Vision,Fully met,\n1,Voice,Mostly,\n",
            3,
            "status",
            "status must be Fully met, Partially met or Not met, got 'Mostly'",
        ),
        (
            "1,Vision,Fully met,\n1,vision,Not met,\n",
            3,
            "element",
            "standard 1 lists this element twice (first on row 2)",
        ),
    ],
)
def test_bad_rows_name_file_row_and_column(tmp_path, body, row, column, message):
    path = write(tmp_path, HEADER + body)
    with pytest.raises(InputError) as info:
        read_self_assessment(path)
    err = info.value
    assert (err.file, err.row, err.column) == (str(path), row, column)
    assert message in str(err)


def test_blank_rows_are_skipped_but_rows_keep_their_spreadsheet_numbers(tmp_path):
    path = write(tmp_path, HEADER + "1,Vision,Fully met,\n,,,\n\n1,Voice,Sort of,\n")
    with pytest.raises(InputError) as info:
        read_self_assessment(path)
    assert info.value.row == 5


def test_missing_column_empty_file_and_no_rows(tmp_path):
    with pytest.raises(InputError, match="missing required column.*status") as info:
        read_self_assessment(write(tmp_path, "standard,element\n1,Vision\n"))
    assert info.value.column == "status"
    with pytest.raises(InputError, match="the file is empty"):
        read_self_assessment(write(tmp_path, ""))
    with pytest.raises(InputError, match="no elements"):
        read_self_assessment(write(tmp_path, HEADER))


def test_verdict():
    assert verdict(["Fully met", "Fully met"]) == "Fully met"
    assert verdict(["Fully met", "Not met"]) == "Partially met"
    assert verdict(["Not met", "Not met"]) == "Not met"
    assert verdict([]) == "Not assessed"


def test_summary_and_improvements(tmp_path):
    sa = read_self_assessment(write(tmp_path, SMALL))
    table = summary(sa, load_areas())
    assert table.columns.tolist() == [
        "Standard",
        "Fully met",
        "Partially met",
        "Not met",
        "Elements",
        "Self-assessment",
    ]
    assert table.iloc[0].tolist() == ["1. Strong and clear social work framework", 1, 1, 0, 2, "Partially met"]
    assert table.iloc[1].tolist() == ["2. Effective workforce planning systems", 0, 0, 0, 0, "Not assessed"]
    assert table.iloc[3].tolist() == ["4. Wellbeing", 0, 1, 1, 2, "Partially met"]
    assert table.iloc[5].tolist() == ["6. Continuing professional development", 0, 0, 1, 1, "Not met"]
    gaps = areas_for_improvement(sa, load_areas())
    assert gaps["Element"].tolist() == [
        "Views of people who use services", "Access to legal advice", "Admin support",
        "Feedback from people with lived experience",
    ]  # fmt: skip
    assert improvement_text(sa, load_areas()) == (
        "- Standard 1: Strong and clear social work framework – partially met: Views of people who use services.\n"
        "- Standard 4: Wellbeing – partially met: Admin support. not met: Access to legal advice.\n"
        "- Standard 6: Continuing professional development – not met: Feedback from people with lived experience."
    )
    assert summary_sentence(sa) == "The self-assessment found 2 of 6 elements fully met, 2 partially met and 2 not met."


def _view(ratings: dict[str, tuple[float, str]], suppressed: bool = False) -> CouncilView:
    view = CouncilView(
        year=2020, code="E06000006", name="Halton", region="North West", n_responses=22,
        suppressed=suppressed, params=scoring_params(), areas=load_areas(),
    )  # fmt: skip
    actions = {"Green": "sustain", "Amber": "monitor", "Red": "improve"}
    view.scores = pd.DataFrame(
        [{"area": a, "score": s, "rating": r, "action": actions[r]} for a, (s, r) in ratings.items()]
    )
    return view


def test_compare_with_survey(tmp_path):
    sa = read_self_assessment(write(tmp_path, SMALL + "8,Placements,Fully met,\n"))
    view = _view({"s1": (80.2, "Green"), "s4": (52.0, "Amber"), "s5": (79.0, "Green"), "s6": (66.4, "Amber"), "s8": (60.0, "Amber")})  # fmt: skip
    table = compare_with_survey(sa, view)
    assert table.columns.tolist() == [
        "Standard", "Self-assessment", "Halton survey score", "Halton survey rating", "Both point the same way",
    ]  # fmt: skip
    rows = table.set_index("Standard")
    assert rows.loc["1. Strong and clear social work framework"].tolist() == [
        "Partially met (1 of 2 elements fully met)", 80.2, "Green (sustain)", "No: the survey is more positive",
    ]  # fmt: skip
    assert rows.loc["4. Wellbeing"].tolist() == [
        "Partially met (0 of 2 elements fully met)",
        52.0,
        "Amber (monitor)",
        "Yes",
    ]
    assert rows.loc["5. Supervision", "Both point the same way"] == "Yes"
    # not met (the lowest band's match) against Amber: the survey is the more positive
    assert rows.loc["6. Continuing professional development"].tolist() == [
        "Not met (0 of 1 element fully met)", 66.4, "Amber (monitor)", "No: the survey is more positive",
    ]  # fmt: skip
    assert (
        rows.loc["8. Strategic partnerships", "Both point the same way"] == "No: the self-assessment is more positive"
    )
    assert rows.loc["2. Effective workforce planning systems"].tolist() == [
        "Not assessed",
        pd.NA,
        "",
        "No survey figure",
    ]


def test_compare_with_survey_for_a_suppressed_council(tmp_path):
    sa = read_self_assessment(write(tmp_path, SMALL))
    table = compare_with_survey(sa, _view({}, suppressed=True))
    assert set(table["Both point the same way"]) == {"No survey figure"}
    assert table["Halton survey score"].isna().all()


def test_halton_example_matches_its_paper(project):
    assert self_assessment_path(project, "e06000006") == project.params_dir / "self_assessment" / "E06000006.csv"
    sa = load_self_assessment(project, "E06000006")
    gaps = sa[sa["status"] != "Fully met"]
    assert gaps["standard"].value_counts().sort_index().to_dict() == {1: 3, 4: 4, 6: 1}
    assert set(gaps["status"]) == {"Partially met"}
    text = " ".join(gaps["element"]).lower()
    for words in ("accountability and assurance", "views of people who use services", "elected members",
                  "secondments", "digital", "administrative support", "legal", "lived experience"):  # fmt: skip
        assert words in text
    assert sorted(sa["standard"].unique()) == list(range(1, 9))
    assert load_self_assessment(project, "E06000007") is None


def test_shipped_example_is_the_repository_file():
    assert (REPO_ROOT / "params" / "self_assessment" / "E06000006.csv").is_file()
