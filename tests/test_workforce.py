"""Workforce context: a hand-made return of seven organisations whose every figure is worked out below.

North West (4 returns):
    Halton      FTE 100, unfilled 10, agency 20, caseload 18, monthly      -> vacancy 10%, agency 20%
    Warrington  FTE  50, unfilled 10, agency  5, caseload 22, fortnightly  -> vacancy 20%, agency 10%
    Blackburn   FTE 200, unfilled 10, agency 40, caseload 20, monthly      -> vacancy  5%, agency 20%
    Trafford    FTE   0, unfilled  0, agency  0, no caseload, no answer    -> no rates (no posts)
London (2 returns):
    Camden      FTE  40, unfilled  8, agency 12, caseload 16, fortnightly  -> vacancy 20%, agency 30%
    Ealing      FTE  60, unfilled  3, agency --, caseload 14, fortnightly  -> vacancy  5%, no agency rate
No region:
    NC001       FTE  30, unfilled  3, agency  3, caseload --, weekly       -> vacancy 10%, agency 10%

North West means of the organisations' rates: vacancy (10 + 20 + 5) / 3 = 11.67%, agency
(20 + 10 + 20) / 3 = 16.67%, caseload (18 + 22 + 20) / 3 = 20; supervision monthly, 2 of 3 = 66.7%.
(The pooled vacancy ratio would be 30 / 350 = 8.57%: not what is shown.)
England (all seven): vacancy (10 + 20 + 5 + 20 + 5 + 10) / 6 = 11.67%, agency (20 + 10 + 20 + 30 +
10) / 5 = 18%, caseload (18 + 22 + 20 + 16 + 14) / 5 = 18; supervision fortnightly 3 of 6 = 50%
(monthly 2, weekly 1). London has two returns: every figure below the minimum of three.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from healthcheck.views import workforce
from healthcheck.views.workforce import GroupFigure, context_table, context_text, most_common, organisation_figures

NA = None
MONTH, FORTNIGHT, WEEK = "Once a month", "Once a fortnight", "Once a week"
FORM_ORDER = [WEEK, FORTNIGHT, MONTH, "Once every 4-6 weeks", "Once every 6-8 weeks", "Other"]

ROWS = [
    ("E06000006", "Halton", "North West", 100, 10, 20, 18, MONTH),
    ("E06000007", "Warrington", "North West", 50, 10, 5, 22, FORTNIGHT),
    ("E06000008", "Blackburn with Darwen", "North West", 200, 10, 40, 20, MONTH),
    ("E08000009", "Trafford", "North West", 0, 0, 0, NA, NA),
    ("E09000007", "Camden", "London", 40, 8, 12, 16, FORTNIGHT),
    ("E09000009", "Ealing", "London", 60, 3, NA, 14, FORTNIGHT),
    ("NC001", "A children's trust", NA, 30, 3, 3, NA, WEEK),
]


@pytest.fixture
def returns() -> pd.DataFrame:
    frame = pd.DataFrame(
        ROWS,
        columns=[
            "org_code",
            "org_name",
            "region",
            "fte_posts",
            "unfilled_posts",
            "agency_posts",
            "caseload",
            "supervision_frequency",
        ],
    )
    for column in ("fte_posts", "unfilled_posts", "agency_posts", "caseload"):
        frame[column] = frame[column].astype("Float64")  # as the cleaned return holds numbers
    frame["service"] = "Children"
    frame["org_type"] = "Unitary Authority"
    return frame


def context(returns, code="E06000006", name="Halton", region="North West", min_orgs=3):
    return workforce.workforce_context(
        returns, code, year=2020, name=name, region=region, min_region_orgs=min_orgs, supervision_order=FORM_ORDER
    )


def test_organisation_rates_are_shares_of_fte_posts(returns):
    figures = organisation_figures(returns).set_index("org_code")
    assert figures.loc["E06000006", "vacancy_rate"] == pytest.approx(10.0)
    assert figures.loc["E06000007", "vacancy_rate"] == pytest.approx(20.0)
    assert figures.loc["E06000008", "agency_rate"] == pytest.approx(20.0)
    assert math.isnan(figures.loc["E08000009", "vacancy_rate"])  # no posts: no rate, not 0 or infinity
    assert math.isnan(figures.loc["E09000009", "agency_rate"])
    assert figures.loc["E06000007", "caseload"] == 22.0
    assert figures.loc["NC001", "supervision_frequency"] == WEEK


def test_regional_and_national_figures_are_means_of_organisations_rates(returns):
    ctx = context(returns)
    nw, england = ctx.regional, ctx.national
    assert nw["vacancy_rate"].value == pytest.approx(35 / 3) and nw["vacancy_rate"].orgs == 3
    assert nw["vacancy_rate"].value != pytest.approx(100 * 30 / 350)  # not the pooled ratio
    assert nw["agency_rate"].value == pytest.approx(50 / 3)
    assert nw["caseload"] == GroupFigure(20.0, 3)
    assert nw["supervision_frequency"].value == MONTH and nw["supervision_frequency"].share == pytest.approx(200 / 3)
    assert england["vacancy_rate"].value == pytest.approx(70 / 6) and england["vacancy_rate"].orgs == 6
    assert england["agency_rate"] == GroupFigure(pytest.approx(18.0), 5)
    assert england["caseload"].value == pytest.approx(18.0) and england["caseload"].orgs == 5
    assert england["supervision_frequency"] == GroupFigure(FORTNIGHT, 6, share=50.0)
    assert (ctx.region_returns, ctx.national_returns) == (4, 7)
    assert ctx.own == {"vacancy_rate": 10.0, "agency_rate": 20.0, "caseload": 18.0, "supervision_frequency": MONTH}


def test_table_for_a_council_with_a_return(returns):
    table = context_table(context(returns))
    assert list(table.columns) == ["Measure", "Halton", "North West", "England"]
    assert table["Halton"].tolist() == ["10.0%", "20.0%", "18.0", MONTH]
    assert table["North West"].tolist() == ["11.7%", "16.7%", "20.0", "Once a month (67% of organisations)"]
    assert table["England"].tolist() == ["11.7%", "18.0%", "18.0", "Once a fortnight (50% of organisations)"]


def test_sentences_for_a_council_with_a_return(returns):
    text = context_text(context(returns))
    assert text == (
        "From Halton's organisational return for children's services for 2020: 10.0% of its social worker posts "
        "were unfilled (North West 11.7%, England 11.7%), 20.0% were covered by agency or temporary staff "
        "(North West 16.7%, England 18.0%) and the average caseload was 18.0 cases (North West 20.0, England 18.0). "
        "Qualified social workers have supervision once a month (most common in England: once a fortnight)."
    )


def test_a_region_below_the_minimum_is_suppressed(returns):
    ctx = context(returns, "E09000007", "Camden", "London")
    assert all(f.suppressed and f.value is None for f in ctx.regional.values())
    assert ctx.regional["vacancy_rate"].orgs == 2
    table = context_table(ctx)
    assert table["London"].tolist() == ["[c]"] * 4
    assert table["Camden"].tolist() == ["20.0%", "30.0%", "16.0", FORTNIGHT]
    assert any(note.startswith("[c]: fewer than 3 organisations") for note in workforce.context_notes(ctx))
    # the words leave the suppressed region out and keep England
    text = context_text(ctx)
    assert "London" not in text and "20.0% of its social worker posts were unfilled (England 11.7%)" in text
    assert text.endswith("once a fortnight, the most common answer in England.")
    # with a minimum of two, London's figures appear: vacancy (20 + 5) / 2 = 12.5%
    assert context_table(context(returns, "E09000007", "Camden", "London", min_orgs=2))["London"][0] == "12.5%"


def test_missing_figures_and_an_organisation_without_a_region(returns):
    ctx = context(returns, "NC001", "A children's trust", None)
    table = context_table(ctx)
    assert list(table.columns) == ["Measure", "A children's trust", "England"]
    assert table["A children's trust"].tolist() == ["10.0%", "10.0%", "n/a", WEEK]
    assert "n/a: not given in the return." in workforce.context_notes(ctx)
    assert "caseload" not in context_text(ctx)


def test_a_council_with_no_return_gets_a_sentence(returns):
    ctx = context(returns, "E08000010", "Wigan", "North West")
    assert not ctx.returned and ctx.regional["caseload"].value == 20.0
    assert context_text(ctx) == (
        "Wigan did not submit an organisational return for 2020, so its workforce context "
        "(vacancies, agency staff, caseloads and supervision) cannot be shown."
    )


def test_a_year_with_no_return_at_all(project):
    ctx = workforce.load_workforce_context(project, 2020, "E06000006", name="Halton", region="North West")
    assert not ctx.any_returns and not ctx.returned
    assert (
        context_text(ctx)
        == "No organisational return was collected for 2020, so there is no workforce context this year."
    )


def test_most_common_breaks_ties_in_the_forms_order():
    assert most_common(pd.Series([MONTH, WEEK, None]), FORM_ORDER) == (WEEK, 50.0)
    assert most_common(pd.Series([MONTH, MONTH, WEEK]), FORM_ORDER) == (MONTH, pytest.approx(200 / 3))
    assert most_common(pd.Series([None, None], dtype="object"), FORM_ORDER) == (None, None)


def test_words_when_some_figures_are_missing(returns):
    ealing = context(returns, "E09000009", "Ealing", "London")  # no agency figure
    assert (
        "5.0% of its social worker posts were unfilled (England 11.7%) and the average caseload was 14.0 cases"
        in context_text(ealing)
    )
    returns.loc[returns["org_code"] == "E06000006", ["unfilled_posts", "supervision_frequency"]] = [None, "Other"]
    halton = context_text(context(returns))
    assert halton.startswith(
        "From Halton's organisational return for children's services for 2020: 20.0% of its social worker posts were covered"
    )
    assert halton.endswith(
        "Supervision of qualified social workers follows a pattern other than the form's options "
        "(most common in England: once a fortnight)."
    )
