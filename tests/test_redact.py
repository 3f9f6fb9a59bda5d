"""Redaction of free text: each kind of personal data, the tricky cases, organisations."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import scoring_params

from healthcheck.reference.organisations import load_organisations
from healthcheck.text.redact import (
    EMAIL_MARK,
    NAME_MARK,
    ORG_MARK,
    PHONE_MARK,
    POSTCODE_MARK,
    Redactor,
    organisation_names,
    organisation_pattern,
    redact,
    redact_emails,
    redact_phones,
    redact_postcodes,
    redact_titled_names,
)

ORGS = pd.DataFrame(
    {
        "org_code": ["E06000014", "E10000023", "E06000006", "E06000038", "E08000002", "NC001"],
        "name": ["York", "North Yorkshire", "Halton", "Reading", "Bury", "Achieving for Children"],
        "official_name": [
            "City of York Council", "North Yorkshire County Council", "Halton Borough Council",
            "Reading Borough Council", "Bury Metropolitan Borough Council",
            "Achieving for Children Community Interest Company",
        ],
        "aliases": ["York CC", "", "Halton BC", "", "Bury MBC", "AfC;Achieving for Children CIC"],
    }
)  # fmt: skip


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor.from_organisations(ORGS)


# --------------------------------------------------------------------------------------
# e-mail
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email me at jane.doe@example.gov.uk.", f"email me at {EMAIL_MARK}."),
        ("p.kaur@example.org.uk or J_O'Neil+hc@mail.co", f"{EMAIL_MARK} or {EMAIL_MARK}"),
        ("(a@b.com)", f"({EMAIL_MARK})"),
        ("no address @ here, and user@localhost has no dot", "no address @ here, and user@localhost has no dot"),
    ],
)
def test_emails(text, expected):
    assert redact_emails(text) == expected


# --------------------------------------------------------------------------------------
# phone numbers
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number",
    [
        "0151 907 8306",
        "07700 900123",
        "020 7946 0958",
        "07700900123",
        "0151-907-8306",
        "(0151) 907 8306",
        "+44 (0)20 7946 0958",
        "+44 7700 900123",
        "+447700900123",
        "01928 123456",
        "0161 496 0000",
    ],
)
def test_phone_forms(number):
    assert redact_phones(f"Ring me on {number} please.") == f"Ring me on {PHONE_MARK} please."


@pytest.mark.parametrize(
    "text",
    [
        "In 2020 we had 22 respondents and 55 social workers.",
        "Caseloads of 25 to 30 in 2019 2020.",
        "Reference 123456789012 is not a phone number.",  # no leading 0
        "Dated 01/10/2020 and 05/11/2020.",
        "Code E06000006 is Halton's.",  # an ONS code is not a phone number
    ],
)
def test_numbers_that_are_not_phones(text):
    assert redact_phones(text) == text


# --------------------------------------------------------------------------------------
# postcodes
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The office at WA8 7QF has no parking.", f"The office at {POSTCODE_MARK} has no parking."),
        ("moved to M15 4FN", f"moved to {POSTCODE_MARK}"),
        ("LS2 8JS, and SW1A 1AA.", f"{POSTCODE_MARK}, and {POSTCODE_MARK}."),
        ("no space: WA87QF; lower case: ls2 8js", f"no space: {POSTCODE_MARK}; lower case: {POSTCODE_MARK}"),
        ("EC1A1BB", POSTCODE_MARK),
    ],
)
def test_postcodes(text, expected):
    assert redact_postcodes(text) == expected


@pytest.mark.parametrize("text", ["Standard 6 is CPD.", "Covid-19 in 2020", "WA8 on its own is an area", "A4 paper"])
def test_not_postcodes(text):
    assert redact_postcodes(text) == text


# --------------------------------------------------------------------------------------
# titled names
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr Smith is an excellent manager.", f"{NAME_MARK} is an excellent manager."),
        ("Since Dr. Jane Doe left nobody reviews my caseload.", f"Since {NAME_MARK} left nobody reviews my caseload."),
        ("Mrs J Bloggs on the duty desk", f"{NAME_MARK} on the duty desk"),
        ("Mr J Smith and Ms Kowalski", f"{NAME_MARK} and {NAME_MARK}"),
        ("Dr Okafor is great. Dr Okafor!", f"{NAME_MARK} is great. {NAME_MARK}!"),  # Dr at a sentence start
        ("thanks to Mrs Patel.", f"thanks to {NAME_MARK}."),
        ("Prof O'Brien-Smith helped", f"{NAME_MARK} helped"),
        ("MRS PATEL", NAME_MARK),
        ("Dr J. left", f"{NAME_MARK} left"),
    ],
)
def test_titled_names(text, expected):
    assert redact_titled_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Drive to the office on Drummond Road.",  # 'Dr' inside a word
        "Mrsa outbreak; Mr and Mrs are titles.",  # a title with no name after it
        "I miss the old team.",
        "dr smith in lower case is not a title as written",
        "Missing supervision is common.",  # 'Miss' inside a word
        "Mr. the manager",
    ],
)
def test_not_titled_names(text):
    assert redact_titled_names(text) == text


# --------------------------------------------------------------------------------------
# organisations
# --------------------------------------------------------------------------------------
def test_spellings_longest_first():
    names = organisation_names(ORGS)
    assert names[0] == "Achieving for Children Community Interest Company"
    assert names.index("North Yorkshire County Council") < names.index("North Yorkshire") < names.index("York")
    assert "AfC" in names and "Halton BC" in names and "" not in names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Colleagues leave for North Yorkshire County Council.", f"Colleagues leave for {ORG_MARK}."),
        ("north yorkshire pays more than york", f"{ORG_MARK} pays more than {ORG_MARK}"),
        ("City of York Council and York CC", f"{ORG_MARK} and {ORG_MARK}"),
        (
            "Yorkshire and The Humber is a region; Yorkshire stays.",
            "Yorkshire and The Humber is a region; Yorkshire stays.",
        ),
        ("HALTON  Borough\nCouncil", ORG_MARK),  # any case, any white space
        ("Haltonian is not Halton.", f"Haltonian is not {ORG_MARK}."),
        ("We work with AfC and afc.", f"We work with {ORG_MARK} and {ORG_MARK}."),
        ("Halton's managers", f"{ORG_MARK}'s managers"),
    ],
)
def test_organisations(redactor, text, expected):
    assert redactor(text) == expected


def test_common_words_only_with_a_capital(redactor):
    assert redactor("reading case notes; bury the problem") == "reading case notes; bury the problem"
    assert redactor("I moved from Reading to Bury MBC.") == f"I moved from {ORG_MARK} to {ORG_MARK}."


def test_one_redactor_for_comments_and_the_return_annex(redactor):
    """The organisation part is shared with the return's annex: generic endings, apostrophes and
    dashes as typed, and every everyday-word name (Derby and Harrow too) only with a capital."""
    assert redactor("the Halton Council team and York City Council") == f"the {ORG_MARK} team and {ORG_MARK}"
    assert redactor("Halton\u2019s managers") == f"{ORG_MARK}\u2019s managers"
    assert redactor("Bury Council and bury") == f"{ORG_MARK} and bury"
    orgs = pd.DataFrame(
        {"org_code": ["E06000021", "E06000015", "E09000015"], "name": ["Stoke-on-Trent", "Derby", "Harrow"],
         "official_name": ["Stoke-on-Trent City Council", "Derby City Council", "London Borough of Harrow"],
         "aliases": ["", "", ""]}
    )  # fmt: skip
    both = Redactor.from_organisations(orgs)
    assert both("Stoke on Trent and Stoke\u2013on\u2013Trent") == f"{ORG_MARK} and {ORG_MARK}"
    assert both("a derby and a harrow; Derby and Harrow") == f"a derby and a harrow; {ORG_MARK} and {ORG_MARK}"


def test_short_spellings_are_not_used():
    orgs = pd.DataFrame({"name": ["Halton"], "official_name": ["Halton Borough Council"], "aliases": ["ha;NE"]})
    assert organisation_names(orgs) == ["Halton Borough Council", "Halton", "NE"]


def test_no_organisations_no_pattern():
    assert organisation_pattern([]) is None
    assert redact("Halton", None) == "Halton"


# --------------------------------------------------------------------------------------
# all together
# --------------------------------------------------------------------------------------
def test_everything_in_one_comment(redactor):
    text = (
        "Mrs Patel at Halton Borough Council (WA8 7QF) is brilliant - ring 0151 907 8306 or "
        "email jane.doe@example.gov.uk. Staff leave for Warrington."
    )
    expected = (
        f"{NAME_MARK} at {ORG_MARK} ({POSTCODE_MARK}) is brilliant - ring {PHONE_MARK} or "
        f"email {EMAIL_MARK}. Staff leave for Warrington."  # Warrington is not in this test's list
    )
    assert redactor(text) == expected


def test_e_mail_holding_an_organisation_is_one_mark(redactor):
    assert redactor("write to halton.team@halton.gov.uk") == f"write to {EMAIL_MARK}"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_missing_is_empty(missing):
    assert redact(missing) == ""


def test_plain_comment_unchanged(redactor):
    text = "Supervision is regular and my manager listens. Caseloads are too high in the 0-25 team."
    assert redactor(text) == text


def test_planted_sample_strings_are_all_removed(project):
    from healthcheck.synthetic.comments import PLANTED_SENSITIVE

    redactor = Redactor.from_organisations(load_organisations(project))
    for text in PLANTED_SENSITIVE:
        out = redactor(f"Before {text} after.")
        assert text not in out and out.startswith("Before ") and out.endswith(" after."), out


# --------------------------------------------------------------------------------------
# the report's free-text section (findings.free_text)
# --------------------------------------------------------------------------------------
def _view(suppressed: bool = False):
    from healthcheck.views.council import CouncilView

    return CouncilView(year=2020, code="E06000006", name="Halton", region="North West", n_responses=22,
                       suppressed=suppressed, params=scoring_params())  # fmt: skip


def test_free_text_section_redacts_sorts_and_escapes():
    from healthcheck.findings.free_text import free_text_section

    comments = pd.DataFrame(
        {
            "comment_best": ["Zebra crossing outside.", "Mrs Patel at Halton BC is great *really*", None],
            "comment_improve": ["<script>alert(1)</script> ring 0151 907 8306", None, "  "],
        },
        dtype="string",
    )
    md = free_text_section(_view(), comments, ORGS)
    assert md.startswith("## Comments from Halton's respondents\n\n")
    best = md.split("### What works well\n\n")[1].split("\n\n###")[0].splitlines()
    # alphabetical, redacted, every punctuation mark escaped so nothing in a comment acts as markup
    assert best == [
        r"- \[name\] at \<Council Name\> is great \*really\*",
        r"- Zebra crossing outside\.",
    ]
    improve = md.split("### What could be better\n\n")[1].splitlines()
    assert improve == [r"- \<script\>alert\(1\)\<\/script\> ring \[phone number\]"]


def test_free_text_section_with_no_comments_and_for_a_suppressed_council():
    from healthcheck.findings.free_text import free_text_section

    empty = pd.DataFrame(
        {"comment_best": pd.Series([], dtype="string"), "comment_improve": pd.Series([], dtype="string")}
    )
    md = free_text_section(_view(), empty, ORGS)
    assert md.count("No comments were given.") == 2
    assert free_text_section(_view(suppressed=True), empty, ORGS) == ""


def test_free_text_reads_only_the_councils_own_rows(project):
    from healthcheck.findings.free_text import free_text, load_own_comments

    folder = project.processed_dir(2020)
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "response_id": ["1", "2", "3"],
            "org_code": ["E06000006", "E06000007", "E06000006"],
            "comment_best": ["Ours, first.", "Warrington's secret.", None],
            "comment_improve": [None, "Also theirs.", "Ours, second."],
        }
    ).astype("string").to_parquet(folder / "responses.parquet")
    own = load_own_comments(project, _view())
    assert own.columns.tolist() == ["comment_best", "comment_improve"]
    assert own["comment_best"].dropna().tolist() == ["Ours, first."]
    assert own["comment_improve"].dropna().tolist() == ["Ours, second."]
    md = free_text(project, _view(), show=True)
    assert r"Ours\, first" in md and r"Ours\, second" in md and "secret" not in md and "theirs" not in md
    assert free_text(project, _view(), show=False) == ""
    assert free_text(project, _view(suppressed=True), show=True) == ""
    assert load_own_comments(project, _view(suppressed=True)).empty
