"""Charts: titles and axis titles, the right figures, and no other organisation named anywhere."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import scoring_params
from test_council import OTHER_NAMES, YEAR, write_tables  # hand-made scoring tables to the contract

from healthcheck.charts.chart import Chart
from healthcheck.charts.council import (
    area_comparison,
    distribution,
    drivers,
    item_share_charts,
    item_share_groups,
    item_shares,
    item_shares_alt,
    short_wording,
)  # fmt: skip
from healthcheck.charts.statements import item_groups as statement_groups
from healthcheck.charts.statements import part_height, wrap_width
from healthcheck.charts.style import MAX_HEIGHT, WIDTH, band_edges
from healthcheck.config import REPO_ROOT
from healthcheck.errors import ReportError
from healthcheck.reference.areas import load_areas
from healthcheck.views.council import load_council_view

CHARTS = [area_comparison, distribution, item_shares, drivers]


@pytest.fixture
def scored(project):
    write_tables(project)
    return project


@pytest.fixture
def halton(scored):
    return load_council_view(scored, YEAR, "Halton")


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.__name__)
def test_titles_axes_and_size(halton, chart):
    made = chart(halton)
    assert isinstance(made, Chart) and made.alt
    fig = made.figure
    assert "2020" in made.title and fig.layout.title.text is None  # one title: the caption
    assert fig.layout.xaxis.title.text
    assert fig.layout.yaxis.title.text or chart is item_shares  # the statement chart labels its rows
    assert fig.layout.width == WIDTH and 300 <= fig.layout.height <= MAX_HEIGHT


@pytest.mark.parametrize("who", ["Halton", "Warrington", "Cafcass"])
@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.__name__)
def test_no_other_organisation_in_the_figure(scored, chart, who):
    view = load_council_view(scored, YEAR, who)
    made = chart(view)
    text = made.figure.to_json() + made.title + made.alt
    assert who in text
    for other in [*OTHER_NAMES, "E06000006", "Halton"]:
        if other not in (who, view.code):
            assert other not in text, f"{other} appears in {chart.__name__} for {who}"


def test_only_council_region_and_england_have_hover_text(halton):
    for chart in CHARTS:
        for trace in chart(halton).figure.data:
            if trace.hoverinfo != "skip":
                assert trace.name in ("England", "North West") or trace.name.startswith(("Halton", "England", "Agree", "Neither", "Disagree")), trace.name  # fmt: skip


def test_area_comparison_values_and_bands(halton):
    chart = area_comparison(halton)
    assert chart.name == "area_comparison"
    fig = chart.figure
    traces = {t.name: t for t in fig.data}
    assert list(traces) == ["England", "North West", "Halton (with 95% confidence interval)"]
    council = traces["Halton (with 95% confidence interval)"]
    assert list(council.x)[:3] == [80.2, 78.0, 76.4]
    assert list(council.y)[5] == "6. CPD" and list(council.y)[10] == "Tensions"
    assert "Halton: 66 – Amber (monitor)" in council.hovertext[5]
    assert list(traces["North West"].x)[5] == 64.0 and list(traces["England"].x)[10] == 35.0
    bands = [a.text for a in fig.layout.annotations]
    assert bands == [
        "<b>Red</b><br>(improve)<br>0–50",
        "<b>Amber</b><br>(monitor)<br>51–74",
        "<b>Green</b><br>(sustain)<br>75–100",
    ]
    assert [(s.x0, s.x1) for s in fig.layout.shapes] == [(0.0, 50.5), (50.5, 74.5), (74.5, 100.0)]


def test_distribution_shows_others_as_bare_grey_points(halton):
    chart = distribution(halton)
    assert chart.name == "distribution"
    fig = chart.figure
    others, council = fig.data
    assert others.hoverinfo == "skip" and others.text is None and others.name == "Other organisations (not named)"
    # row 0 is the overall score: the four other reportable organisations
    overall = [x for x, y in zip(others.x, others.y, strict=True) if abs(y) < 0.5]
    assert overall == [54.25, 69.5, 73.0, 83.0]
    assert len(others.x) == 4 * 14
    assert council.x[0] == 77.55 and council.text[0] == "Halton"
    assert list(fig.layout.yaxis.ticktext)[:2] == ["Overall score", "1. Social work framework"]
    assert "among the 5 organisations reporting" in chart.title
    only_overall = distribution(halton, by_area=False).figure
    assert len(only_overall.data[0].x) == 4


def test_item_shares_council_against_england(halton):
    fig = item_shares(halton, "s6").figure
    agree = fig.data[0]
    assert [t.name for t in fig.data] == ["Agree", "Neither agree nor disagree", "Disagree"]
    assert list(agree.x) == [40.9, 37.9]
    assert list(fig.layout.yaxis.ticktext) == ["Halton", "England"]
    assert list(fig.layout.yaxis.tickvals) == list(agree.y)
    # the whole wording, above the two bars, never cut short
    assert [a.text for a in fig.layout.annotations] == [
        "I am given protected time for continuing professional development"
    ]
    assert "…" not in fig.to_json()
    assert list(agree.text) == ["41%", "38%"]
    assert agree.hovertext[0].startswith("I am given protected time for continuing professional development – Halton")
    assert len(item_shares(halton).figure.data[0].x) == 6
    assert item_shares(halton).name == "item_shares"


def test_item_shares_come_in_parts_that_fit_a_page(halton):
    """Whole areas in parts no taller than a page, each part only with the areas that have statements."""
    assert item_share_groups(halton) == [
        ("item_shares_standards_4_6", ["s4", "s6"]),
        ("item_shares_tensions", ["tensions"]),
    ]
    parts = item_share_charts(halton)
    assert [c.name for c in parts] == ["item_shares_standards_4_6", "item_shares_tensions"]
    assert parts[0].title == "Agreement with each statement: Halton and England, 2020 (Standards 4 and 6)"
    assert parts[1].title == "Agreement with each statement: Halton and England, 2020 (Tensions)"
    assert parts[0].alt == item_shares_alt(halton, ["s4", "s6"])
    assert all(c.figure.layout.height <= MAX_HEIGHT for c in parts)
    assert item_shares(halton, ["s4", "s6", "tensions"]).title.endswith("2020 (Wellbeing, CPD and Tensions)")
    assert item_shares_alt(halton, ["s4", "s6"]).startswith(
        "Stacked bar chart of the percentage of Halton's respondents and of England's who agree, neither agree "
        "nor disagree, or disagree with each statement on Wellbeing and CPD."
    )
    assert "each statement of the survey." in item_shares(halton).alt


def test_statement_parts_from_the_codebook():
    """Every statement of the survey: standards and other areas apart, whole areas, each part fits a page."""
    areas = load_areas()
    book = pd.read_csv(REPO_ROOT / "data" / "reference" / "codebook.csv")
    wordings = {a: book.loc[book["area"] == a, "wording"].tolist() for a in book["area"].unique()}
    parts = statement_groups(areas, wordings)
    assert [p[0] for p in parts][:2] == ["item_shares_standards_1_2", "item_shares_standard_3"]
    assert parts[0][1] == "Standards 1 and 2"
    assert [a for p in parts for a in p[2]] == areas.sort_values("order")["area"].tolist()
    assert all(part_height({a: wordings[a] for a in p[2]}, wrap_width(70)) <= MAX_HEIGHT for p in parts)
    one = statement_groups(areas, {"s1": ["A short statement"], "s2": ["Another"], "s3": ["A third"]})
    assert one == [("item_shares_standards_1_3", "Standards 1 to 3", ["s1", "s2", "s3"])]


def test_item_shares_marks_suppressed_items(halton):
    halton.items.loc[(halton.items["level"] == "org") & (halton.items["item"] == "s4_1"), ["agree", "neutral", "disagree"]] = None  # fmt: skip
    fig = item_shares(halton, "s4").figure
    assert fig.data[-1].text == ("[c] fewer than 5 answers",)


def test_short_wording():
    assert short_wording("I feel cared for by my managers") == "I feel cared for by my managers"
    assert short_wording("My organisation has a clear and well-defined approach to social work practice") == (
        "My organisation has a clear and well-defined…"
    )


def test_drivers_national_and_own(scored, halton):
    fig = drivers(halton).figure
    assert len(fig.data) == 1 and "too small for its own estimate" in drivers(halton).title
    assert [round(x, 2) for x in fig.data[0].x] == [0.3, 0.33, 0.36, 0.39, 0.42, 0.45, 0.48, 0.51]
    own = drivers(load_council_view(scored, YEAR, "Warrington")).figure
    assert [t.name for t in own.data] == ["England (95% confidence interval)", "Warrington's own responses"]
    assert round(own.data[1].x[4], 2) == 0.52


def test_suppressed_council_has_no_charts(scored):
    view = load_council_view(scored, YEAR, "Bolton")
    for chart in CHARTS:
        with pytest.raises(ReportError, match="fewer than 10"):
            chart(view)


def test_figures_are_plain_json(halton):
    for chart in CHARTS:
        json.loads(chart(halton).figure.to_json())


def test_alt_text(scored, halton):
    assert area_comparison(halton).alt == (
        "Dot chart of Halton's mean score (0-100) in each of the 8 standards and 5 other areas, beside the scores "
        "of England and the North West, drawn over the Red, Amber and Green rating bands. Halton's ratings: "
        "10 Green, 2 Amber, 1 Red. The table that follows gives every figure, with the confidence intervals."
    )
    # overall 77.55; of 54.25, 69.5, 73.0 and 83.0 only one is higher
    assert distribution(halton).alt.endswith(
        "with Halton marked. 1 of the other 4 organisations has a higher overall score. The table that follows gives "
        "Halton's score and the spread of every organisation's in each area."
    )
    assert "Halton's own estimates" not in drivers(halton).alt
    assert "with 95% confidence intervals" in drivers(halton).alt
    assert "Warrington's own estimates" in drivers(load_council_view(scored, YEAR, "Warrington")).alt


def test_a_14th_area_changes_the_alt_text(halton):
    """The alt text counts the areas from the areas table: a new other area makes it '6 other areas'."""
    extra = pd.DataFrame([{"area": "pay", "kind": "other", "number": pd.NA, "title": "Pay", "short_title": "Pay",
                           "order": 99}])  # fmt: skip
    halton.areas = pd.concat([halton.areas, extra], ignore_index=True)
    assert "in each of the 8 standards and 6 other areas, beside" in area_comparison(halton).alt


def test_band_edges_sit_at_halves():
    assert band_edges(scoring_params().bands) == [
        ("Red", "improve", 0.0, 50.5, "0–50"), ("Amber", "monitor", 50.5, 74.5, "51–74"),
        ("Green", "sustain", 74.5, 100.0, "75–100"),
    ]  # fmt: skip
