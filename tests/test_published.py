"""Published-style tables on small returns built by hand; every expected figure is worked out below.

Two hand-made returns: SEVEN organisations (bases under 50: numbers beside per cents) and SIXTY
(a base of 56 where half-up rounding shows). Council types and FTE figures are chosen so that
the mean of proportions differs from the pooled proportion and from Python's banker's rounding.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from healthcheck.charts.returns import bar_labels, choice_chart
from healthcheck.config import REPO_ROOT, Project
from healthcheck.findings.returns import key_findings, percent_words, proportion_words, section_findings
from healthcheck.reference.organisations import load_organisations
from healthcheck.reference.return_codebook import load_return_codebook
from healthcheck.text.redact import organisation_names, organisation_pattern, redact_organisations
from healthcheck.views.returns import (
    MEAN_OF_PROPORTIONS_NOTE,
    SMALL_BASE_NOTE,
    STAR_NOTE,
    Measure,
    annex_tables,
    format_percent,
    free_text_annex,
    multi_choice_table,
    numeric_by_type,
    report_sections,
    response_rate_by_type,
    single_choice_table,
)

NA = pd.NA
MI = "Management information gathered from previous CPD programme"
DISCUSS = "Discussion with commissioners (what skills are required for the future)"
APPRAISE = "Appraisal of the wider social work sector"


@pytest.fixture(scope="module")
def codebook() -> pd.DataFrame:
    return load_return_codebook(Project(REPO_ROOT))


@pytest.fixture(scope="module")
def orgs() -> pd.DataFrame:
    return load_organisations(Project(REPO_ROOT))


def frame(rows: list[dict], codebook: pd.DataFrame) -> pd.DataFrame:
    """A cleaned-returns frame: every codebook column, missing unless given."""
    out = pd.DataFrame(rows)
    for qid in codebook["qid"]:
        if qid not in out.columns:
            out[qid] = NA
    return out


@pytest.fixture(scope="module")
def seven(codebook: pd.DataFrame) -> pd.DataFrame:
    """Seven organisations. Per question, what each row (A-G) answered:

    supervision_monitoring      Yes Yes Yes Yes No  DK  -     base 6: Yes 4 (66.7 -> 67), No 1 (17), DK 1 (17)
    supervision_training_refl.  Yes Yes Yes Yes No  No  -     base 6
    supervision_training_mand.  Yes Yes No  -   Yes -   -     group = A-D; E's 'Yes' is outside it -> base 3
    cpd_devised                 see CPD below                 base 6 (G blank)
    fte / unfilled / frozen     see FTE below
    """
    table = [  # code, type, FTE posts, unfilled, frozen, caseload
        ("A", "Shire County", 100.0, 15.0, 0.0, 18.0),
        ("B", "Shire County", 400.0, 40.0, 1.0, 21.0),
        ("C", "London Borough", 50.0, 10.0, 0.0, 16.0),
        ("D", "Metropolitan District", 80.0, 4.0, 0.0, NA),
        ("E", "Unitary Authority", 40.0, NA, NA, 20.0),
        ("F", "Unitary Authority", 0.0, 0.0, 0.0, 19.0),
        ("G", "Unitary Authority", 60.0, 9.0, 0.0, 22.0),
    ]
    keys = ["org_code", "org_type", "fte_posts", "unfilled_posts", "frozen_posts", "caseload"]
    rows = [dict(zip(keys, values, strict=True)) for values in table]
    answers = {
        "supervision_monitoring": ["Yes", "Yes", "Yes", "Yes", "No", "Don't know", NA],
        "supervision_training_reflective": ["Yes", "Yes", "Yes", "Yes", "No", "No", NA],
        "supervision_training_mandatory": ["Yes", "Yes", "No", NA, "Yes", NA, NA],
        "cpd_devised": [
            f"{MI};{APPRAISE};Other",
            f"{DISCUSS};{APPRAISE}",
            f"{MI};{DISCUSS};Other",
            "Other",
            "Don't know",
            APPRAISE,
            NA,
        ],
        "achievements": [
            "Halton Borough Council won an award.",
            "  ",
            NA,
            "Worked with halton and HALTON BC.",
            "A Haltonian initiative.",
            "Reading the notes; reading week at Warrington\u2019s academy.",
            "Bury MBC and the bury",
        ],
        "supervision_monitoring_details": ["Audits", NA, NA, NA, "Tracker", NA, NA],  # E answered 'No': not in group
    }
    df = frame(rows, codebook)
    for qid, values in answers.items():
        df[qid] = pd.Series(values, dtype="string")
    return df


# ---------------------------------------------------------------------------------------------
# Rounding and words


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0.4, "*"), (0.01, "*"), (0, 0), (0.5, 1), (2.5, 3), (49.5, 50), (100, 100), (None, None), (math.nan, None)],
)
def test_format_percent(p, expected):
    assert format_percent(p) == expected


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (100, "all"), (96, "almost all"), (90, "almost all"), (82, "most"), (77, "just over three quarters"),
        (75, "three quarters"), (70, "just under three quarters"), (68, "just over two thirds"), (67, "two thirds"),
        (55, "just over half"), (51, "half"), (50, "half"), (49, "half"), (47, "just under half"),
        (32, "just under a third"), (33, "a third"), (44, None), (60, None), (10, None), ("*", None), (None, None),
    ],
)  # fmt: skip
def test_proportion_words(p, words):
    assert proportion_words(p) == words


# ---------------------------------------------------------------------------------------------
# Single choice


def test_single_choice_table_small_base(seven, codebook):
    table = single_choice_table(seven, "supervision_monitoring", codebook)
    expected = pd.DataFrame(
        {"Answer": ["Yes", "No", "Don't know"], "Number": [4, 1, 1], "Per cent": pd.Series([67, 17, 17], dtype=object)}
    )
    pd.testing.assert_frame_equal(table.frame, expected)
    assert table.base == 6
    assert table.notes[0] == "Base = All respondents (6)"
    assert SMALL_BASE_NOTE in table.notes  # under 50
    assert table.small_base
    assert bar_labels(table) == ["67% (4)", "17% (1)", "17% (1)"]  # numbers beside per cents


def test_follow_up_base_is_the_filter_group(seven, codebook):
    # A-D said Yes to the parent; their answers Yes, Yes, No, blank -> base 3; E's 'Yes' is outside the group.
    table = single_choice_table(seven, "supervision_training_mandatory", codebook)
    assert table.frame["Number"].tolist() == [2, 1, 0]
    assert table.frame["Per cent"].tolist() == [67, 33, 0]
    assert table.notes[0] == "Base = Respondents with supervision training that includes critical reflection models (3)"


def test_follow_up_without_base_label_in_codebook(seven, codebook):
    book = codebook.copy()
    book.loc[book["qid"] == "supervision_training_mandatory", "base_label"] = ""
    table = single_choice_table(seven, "supervision_training_mandatory", book)
    assert table.notes[0] == (
        "Base = Respondents who answered 'Yes' to "
        "'Whether training for supervision skills includes critical reflection models' (3)"
    )
    given = single_choice_table(seven, "supervision_training_mandatory", book, base_label="Those trained")
    assert given.notes[0] == "Base = Those trained (3)"


def test_single_choice_table_half_up_at_base_56(codebook):
    # 60 organisations, 4 blank: base 56. Yes 42 = 75.0; No 7 = 12.5 -> 13; DK 7 = 12.5 -> 13 (sum 101).
    values = ["Yes"] * 42 + ["No"] * 7 + ["Don't know"] * 7 + [NA] * 4
    df = frame([{"org_code": f"X{i:02d}", "org_type": "Unitary Authority"} for i in range(60)], codebook)
    df["allocation_system"] = pd.Series(values, dtype="string")
    table = single_choice_table(df, "allocation_system", codebook)
    assert table.frame["Number"].tolist() == [42, 7, 7]
    assert table.frame["Per cent"].tolist() == [75, 13, 13]
    assert table.notes == ("Base = All respondents (56)",)  # 56 >= 50: no caution note
    assert bar_labels(table) == ["75%", "13%", "13%"]


def test_under_50_rule_boundary(codebook):
    def table_for(n: int):
        df = frame([{"org_code": f"X{i:02d}", "org_type": "Shire County"} for i in range(n)], codebook)
        df["co_work"] = pd.Series(["Yes"] * n, dtype="string")
        return single_choice_table(df, "co_work", codebook)

    assert SMALL_BASE_NOTE in table_for(49).notes
    assert SMALL_BASE_NOTE not in table_for(50).notes
    assert bar_labels(table_for(49))[0] == "100% (49)"
    assert bar_labels(table_for(50))[0] == "100%"


def test_single_choice_rejects_uncleaned_answers(seven, codebook):
    df = seven.copy()
    df["co_work"] = pd.Series(["Yess"] + [NA] * 6, dtype="string")
    with pytest.raises(ValueError, match="Yess"):
        single_choice_table(df, "co_work", codebook)


# ---------------------------------------------------------------------------------------------
# Multi choice


def test_multi_choice_order_ties_and_other_last(seven, codebook):
    # counts: Appraisal 3, MI 2, Discussion 2 (tie: form order MI first, although 'D' < 'M'),
    # Don't know 1, Other 3 (as many as the top, still last). Base 6: 50, 33.3, 33.3, 16.7, 50.
    table = multi_choice_table(seven, "cpd_devised", codebook)
    expected = pd.DataFrame(
        {
            "Answer": [APPRAISE, MI, DISCUSS, "Don't know", "Other"],
            "Number": [3, 2, 2, 1, 3],
            "Per cent": pd.Series([50, 33, 33, 17, 50], dtype=object),
        }
    )
    pd.testing.assert_frame_equal(table.frame, expected)
    assert table.notes[0] == "Base = All respondents (6). Respondents were allowed to select more than one option."


def test_multi_choice_zero_options_listed(codebook):
    df = frame([{"org_code": "A", "org_type": "Shire County"}, {"org_code": "B", "org_type": "Shire County"}], codebook)
    df["work_environment"] = pd.Series(["Refreshments;Rooms for meetings", "Rooms for meetings"], dtype="string")
    table = multi_choice_table(df, "work_environment", codebook)
    assert table.frame["Answer"].tolist() == [
        "Rooms for meetings", "Refreshments", "Break out areas", "Sufficient desk space",
        "Flexible working scheme", "Employee Assistance Scheme",
    ]  # fmt: skip
    assert table.frame["Number"].tolist() == [2, 1, 0, 0, 0, 0]
    assert table.frame["Per cent"].tolist() == [100, 50, 0, 0, 0, 0]


# ---------------------------------------------------------------------------------------------
# Numbers by council type


def test_numeric_by_type_mean_of_proportions(seven):
    # unfilled / FTE per organisation: A 15/100 = 15, B 40/400 = 10, C 10/50 = 20, D 4/80 = 5,
    # E (no unfilled) and F (0 FTE) left out, G 9/60 = 15.
    # Shire County (15 + 10) / 2 = 12.5 -> 13 (pooled 55/500 would be 11; banker's rounding 12).
    # All (15 + 10 + 20 + 5 + 15) / 5 = 13.
    # frozen / FTE: B 1/400 = 0.25, the rest 0: Shire County 0.125 -> '*', All 0.25 / 5 = 0.05 -> '*'.
    table = numeric_by_type(
        seven,
        [Measure("Unfilled", "unfilled_posts", "fte_posts"), Measure("Frozen", "frozen_posts", "fte_posts")],
        name="t",
        title="Unfilled and frozen",
    )
    expected = pd.DataFrame(
        {
            "Council type": ["Shire County", "London Borough", "Metropolitan District", "Unitary Authority", "All"],
            "Unfilled – Per cent": pd.Series([13, 20, 5, 15, 13], dtype=object),
            "Unfilled – Sample size": [2, 1, 1, 1, 5],
            "Frozen – Per cent": pd.Series(["*", 0, 0, 0, "*"], dtype=object),
            "Frozen – Sample size": [2, 1, 1, 1, 5],
        }
    )
    pd.testing.assert_frame_equal(table.frame, expected)
    assert table.notes == ("Base = All respondents (5)", STAR_NOTE, MEAN_OF_PROPORTIONS_NOTE)
    assert table.values.iloc[0]["Unfilled"] == pytest.approx(12.5)


def test_numeric_by_type_numbers_and_empty_type(seven):
    # caseload: SC (18 + 21) / 2 = 19.5 -> 20; LB 16; MD none (n/a, 0); UA (20 + 19 + 22) / 3 = 20.33 -> 20;
    # All (18 + 21 + 16 + 20 + 19 + 22) / 6 = 19.33 -> 19.
    table = numeric_by_type(seven, [Measure("Caseload", "caseload")], name="c", title="Caseload")
    assert table.frame.columns.tolist() == ["Council type", "Number", "Sample size"]
    assert table.frame["Number"].tolist() == [20, 16, None, 20, 19]
    assert table.frame["Sample size"].tolist() == [2, 1, 0, 3, 6]
    assert table.notes == ("Base = All respondents (6)",)


def test_numeric_by_type_adds_non_council_row_and_two_bases(codebook):
    rows = [
        {"org_code": "A", "org_type": "Shire County", "fte_posts": 100.0, "agency_posts": 10.0, "unfilled_posts": 5.0},
        {"org_code": "N", "org_type": "Non-council", "fte_posts": 50.0, "agency_posts": 20.0, "unfilled_posts": NA},
    ]
    table = numeric_by_type(
        frame(rows, codebook),
        [Measure("Unfilled", "unfilled_posts", "fte_posts"), Measure("Agency", "agency_posts", "fte_posts")],
        name="t",
        title="t",
    )
    assert table.frame["Council type"].tolist()[-2:] == ["Non-council employers", "All"]
    # agency: A 10, N 40 -> All 25; unfilled only A: 5
    assert table.frame["Agency – Per cent"].tolist() == [10, None, None, None, 40, 25]
    assert table.frame["Unfilled – Per cent"].iloc[-1] == 5
    assert table.notes[0] == "Base = All respondents (1 and 2)"


# ---------------------------------------------------------------------------------------------
# Response rates


def test_response_rate_by_type_hand_reference():
    orgs = pd.DataFrame(
        {
            "org_code": ["S1", "S2", "S3", "S4", "L1", "L2", "L3", "M1", "M2", "U1", "N1"],
            "org_type": ["Shire County"] * 4
            + ["London Borough"] * 3
            + ["Metropolitan District"] * 2
            + ["Unitary Authority", "Non-council"],
        }
    )
    returns = pd.DataFrame({"org_code": ["S1", "S3", "L2", "U1", "N1"]})
    table = response_rate_by_type(returns, orgs)
    # SC 2/4 = 50; LB 1/3 = 33.3 -> 33; MD 0/2 = 0; UA 1/1 = 100; Total 4/10 = 40.
    expected = pd.DataFrame(
        {
            "Council type": ["Shire County", "London Borough", "Metropolitan District", "Unitary Authority", "Total"],
            "Number": [2, 1, 0, 1, 4],
            "Per cent": pd.Series([50, 33, 0, 100, 40], dtype=object),
        }
    )
    pd.testing.assert_frame_equal(table.frame, expected)
    assert table.notes[0] == "Base = All English county and single tier councils (10)"
    assert table.notes[1].startswith("A further 1 return came from non-council employers")


def test_response_rate_base_is_the_151_councils(orgs):
    table = response_rate_by_type(pd.DataFrame({"org_code": ["E06000006", "e06000007"]}), orgs)
    assert table.notes == ("Base = All English county and single tier councils (151)",)
    assert table.frame.iloc[-1].tolist() == ["Total", 1, 1]  # 1/151 = 0.66 -> 1 (codes are exact)


# ---------------------------------------------------------------------------------------------
# Key findings


def test_key_findings_sentences(seven, codebook):
    found = key_findings(seven, codebook)
    text = dict(zip(found["qid"], found["sentence"], strict=True))
    assert text["supervision_monitoring"] == (
        "Two thirds (67 per cent, 4 of 6) of respondent organisations had a system in place to monitor the "
        "frequency and quality of supervision in order to ensure effective practice is supported."
    )
    assert text["supervision_training_mandatory"] == (
        "Of these, two thirds (67 per cent, 2 of 3) said this training was mandatory."
    )
    assert text["cpd_devised"] == (
        "The ways of devising the CPD programme most often selected by respondent organisations were "
        f"'{APPRAISE}' (50 per cent, 3 of 6), '{MI}' (33 per cent, 2 of 6) and '{DISCUSS}' (33 per cent, 2 of 6)."
    )
    # unfilled 13 per cent (see the numeric test); caseload 19
    assert text["caseload"] == "The average caseload held by social workers in respondent organisations was 19."
    assert text["unfilled_posts"] == "On average, 13 per cent of posts were unfilled in respondent organisations."


def test_key_findings_large_base_and_response(codebook, orgs):
    codes = orgs.loc[orgs["org_type"] == "Unitary Authority", "org_code"].tolist()[:56]
    df = frame([{"org_code": c, "org_type": "Unitary Authority"} for c in codes], codebook)
    df["wellbeing_agenda"] = pd.Series(["Yes"] * 42 + ["No"] * 14, dtype="string")  # 75 per cent
    found = key_findings(df, codebook, orgs)
    text = dict(zip(found["qid"], found["sentence"], strict=True))
    assert text["wellbeing_agenda"] == (
        "Three quarters (75 per cent) of respondent organisations addressed 'wellbeing' as an agenda item "
        "in supervision."
    )
    # 56 of 151 councils = 37.1 -> 37
    assert text[""] == "Responses were received from 56 councils, giving a response rate of 37 per cent."


# ---------------------------------------------------------------------------------------------
# Free text


def test_name_replacement():
    orgs = pd.DataFrame(
        {
            "org_code": ["E06000006", "E06000007", "E06000038", "E08000002"],
            "name": ["Halton", "Warrington", "Reading", "Bury"],
            "official_name": [
                "Halton Borough Council",
                "Warrington Borough Council",
                "Reading Borough Council",
                "Bury Council",
            ],
            "aliases": ["Halton BC", "", "Reading BC", "Bury MBC"],
        }
    )
    pattern = organisation_pattern(organisation_names(orgs))
    cases = {
        "Halton Borough Council won an award.": "<Council Name> won an award.",
        "Worked with halton and HALTON BC.": "Worked with <Council Name> and <Council Name>.",
        "A Haltonian initiative.": "A Haltonian initiative.",  # not a whole word
        "Warrington\u2019s academy": "<Council Name>\u2019s academy",
        "the Warrington Council team": "the <Council Name> team",  # the name with its generic ending
        "Reading BC and reading week": "<Council Name> and reading week",  # everyday word: needs the capital
        "Bury MBC and the bury": "<Council Name> and the bury",
    }
    for text, expected in cases.items():
        assert redact_organisations(text, pattern) == expected


def test_free_text_annex_grouped_sorted_and_filtered(seven, codebook, orgs):
    annex = free_text_annex(seven, codebook, orgs)
    achievements = annex.loc[annex["qid"] == "achievements", "answer"].tolist()
    # blank and whitespace-only answers left out; sorted ignoring case
    # a capitalised everyday-word name at the start of a sentence is replaced too (documented)
    assert achievements == [
        "<Council Name> and the bury",
        "<Council Name> the notes; reading week at <Council Name>\u2019s academy.",
        "<Council Name> won an award.",
        "A Haltonian initiative.",
        "Worked with <Council Name> and <Council Name>.",
    ]
    # E answered 'No' to supervision_monitoring: its details are not in the annex
    assert annex.loc[annex["qid"] == "supervision_monitoring_details", "answer"].tolist() == ["Audits"]
    assert annex["qid"].tolist().index("achievements") < annex["qid"].tolist().index("supervision_monitoring_details")
    tables = annex_tables(seven, codebook, orgs)
    assert tables[0].title == "Table A1: Positive achievements over the last year"
    assert tables[0].notes[0] == "Base = All respondents who answered (5)"
    assert tables[1].notes[0] == "Base = Respondents with a system to monitor frequency and quality of supervision (1)"


# ---------------------------------------------------------------------------------------------
# The report's structure


def test_report_sections_numbering(seven, codebook):
    sections = report_sections(seven, codebook, start=2)
    assert [s.key for s in sections] == ["s2", "s3", "s4", "s5", "s6", "s7", "s8"]
    titles = [t.title for s in sections for t in s.tables]
    assert titles[0] == "Table 2: Unfilled posts and posts covered by agency or temporary staff"
    assert [int(t.split(":")[0].split()[1]) for t in titles] == list(range(2, 2 + len(titles)))
    figures = [f for s in sections for f in s.charts.values()]
    assert figures[0] == "Figure 1: A casework allocation system in place"
    n_single = int((codebook["type"] == "single").sum())
    n_multi = int((codebook["type"] == "multi").sum())
    assert len(titles) == 7 + n_single + n_multi  # five workforce tables, two workload tables


def test_report_section_findings_and_charts(seven, codebook):
    """The notebook's pieces: a section's sentences from the findings, its figures from the charts."""
    sections = report_sections(seven, codebook, start=2)
    found = key_findings(seven, codebook)
    s5 = next(s for s in sections if s.key == "s5")
    assert section_findings(found, "s5") == found.loc[found["section"] == "s5", "sentence"].tolist()
    assert any(sentence.startswith("Two thirds (67 per cent, 4 of 6)") for sentence in section_findings(found, "s5"))
    table = next(t for t in s5.tables if t.qid == "supervision_monitoring")
    chart = choice_chart(table, title=s5.charts[table.qid])
    assert chart.name == "fig_supervision_monitoring" and chart.title == s5.charts[table.qid]
    assert chart.figure.layout.title.text is None and chart.title  # the caption is the chart's one title
    assert chart.alt.endswith("Yes: 67% (4); No: 17% (1); Don't know: 17% (1). Base = All respondents (6).")
    assert list(chart.figure.data[0].text) == ["67% (4)", "17% (1)", "17% (1)"]


def test_percent_words():
    assert [percent_words(v) for v in (6, 12, "*", None, 0)] == [
        "six per cent", "12 per cent", "less than 0.5 per cent", "no figure", "zero per cent",
    ]  # fmt: skip


@pytest.mark.slow
def test_national_report_notebook_runs(project, tmp_path):
    import json

    import papermill as pm

    from healthcheck import pipeline
    from healthcheck.synthetic.returns import write_return

    orgs = load_organisations(project)
    write_return(project, [2020], seed=4, orgs_by_year={2020: orgs["org_code"].tolist()[::4]})
    pipeline.run(project, 2020, "clean_return")  # what `healthcheck run` does before the reports
    out = tmp_path / "05.ipynb"
    pm.execute_notebook(
        str(project.notebooks_dir / "05-national-return-report.ipynb"), str(out),
        parameters={"year": 2020, "project_root": str(project.root)},
        kernel_name="python3", cwd=str(project.notebooks_dir), progress_bar=False,
    )  # fmt: skip
    nb = json.loads(out.read_text())
    assert nb["cells"][0]["cell_type"] == "raw" and "echo: false" in "".join(nb["cells"][0]["source"])
    text = out.read_text()
    for expected in (
        "Table 1: Responses by council type",
        "Figure 1: ",
        "Table A1: ",
        "Key findings",
        "Respondents were allowed to select more than one option",
        "<Council Name>",
    ):
        assert expected in text, expected
