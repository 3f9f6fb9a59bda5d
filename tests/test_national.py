"""The national report's tables and sentences from small scoring tables made by hand to the data contract.

Seven organisations: three reporting in the North West (plus Bolton, too small), two in the North
East and Cafcass (no region). Every standard and area of an organisation has the same score
except Tensions, so each distribution below is worked out once. The pooled figures are built
from three groups of respondents (North West, North East, the rest) with stated sizes, means and
standard deviations; England's are worked out from them in ``pooled`` below.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import AREAS, scoring_params
from scipy import stats

from healthcheck.charts import distributions as charts
from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError
from healthcheck.findings.national import headline
from healthcheck.reference.areas import load_areas
from healthcheck.views.national import (
    area_table,
    build_national_view,
    distribution_table,
    drivers_table,
    items_table,
    key_driver_counts,
    load_national_view,
    overall_spread,
    participation,
    regional_ratings,
    regional_scores,
)

YEAR = 2020
ACTIONS = {"Green": "sustain", "Amber": "monitor", "Red": "improve"}

# org_code: (name, org_type, region, valid responses)
ORGS = {
    "E06000006": ("Halton", "Unitary Authority", "North West", 22),
    "E06000007": ("Warrington", "Unitary Authority", "North West", 30),
    "E06000008": ("Blackburn with Darwen", "Unitary Authority", "North West", 15),
    "E08000001": ("Bolton", "Metropolitan District", "North West", 7),
    "E06000001": ("Hartlepool", "Unitary Authority", "North East", 12),
    "E06000002": ("Middlesbrough", "Unitary Authority", "North East", 20),
    "NC010": ("Cafcass", "Non-council", None, 40),
}
# every area but Tensions
ORG_SCORE = {
    "E06000006": 80.0,
    "E06000007": 70.0,
    "E06000008": 60.0,
    "E06000001": 74.5,
    "E06000002": 50.4,
    "NC010": 90.0,
}
ORG_TENSIONS = {
    "E06000006": 40.0,
    "E06000007": 45.0,
    "E06000008": 30.0,
    "E06000001": 35.0,
    "E06000002": 20.0,
    "NC010": 50.4,
}

# pooled respondents: (n, sd) per group and mean per area
GROUPS = {"North West": (100, 10.0), "North East": (50, 11.0), "rest": (250, 12.0)}
BASE_MEAN = dict.fromkeys(AREAS, 70.0) | {"s5": 78.0, "s7": 80.0, "s8": 74.5, "tensions": 40.0}
MEANS = {
    "North West": BASE_MEAN | {"s1": 80.0, "s6": 60.0},
    "North East": dict(BASE_MEAN),
    "rest": dict(BASE_MEAN),
}


def rate(score: float) -> str:
    whole = math.floor(score + 0.5)  # half up
    return "Green" if whole >= 75 else "Amber" if whole >= 51 else "Red"


def pooled(groups: list[str], area: str) -> tuple[int, float, float]:
    """n, mean and sd of the respondents of several groups together (within plus between sums of squares)."""
    ns = [GROUPS[g][0] for g in groups]
    sds = [GROUPS[g][1] for g in groups]
    means = [MEANS[g][area] for g in groups]
    n = sum(ns)
    mean = sum(k * m for k, m in zip(ns, means, strict=True)) / n
    ss = sum((k - 1) * s**2 + k * (m - mean) ** 2 for k, s, m in zip(ns, sds, means, strict=True))
    return n, mean, math.sqrt(ss / (n - 1))


def ci(n: int, mean: float, sd: float) -> tuple[float, float]:
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


# the distribution of organisation scores, worked out by hand (linear interpolation)
NATIONAL_DIST = dict(min=50.4, q1=62.5, median=72.25, q3=78.625, max=90.0)  # 50.4 60 70 74.5 80 90
NATIONAL_DIST_TENSIONS = dict(min=20.0, q1=31.25, median=37.5, q3=43.75, max=50.4)  # 20 30 35 40 45 50.4
NW_DIST = dict(min=60.0, q1=65.0, median=70.0, q3=75.0, max=80.0)  # 60 70 80
NW_DIST_TENSIONS = dict(min=30.0, q1=35.0, median=40.0, q3=42.5, max=45.0)  # 30 40 45


def scoring_tables() -> dict[str, pd.DataFrame]:
    """The scoring tables of docs/data-contracts.md for the organisations and groups above."""
    rows = []
    for code, (name, org_type, region, n_resp) in ORGS.items():
        ok = n_resp >= 10
        for area in AREAS:
            score = (ORG_TENSIONS if area == "tensions" else ORG_SCORE)[code] if ok else np.nan
            rating = rate(score) if ok else None
            rows.append(dict(
                org_code=code, org_name=name, org_type=org_type, region=region, area=area, n_responses=n_resp,
                n=n_resp if ok else np.nan, score=score, sd=15.0 if ok else np.nan, ci_low=score - 5, ci_high=score + 5,
                rating=rating, action=ACTIONS.get(rating), national_score=np.nan, diff_national=np.nan,
                t_stat=np.nan, p_value=np.nan, significance="no difference" if ok else None, reportable=ok,
            ))  # fmt: skip
    org_scores = pd.DataFrame(rows)

    bench = []
    for level, group, members, orgs, dist, dist_t in (
        ("national", "England", ["North West", "North East", "rest"], 6, NATIONAL_DIST, NATIONAL_DIST_TENSIONS),
        ("region", "North West", ["North West"], 3, NW_DIST, NW_DIST_TENSIONS),
        ("region", "North East", ["North East"], 2, None, None),
    ):
        for area in AREAS:
            n, mean, sd = pooled(members, area)
            low, high = ci(n, mean, sd)
            d = (dist_t if area == "tensions" else dist) or dict.fromkeys(NATIONAL_DIST, np.nan)
            bench.append(dict(level=level, group=group, area=area, score=mean, n=n, ci_low=low, ci_high=high,
                              rating=rate(mean), action=ACTIONS[rate(mean)], orgs=orgs, **d))  # fmt: skip
    benchmarks = pd.DataFrame(bench)

    ranks = pd.DataFrame(
        [
            (code, name, region, n, ORG_SCORE[code] if n >= 10 else np.nan, n >= 10)
            for code, (name, _, region, n) in ORGS.items()
        ],
        columns=["org_code", "org_name", "region", "n_responses", "overall", "ranked"],
    )
    for col in ("national_rank", "national_of", "regional_rank", "regional_of"):
        ranks[col] = pd.array([pd.NA] * len(ranks), dtype="Int64")

    rho = {"s1": 0.35, "s2": 0.20, "s3": 0.30, "s4": 0.40, "s5": 0.45, "s6": 0.25, "s7": 0.10, "s8": 0.15}
    drivers = pd.DataFrame(
        [dict(level="national", org_code=None, area=a, n=380, rho=r, ci_low=r - 0.1, ci_high=r + 0.1, p_value=0.001,
              beta=r / 2) for a, r in rho.items()]
        + [dict(level="org", org_code="NC010", area=a, n=40, rho=r, ci_low=r - 0.3, ci_high=r + 0.3, p_value=0.04,
                beta=np.nan) for a, r in rho.items()]
    )  # fmt: skip
    key_drivers = pd.DataFrame(
        [(code, "s5", 0.45, "national") for code in ORG_SCORE if code != "NC010"] + [("NC010", "s4", 0.7, "own")],
        columns=["org_code", "area", "rho", "source"],
    )
    items = pd.DataFrame(
        [
            # level, group, item, area, base, agree, neutral, disagree
            ("national", "England", "s1_2", "s1", 390, 70.0, 20.0, 10.0),
            ("national", "England", "s1_1", "s1", 395, 65.5, 24.5, 10.0),
            ("national", "England", "tensions_1", "tensions", 398, 80.0, 12.0, 8.0),
            ("region", "North West", "s1_1", "s1", 99, 90.0, 5.0, 5.0),
            ("org", "E06000006", "s1_1", "s1", 22, 95.0, 5.0, 0.0),
        ],
        columns=["level", "group", "item", "area", "base", "agree", "neutral", "disagree"],
    )
    rates = pd.DataFrame({"org_code": list(ORGS), "n_responses": [v[3] for v in ORGS.values()]})
    rates["headcount"] = pd.array([pd.NA] * len(rates), dtype="Int64")
    rates["response_rate"] = np.nan
    return dict(org_scores=org_scores, benchmarks=benchmarks, ranks=ranks, drivers=drivers,
                key_drivers=key_drivers, items=items, response_rates=rates)  # fmt: skip


CODEBOOK = pd.DataFrame(
    {
        "item": ["s1_1", "s1_2", "tensions_1"],
        "area": ["s1", "s1", "tensions"],
        "reverse": [False, False, True],
        "wording": [
            "My organisation has a clear approach",
            "I know what is expected of me",
            "I am often required to do more with less",
        ],
    }
)


def make_view(meta: dict | None = None):
    return build_national_view(
        scoring_tables(), year=YEAR, params=scoring_params(), areas=load_areas(Project(REPO_ROOT)), codebook=CODEBOOK,
        meta=meta,
    )  # fmt: skip


@pytest.fixture
def view():
    return make_view()


# --------------------------------------------------------------------------------------
def test_participation_counts_organisations_and_responses(view):
    # 22 + 30 + 15 + 7 + 12 + 20 + 40 responses; Cafcass is the non-council; Bolton (7) is too small
    assert participation(view) == dict(
        responses=146, organisations=7, councils=6, non_councils=1, reporting=6, too_small=1
    )
    assert participation(view, "North West") == dict(responses=74, organisations=4, councils=4, non_councils=0,
                                                     reporting=3, too_small=1)  # fmt: skip


def test_area_table_gives_englands_pooled_score_interval_rating_and_action(view):
    table = area_table(view)
    assert table.columns.tolist() == [
        "Area",
        "Base (n)",
        "England score",
        "Lower limit (95%)",
        "Upper limit (95%)",
        "Rating",
        "Action",
    ]
    assert len(table) == 13
    assert table["Area"].iloc[0] == "1. Strong and clear social work framework"
    assert table["Area"].iloc[10] == "Tensions"
    s1 = table.iloc[0]
    # (100 * 80 + 50 * 70 + 250 * 70) / 400 = 72.5, rounds to 73: amber
    assert s1["Base (n)"] == 400
    assert s1["England score"] == pytest.approx(72.5)
    # sd: within (99 * 100 + 49 * 121 + 249 * 144) + between (100 * 7.5^2 + 300 * 2.5^2) over 399
    sd = math.sqrt((9900 + 5929 + 35856 + 5625 + 1875) / 399)
    half = stats.t.ppf(0.975, 399) * sd / 20
    assert s1["Lower limit (95%)"] == pytest.approx(72.5 - half)
    assert s1["Upper limit (95%)"] == pytest.approx(72.5 + half)
    assert (s1["Rating"], s1["Action"]) == ("Amber", "monitor")
    # Strategic partnerships at 74.5 rounds half up to 75: green
    s8 = table.iloc[7]
    assert (s8["England score"], s8["Rating"], s8["Action"]) == (74.5, "Green", "sustain")
    assert table.iloc[10][["Rating", "Action"]].tolist() == ["Red", "improve"]


def test_distribution_table_has_quartiles_and_counts_by_rating(view):
    table = distribution_table(view)
    assert table.columns.tolist() == ["Area", "Organisations", "Lowest", "Lower quartile", "Median", "Upper quartile",
                                      "Highest", "Rated Green", "Rated Amber", "Rated Red"]  # fmt: skip
    s1 = table.iloc[0]
    assert s1["Area"] == "1. Social work framework"
    assert [s1[c] for c in ("Organisations", "Lowest", "Lower quartile", "Median", "Upper quartile", "Highest")] == [
        6, 50.4, 62.5, 72.25, 78.625, 90.0]  # fmt: skip
    # 80 and 90 green, 74.5 rounds to 75: green; 70 and 60 amber; 50.4 rounds to 50: red
    assert [s1["Rated Green"], s1["Rated Amber"], s1["Rated Red"]] == [3, 2, 1]
    tensions = table.iloc[10]
    assert [tensions["Median"], tensions["Rated Green"], tensions["Rated Amber"], tensions["Rated Red"]] == [
        37.5,
        0,
        0,
        6,
    ]


def test_distribution_table_for_a_region_counts_only_its_organisations(view):
    nw = view.reporting()
    nw = nw[nw["region"] == "North West"]
    table = distribution_table(view, level="region", group="North West", org_rows=nw)
    s1 = table.iloc[0]
    assert [s1["Organisations"], s1["Lowest"], s1["Median"], s1["Highest"]] == [3, 60.0, 70.0, 80.0]
    assert [s1["Rated Green"], s1["Rated Amber"], s1["Rated Red"]] == [1, 2, 0]
    # two organisations in the North East: the spread is blank (benchmarks hold nulls)
    ne = distribution_table(view, level="region", group="North East")
    assert ne["Lowest"].isna().all() and (ne["Organisations"] == 2).all()


def test_regional_scores_and_ratings_side_by_side_with_england(view):
    scores = regional_scores(view)
    assert scores.columns.tolist() == ["Area", "England", "North East", "North West"]  # reference order of regions
    assert scores.iloc[0][["England", "North East", "North West"]].tolist() == [72.5, 70.0, 80.0]
    assert scores.iloc[5][["England", "North West"]].tolist() == [67.5, 60.0]  # CPD: (6000 + 3500 + 17500) / 400
    ratings = regional_ratings(view)
    assert ratings.columns.tolist() == scores.columns.tolist()
    assert ratings.iloc[0][["England", "North East", "North West"]].tolist() == ["Amber", "Amber", "Green"]
    assert ratings.iloc[5][["England", "North West"]].tolist() == ["Amber", "Amber"]  # 67.5 -> 68, 60
    assert ratings.iloc[7]["England"] == "Green"  # 74.5 -> 75


def test_drivers_table_strongest_first(view):
    table = drivers_table(view)
    assert table["Standard"].tolist() == [
        "5. Supervision", "4. Wellbeing", "1. Strong and clear social work framework",
        "3. Safe workloads and case allocation", "6. Continuing professional development",
        "2. Effective workforce planning systems", "8. Strategic partnerships", "7. Professional registration",
    ]  # fmt: skip
    assert table["Rank"].tolist() == list(range(1, 9))
    first = table.iloc[0]
    assert [first["Base (n)"], first["Spearman's rho"], first["Lower limit (95%)"], first["Upper limit (95%)"],
            first["Standardised coefficient (beta)"]] == pytest.approx([380, 0.45, 0.35, 0.55, 0.225])  # fmt: skip
    counts = key_driver_counts(view).set_index("Standard")["Organisations"]
    assert counts["4. Wellbeing"] == 1 and counts.sum() == 1  # only Cafcass has its own key driver


def test_items_table_national_shares_in_codebook_order(view):
    table = items_table(view)
    assert table["Statement"].tolist() == [
        "My organisation has a clear approach", "I know what is expected of me", "I am often required to do more with less",
    ]  # fmt: skip
    assert table["Area"].tolist() == ["1. Social work framework", "1. Social work framework", "Tensions"]
    assert table.iloc[0][["Base (n)", "Agree (%)", "Neither (%)", "Disagree (%)"]].tolist() == [395, 65.5, 24.5, 10.0]
    assert len(items_table(view, "tensions")) == 1


def test_overall_spread_of_ranked_organisations(view):
    spread = overall_spread(view)
    assert spread == pytest.approx(dict(orgs=6, min=50.4, q1=62.5, median=72.25, q3=78.625, max=90.0))
    # two organisations are too few to give a spread
    assert overall_spread(view, pd.Series(["E06000001", "E06000002"])) is None


def test_headline_sentences(view):
    lines = headline(view)
    assert lines[0] == (
        "Across England, 146 social workers from 7 organisations (6 councils and 1 non-council employer) "
        "responded to the 2020 Social Work Health Check."
    )
    assert lines[1] == (
        "Nationally, 3 of the 13 standards and areas were rated green (sustain), 9 amber (monitor: Social work "
        "framework, Workforce planning, Safe workloads, Wellbeing, CPD, COVID, Employee contribution, Overall "
        "satisfaction and Desire to stay) and 1 red (improve: Tensions)."
    )
    assert lines[2] == "England's highest scoring standard was Professional registration (80) and its lowest CPD (68)."
    # overall 50.4 ... 90; quartiles 62.5 and 78.625 shown half up as 63 and 79
    assert lines[3] == (
        "Overall scores (the mean of the eight standards) of the 6 organisations reporting ranged from 50 to 90, "
        "with the middle half between 63 and 79."
    )
    assert (
        lines[4]
        == "Of the eight standards, Supervision went most closely with the desire to stay (Spearman's rho 0.45)."
    )
    assert lines[5].startswith("Of the 7 organisations, 1 had fewer than 10 valid responses")


def test_headline_gives_the_fieldwork_dates_from_the_metadata():
    view = make_view({"fieldwork_start": "2020-11-02", "fieldwork_end": "2020-12-18"})
    assert "the 2020 Social Work Health Check (fieldwork 2 November to 18 December 2020)." in headline(view)[0]


def test_no_organisation_is_named_anywhere_in_the_national_report(view):
    text = "\n".join(headline(view))
    for frame in (
        area_table(view),
        distribution_table(view),
        regional_scores(view),
        drivers_table(view),
        items_table(view),
    ):
        text += frame.to_csv()
    for chart in (charts.national_distribution(view), charts.regional_heatmap(view)):
        text += chart.figure.to_json() + chart.title
    text += charts.national_distribution_alt(view) + charts.regional_heatmap_alt(view)
    for code, (name, *_rest) in ORGS.items():
        assert code not in text and name not in text


def test_national_distribution_chart_dots_are_unlabelled(view):
    chart = charts.national_distribution(view)
    assert chart.name == "national_distribution" and chart.alt == charts.national_distribution_alt(view)
    fig = chart.figure
    dots = fig.data[0]
    assert dots.hoverinfo == "skip" and dots.text is None and dots.hovertext is None
    assert sorted(x for x, y in zip(dots.x, dots.y, strict=True) if round(y) == 0) == [
        50.4,
        60.0,
        70.0,
        74.5,
        80.0,
        90.0,
    ]
    assert [t.name for t in fig.data] == [
        "One organisation (not named)",
        "Median organisation",
        "England (all respondents pooled)",
    ]
    assert fig.data[1].x[0] == 72.25 and fig.data[2].x[0] == pytest.approx(72.5)
    assert chart.title.startswith("How organisations' scores vary: the 6 organisations reporting")


def test_alt_text_counts_the_areas_from_the_areas_table(view):
    assert "in each of the 8 standards and 5 other areas, one unnamed grey dot" in charts.national_distribution_alt(
        view
    )
    extra = pd.DataFrame([{"area": "pay", "kind": "other", "number": pd.NA, "title": "Pay", "short_title": "Pay",
                           "order": 99}])  # fmt: skip
    view.areas = pd.concat([view.areas, extra], ignore_index=True)
    assert "in each of the 8 standards and 6 other areas, one unnamed grey dot" in charts.national_distribution_alt(
        view
    )


def test_regional_heatmap_writes_score_and_rating_in_each_cell(view):
    chart = charts.regional_heatmap(view)
    assert chart.name == "regional_heatmap"
    fig = chart.figure
    cells = fig.data[0]
    assert list(cells.x) == ["England", "North East", "North West"]
    assert list(cells.text[0]) == ["73<br>Amber", "70<br>Amber", "80<br>Green"]  # 72.5 half up
    assert cells.text[10][0] == "40<br>Red"
    assert list(cells.y[:2]) == ["1. Social work framework", "2. Workforce planning"]
    assert cells.hoverinfo == "text" and not fig.layout.showlegend


def test_participation_reads_a_blanked_count_from_ranks():
    tables = scoring_tables()
    org = tables["org_scores"]
    org.loc[org["org_code"] == "E08000001", "n_responses"] = np.nan  # Bolton's row suppressed with its count
    view = build_national_view(
        tables, year=YEAR, params=scoring_params(), areas=load_areas(Project(REPO_ROOT)), codebook=CODEBOOK
    )
    assert participation(view)["responses"] == 146 and participation(view)["too_small"] == 1


def test_missing_scoring_tables_are_an_input_error(project):
    with pytest.raises(InputError, match="scoring table is missing"):
        load_national_view(project, YEAR)
