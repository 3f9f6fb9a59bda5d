"""Year on year: changes, significance, the comparable-questions rule and ranks, on two hand-made years.

Every expected number is worked out by hand in the comments beside the data; p-values are checked
against scipy's own Welch test called directly on the respondents' points.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import read_all, scoring_params
from scipy import stats

from healthcheck import catalogue, pipeline
from healthcheck.charts import trends as charts
from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError, ReportError
from healthcheck.findings import trends as findings
from healthcheck.reference.areas import area_codes, load_areas
from healthcheck.scoring import comparable, trends
from healthcheck.scoring.score import benchmarks, org_area_scores, respondent_scores
from healthcheck.views import trend as trend_view

PREV, YEAR = 2021, 2022
PARAMS = scoring_params(min_respondents=3)
AREAS = area_codes(load_areas(Project(REPO_ROOT)))
HALTON, WARRINGTON, BLACKBURN, BARKING = "E06000006", "E06000007", "E06000008", "E09000002"
ORGS = {
    HALTON: ("Halton", "Unitary Authority", "North West"),
    WARRINGTON: ("Warrington", "Unitary Authority", "North West"),
    BLACKBURN: ("Blackburn with Darwen", "Unitary Authority", "North West"),
    BARKING: ("Barking and Dagenham", "London Borough", "London"),
}


def book(rows: list[tuple[str, str, str]], reverse: set[str] = frozenset()) -> pd.DataFrame:
    return pd.DataFrame(
        {"item": [r[0] for r in rows], "area": [r[1] for r in rows], "reverse": [r[0] in reverse for r in rows],
         "wording": [r[2] for r in rows]}
    )  # fmt: skip


# s1: a1, a2 in both years. s2: b1 the same, b2 reworded in 2022 (same id: not comparable).
# s3: c1 renamed c9 in 2022 (the item map carries it over). s4: d1 dropped in 2022, d2 kept.
# s5: e1 new in 2022. Every other area has no question in either year.
PREV_BOOK = book([
    ("a1", "s1", "Leaders listen to practitioners"), ("a2", "s1", "Practice is clear"),
    ("b1", "s2", "My team has enough social workers"), ("b2", "s2", "Vacancies are filled promptly"),
    ("c1", "s3", "My workload is safe"), ("d1", "s4", "I have the equipment I need"),
    ("d2", "s4", "I feel cared for by my managers"),
])  # fmt: skip
CUR_BOOK = book([
    ("a1", "s1", "Leaders listen to  practitioners"), ("a2", "s1", "practice is clear"),  # spacing and case only
    ("b1", "s2", "My team has enough social workers"), ("b2", "s2", "Vacancies are filled within three months"),
    ("c9", "s3", "My workload is safe"), ("d2", "s4", "I feel cared for by my managers"),
    ("e1", "s5", "My supervision is regular"),
])  # fmt: skip
ITEM_MAP = pd.DataFrame({"year": [YEAR], "item": ["c9"], "previous_item": ["c1"], "carried_over": [True], "note": [""]})

N = None
#        a1 a2 b1 b2 c1 d1 d2
PREV_ANSWERS = {
    HALTON: [
        (3, 3, 4, 5, 2, 5, 3),  # s1 50    s2(b1) 75  s3 25  s4(d2) 50
        (3, 4, 4, 5, 2, 5, 3),  # s1 62.5  75         25     50
        (4, 4, 4, 5, 2, 5, 3),  # s1 75    75         25     50
        (3, 3, 3, 5, 2, 5, 3),  # s1 50    50         25     50
        (2, 3, 4, 5, 3, 5, 3),  # s1 37.5  75         50     50
        (4, 3, 4, 5, 2, 5, 4),  # s1 62.5  75         25     75
        (N, N, N, 5, N, N, N),  # only b2: a published s2 score, none on the shared question b1
    ],  # s1 337.5/6 = 56.25; b1 425/6 = 70.833; c1 175/6 = 29.167; d2 325/6 = 54.167
    WARRINGTON: [(3, 3, 3, 3, 3, 3, 3)] * 3,  # s1 50, sd 0
    BARKING: [(3, 3, 3, 3, 3, 3, 3)] * 2,  # 2 < min_respondents 3: no change figures
}
#        a1 a2 b1 b2 c9 d2 e1
CUR_ANSWERS = {
    HALTON: [
        (5, 5, 4, 1, 1, 3, 4),  # s1 100   b1 75  c9 0   d2 50
        (4, 5, 4, 1, 2, 4, 4),  # s1 87.5  75     25     75
        (5, 4, 3, 1, 1, 3, 4),  # s1 87.5  50     0      50
        (4, 4, 4, 1, 1, 3, 4),  # s1 75    75     0      50
        (5, 5, 4, 1, 2, 3, 4),  # s1 100   75     25     50
        (4, 5, 4, 1, 1, 3, 4),  # s1 87.5  75     0      50
    ],  # s1 537.5/6 = 89.583; b1 425/6 = 70.833 (no change); c9 50/6 = 8.333; d2 325/6 = 54.167
    WARRINGTON: [(4, 4, 3, 3, 3, 3, 3), (4, 4, 3, 3, 3, 3, 3), (3, 3, 3, 3, 3, 3, 3)],  # s1 75, 75, 50
    BLACKBURN: [(5, 5, 3, 3, 3, 3, 3)] * 3,  # new this year; s1 100
    BARKING: [(3, 3, 3, 3, 3, 3, 3)] * 3,  # s1 50
}


def responses(answers: dict[str, list[tuple]], codebook: pd.DataFrame, year: int) -> pd.DataFrame:
    rows = []
    for code, people in answers.items():
        name, kind, region = ORGS[code]
        for k, codes in enumerate(people):
            row = {"response_id": f"{year}-{code}-{k}", "submitted": pd.Timestamp(f"{year}-11-01"), "org_code": code,
                   "org_name": name, "org_type": kind, "region": region}  # fmt: skip
            row.update(dict(zip(codebook["item"], codes, strict=True)))
            rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("response_id", "org_code", "org_name", "org_type", "region"):
        out[col] = out[col].astype("string")
    for item in codebook["item"]:
        out[item] = out[item].astype("Int8")
    return out


def ranks_table(rows: list[tuple[str, int | None, int | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"org_code": [r[0] for r in rows], "ranked": [r[1] is not None for r in rows],
         "national_rank": pd.array([r[1] for r in rows], dtype="Int64"),
         "national_of": pd.array([r[2] for r in rows], dtype="Int64")}
    )  # fmt: skip


PREV_RANKS = ranks_table([(HALTON, 5, 10), (WARRINGTON, 8, 10), (BARKING, None, None)])
CUR_RANKS = ranks_table([(HALTON, 3, 12), (WARRINGTON, 9, 12), (BLACKBURN, 1, 12), (BARKING, 12, 12)])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return trends.compute_trends(
        responses(PREV_ANSWERS, PREV_BOOK, PREV), responses(CUR_ANSWERS, CUR_BOOK, YEAR), PREV_BOOK, CUR_BOOK, PARAMS,
        previous_year=PREV, year=YEAR, areas=AREAS, item_map=ITEM_MAP, previous_ranks=PREV_RANKS,
        current_ranks=CUR_RANKS,
    )  # fmt: skip


def row(table: pd.DataFrame, group: str, area: str) -> pd.Series:
    found = table[(table["group"] == group) & (table["area"] == area)]
    assert len(found) == 1
    return found.iloc[0]


# ---------------------------------------------------------------------------------------
# which questions carry over
# ---------------------------------------------------------------------------------------
def test_comparable_items_and_coverage():
    items = comparable.comparable_items(PREV_BOOK, CUR_BOOK, ITEM_MAP)
    status = dict(zip(items["item"].fillna("-" + items["previous_item"]), items["status"], strict=True))
    assert status == {"a1": "same", "a2": "same", "b1": "same", "b2": "changed", "c9": "mapped", "d2": "same",
                      "e1": "new", "-d1": "dropped"}  # fmt: skip
    assert items.loc[items["item"] == "c9", "previous_item"].item() == "c1"
    assert items["shared"].tolist() == [True, True, True, False, True, True, False, False]
    cov = comparable.coverage(items, AREAS).set_index("area")
    assert cov.loc[["s1", "s2", "s3", "s4", "s5", "s6"]].to_dict("index") == {
        "s1": {"items_now": 2, "items_before": 2, "items_shared": 2},
        "s2": {"items_now": 2, "items_before": 2, "items_shared": 1},
        "s3": {"items_now": 1, "items_before": 1, "items_shared": 1},
        "s4": {"items_now": 1, "items_before": 2, "items_shared": 1},
        "s5": {"items_now": 1, "items_before": 0, "items_shared": 0},
        "s6": {"items_now": 0, "items_before": 0, "items_shared": 0},
    }
    assert list(cov.index) == AREAS


def test_without_the_item_map_a_renamed_question_is_new():
    items = comparable.comparable_items(PREV_BOOK, CUR_BOOK)
    assert items.loc[items["item"] == "c9", "status"].item() == "new"
    assert items.loc[items["previous_item"] == "c1", "status"].item() == "dropped"


def test_item_map_overrides_and_chains():
    prev = book([("q1", "s1", "Same words"), ("q2", "s1", "Old words"), ("q3", "s2", "Moved")])
    cur = book([("q1", "s1", "Same words"), ("q2", "s1", "New words"), ("q3", "s3", "Moved")])
    no = pd.DataFrame({"year": [YEAR, YEAR], "item": ["q1", "q2"], "previous_item": ["q1", "q2"],
                       "carried_over": [False, True], "note": ["", ""]})  # fmt: skip
    items = comparable.comparable_items(prev, cur, no)
    assert items["status"].tolist() == ["changed", "mapped", "moved"]  # false wins over same words; true over new words
    # renamed twice: x (2020) -> y (2021) -> z (2022); comparing 2022 with 2020 follows both maps
    old, new = book([("x", "s1", "Words")]), book([("z", "s1", "Words")])
    chain = pd.DataFrame({"year": [2021, 2022], "item": ["y", "z"], "previous_item": ["x", "y"],
                          "carried_over": [True, True], "note": ["", ""]})  # fmt: skip
    items = comparable.comparable_items(old, new, chain)
    assert items[["item", "previous_item", "status"]].values.tolist() == [["z", "x", "mapped"]]


def test_load_item_map_checks_the_file(project):
    folder = project.year_params_dir(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    assert comparable.load_item_map(project, YEAR).empty  # no file: no map
    (folder / "item_map.csv").write_text("item,previous_item,carried_over,note\nc9,c1,TRUE,renamed\n", encoding="utf-8")
    loaded = comparable.load_item_map(project, YEAR)
    assert loaded[["year", "item", "previous_item", "carried_over"]].values.tolist() == [[YEAR, "c9", "c1", True]]
    (folder / "item_map.csv").write_text("item,previous_item,carried_over\nc9,c1,yes\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        comparable.load_item_map(project, YEAR)
    assert err.value.row == 2 and err.value.column == "carried_over"


# ---------------------------------------------------------------------------------------
# changes and significance
# ---------------------------------------------------------------------------------------
def test_change_and_welch_test(table):
    s1 = row(table, HALTON, "s1")
    assert s1["status"] == "compared"
    assert s1["score_previous"] == pytest.approx(56.25)
    assert s1["score"] == pytest.approx(537.5 / 6)
    assert s1["change"] == pytest.approx(537.5 / 6 - 56.25)
    assert (s1["n_previous"], s1["n"]) == (6, 6)  # the respondent who only answered b2 has no s1 score
    before, now = [50, 62.5, 75, 50, 37.5, 62.5], [100, 87.5, 87.5, 75, 100, 87.5]
    ref = stats.ttest_ind(now, before, equal_var=False)
    assert s1["t_stat"] == pytest.approx(ref.statistic) and s1["p_value"] == pytest.approx(ref.pvalue)
    assert ref.pvalue < 0.05 and s1["significance"] == "improved"

    s3 = row(table, HALTON, "s3")  # c1 -> c9 through the item map: compared
    before, now = [25, 25, 25, 25, 50, 25], [0, 25, 0, 0, 25, 0]
    assert (s3["score_previous"], s3["score"]) == (pytest.approx(175 / 6), pytest.approx(50 / 6))
    ref = stats.ttest_ind(now, before, equal_var=False)
    assert s3["p_value"] == pytest.approx(ref.pvalue) and ref.pvalue < 0.05
    assert s3["significance"] == "declined"

    w = row(table, WARRINGTON, "s2")  # 50 for everyone in both years: sd 0, no test possible
    assert w["change"] == 0 and np.isnan(w["p_value"]) and w["significance"] == "no significant change"


def test_an_area_with_a_changed_question_is_compared_on_the_shared_one_only(table):
    s2 = row(table, HALTON, "s2")
    # on b1 alone: 425/6 both years; with b2 (100, then 0) the published scores are 87.5 and 35.4
    assert (s2["items_shared"], s2["items_now"], s2["items_before"]) == (1, 2, 2)
    assert s2["score_previous"] == pytest.approx(425 / 6) and s2["score"] == pytest.approx(425 / 6)
    assert s2["change"] == pytest.approx(0) and s2["significance"] == "no significant change"
    assert s2["n_previous"] == 6  # half-answered rule on the shared question: the b2-only respondent drops out
    published = respondent_scores(responses(PREV_ANSWERS, PREV_BOOK, PREV), PREV_BOOK, PARAMS, AREAS)
    # published: (75+100)/2 five times, (50+100)/2 once, and 100 for the b2-only respondent
    assert published.loc[published["org_code"] == HALTON, "s2"].mean() == pytest.approx((87.5 * 5 + 75 + 100) / 7)

    s4 = row(table, HALTON, "s4")  # d1 dropped: 2021 recalculated on d2 alone
    assert (s4["items_shared"], s4["items_now"], s4["items_before"]) == (1, 1, 2)
    assert s4["score_previous"] == pytest.approx(325 / 6) and s4["score"] == pytest.approx(325 / 6)

    s5 = row(table, HALTON, "s5")  # new question: nothing to compare
    assert s5["status"] == "not comparable" and pd.isna(s5["score"]) and pd.isna(s5["change"])


def test_regions_and_england_are_pooled_over_respondents(table):
    nat = row(table, "England", "s1")
    # 2021: Halton 337.5 + Warrington 150 + Barking 100 over 11; 2022: 537.5 + 200 + 300 + 150 over 15
    assert nat["score_previous"] == pytest.approx(587.5 / 11) and nat["score"] == pytest.approx(1187.5 / 15)
    assert (nat["n_previous"], nat["n"], nat["n_responses_previous"], nat["n_responses"]) == (11, 15, 12, 15)
    before = [50, 62.5, 75, 50, 37.5, 62.5] + [50] * 5
    now = [100, 87.5, 87.5, 75, 100, 87.5] + [75, 75, 50] + [100] * 3 + [50] * 3
    assert nat["p_value"] == pytest.approx(stats.ttest_ind(now, before, equal_var=False).pvalue)
    nw = row(table, "North West", "s1")
    assert nw["score_previous"] == pytest.approx(487.5 / 9) and nw["score"] == pytest.approx(1037.5 / 12)
    london = row(table, "London", "s1")
    assert london["change"] == 0 and london["significance"] == "no significant change"
    assert row(table, "England", "s2")["items_shared"] == 1


def test_new_and_small_organisations_get_no_change_figures(table):
    new = table[table["group"] == BLACKBURN]
    assert set(new["status"]) == {"new"} and new["n_responses_previous"].eq(0).all()
    small = table[table["group"] == BARKING]
    assert set(small["status"]) == {"suppressed"} and small["n_responses_previous"].eq(2).all()
    for frame in (new, small):
        for col in ("score_previous", "score", "change", "p_value", "t_stat"):
            assert frame[col].isna().all(), col
        for col in ("n_previous", "n", "significance", "area_rank", "national_rank_change"):
            assert frame[col].isna().all(), col


def test_rank_changes(table):
    s1 = row(table, HALTON, "s1")
    # s1 in 2021 among the reportable (Halton 56.25, Warrington 50; Barking has 2): 1 of 2
    # s1 in 2022: Blackburn 100, Halton 89.6, Warrington 66.7, Barking 50: 2 of 4
    assert (s1["area_rank_previous"], s1["area_of_previous"], s1["area_rank"], s1["area_of"]) == (1, 2, 2, 4)
    assert s1["area_rank_change"] == -1  # down one place
    assert (s1["national_rank_previous"], s1["national_of_previous"], s1["national_rank"], s1["national_of"]) == (
        5,
        10,
        3,
        12,
    )
    assert s1["national_rank_change"] == 2  # up two places
    assert row(table, HALTON, "s5")["national_rank"] == 3  # the overall rank is the organisation's, on every row
    assert row(table, WARRINGTON, "s1")["national_rank_change"] == -1


def test_table_follows_the_contract(table):
    assert list(table.columns) == trends.TREND_COLUMNS
    assert table["level"].tolist() == ["org"] * 52 + ["region"] * 26 + ["national"] * 13
    assert table.loc[table["level"] == "org", "group"].unique().tolist() == sorted(ORGS)
    assert table["area"].tolist()[:13] == AREAS
    assert (table["previous_year"] == PREV).all() and (table["year"] == YEAR).all()
    assert str(table["n"].dtype) == "Int64" and str(table["national_rank"].dtype) == "Int64"


# ---------------------------------------------------------------------------------------
# sentences, table and chart of a council report
# ---------------------------------------------------------------------------------------
def _series() -> pd.DataFrame:
    rows = []
    for level, group in (("org", HALTON), ("region", "North West"), ("national", "England")):
        for y, base in ((PREV, 60.0), (YEAR, 70.0)):
            for area in AREAS:
                rows.append({"level": level, "group": group, "year": y, "area": area, "score": base, "n": 10,
                             "ci_low": base - 5, "ci_high": base + 5, "rating": "Amber", "action": "monitor",
                             "questions_changed": area == "s2" and y == YEAR})  # fmt: skip
    return pd.DataFrame(rows)


def council(table, code: str) -> trend_view.CouncilTrend:
    name, _, region = ORGS[code]
    org = {"org_code": code, "name": name, "region": region}
    return trend_view.council_trend(table, _series(), org=org, year=YEAR, previous=PREV,
                                areas=load_areas(Project(REPO_ROOT)), params=PARAMS)  # fmt: skip


def test_trend_findings_in_plain_words(table):
    trend = council(table, HALTON)
    assert trend.has_trend and trend.status == "compared"
    said = findings.trend_findings(trend)
    assert said[:5] == [
        "Compared with 2021, Halton's scores improved significantly for Social work framework (56 to 90) and declined "
        "significantly for Safe workloads (29 to 8). The other 2 scores did not change significantly.",
        "Workforce planning is compared on 1 of its 2 questions: one question changed in 2022.",
        "Wellbeing is compared on its one question: one question asked in 2021 was not asked again, so the 2021 score "
        "is recalculated without it.",
        "Supervision cannot be compared with 2021: none of its questions was asked in both years.",
        "On its overall score, Halton's national rank moved from 5 of 10 in 2021 to 3 of 12 in 2022, up 2 places.",
    ]
    assert said[5].startswith("Across England, scores improved significantly for Social work framework")
    assert len(said) == 6


def test_one_significant_change_reads_as_one_sentence(table):
    one = table.copy()
    one.loc[(one["group"] == HALTON) & (one["area"] == "s3"), "significance"] = "no significant change"
    assert findings.trend_changes(council(one, HALTON)) == (
        "Compared with 2021, Halton's score for Social work framework rose from 56 to 90, a significant improvement. "
        "The other 3 scores did not change significantly."
    )
    close = one.copy()  # scores that read the same as whole numbers are given to one decimal place
    close.loc[(close["group"] == HALTON) & (close["area"] == "s1"), ["score_previous", "score"]] = [89.62, 89.81]
    assert findings.trend_changes(council(close, HALTON)).startswith(
        "Compared with 2021, Halton's score for Social work framework rose from 89.6 to 89.8, a significant improvement."
    )


def test_a_council_new_this_year_gets_no_trend_and_the_sentence(table):
    trend = council(table, BLACKBURN)
    assert trend.status == "new" and not trend.has_trend
    assert findings.trend_findings(trend) == [
        "Blackburn with Darwen did not take part in the 2021 survey, so there is no previous year to compare with."
    ]
    assert trend_view.change_table(trend).empty
    with pytest.raises(ReportError):
        charts.trend(trend)


def test_too_few_last_year_and_no_previous_year(table):
    small = trend_view.council_trend(
        table, _series(), org={"org_code": BARKING, "name": "Barking and Dagenham", "region": "London"}, year=YEAR,
        previous=PREV, areas=load_areas(Project(REPO_ROOT)), params=PARAMS,
    )  # fmt: skip
    assert small.status == "too few responses"
    assert findings.trend_findings(small) == [
        "Fewer than 3 valid responses were received from Barking and Dagenham in 2021, so there are no figures from "
        "that year to compare with, to protect respondents' confidentiality."
    ]
    first = trend_view.council_trend(None, pd.DataFrame(), org={"org_code": HALTON, "name": "Halton", "region": "North West"},
                                 year=2020, previous=None, areas=load_areas(Project(REPO_ROOT)), params=PARAMS)  # fmt: skip
    assert first.status == "no previous year"
    assert findings.trend_findings(first) == [
        "There is no earlier Social Work Health Check in these data to compare 2020 with, so this report shows no "
        "change since last year."
    ]


def test_change_table(table):
    out = trend_view.change_table(council(table, HALTON)).set_index("Area")
    assert list(out.columns) == ["Questions compared", "2021 score", "2022 score", "Change", "Compared with 2021"]
    assert out.loc["1. Strong and clear social work framework"].tolist() == [
        "all 2",
        pytest.approx(56.25),
        pytest.approx(537.5 / 6),
        34,
        "Significant improvement",  # 90 - 56 as shown
    ]
    assert out.loc["2. Effective workforce planning systems", "Questions compared"] == "1 of 2"
    assert out.loc["3. Safe workloads and case allocation", "Change"] == 8 - 29
    assert out.loc["5. Supervision", "Compared with 2021"] == ""


def test_trend_chart_is_accessible(table):
    trend = council(table, HALTON)
    chart = charts.trend(trend)
    assert chart.name == "trend" and chart.figure.layout.title.text is None  # the caption is the one title
    fig = chart.figure
    names = list(dict.fromkeys(t.name for t in fig.data))
    assert names == ["North West", "England", "Halton"]
    symbols = {t.name: t.marker.symbol for t in fig.data}
    assert len(set(symbols.values())) == 3  # told apart by shape, not colour alone
    assert len(fig.data) == 3 * 13
    assert chart.title == "Halton, the North West and England: score by standard and area, 2021 to 2022"
    titles = [a.text for a in fig.layout.annotations]
    assert "2. Workforce planning<br>(questions changed 2022)" in titles  # at full size, not in <sup>
    parts = charts.trend_charts(trend)
    assert [c.name for c in parts] == ["trend_standards", "trend_other_areas"]
    assert [len(c.figure.data) for c in parts] == [3 * 8, 3 * 5]
    assert parts[0].title == "Halton, the North West and England: score in the standards, 2021 to 2022"
    assert "one for each of the 8 standards, of the mean score" in parts[0].alt
    assert fig.layout.xaxis13.title.text == "Survey year" and fig.layout.yaxis.title.text == "Score (0-100)"
    alt = chart.alt
    assert "improved significantly for Social work framework and declined significantly for Safe workloads" in alt


# ---------------------------------------------------------------------------------------
# files: the trends stage, the loader, the national trend
# ---------------------------------------------------------------------------------------
def _write_year(project: Project, year: int, answers: dict, codebook: pd.DataFrame, ranks: pd.DataFrame) -> None:
    """A year's cleaned responses, codebook revision and the published tables the series read."""
    folder = project.processed_dir(year)
    folder.mkdir(parents=True, exist_ok=True)
    project.year_params_dir(year).mkdir(parents=True, exist_ok=True)
    codebook.assign(reverse=codebook["reverse"].map({True: "true", False: "false"})).to_csv(
        project.year_params_dir(year) / "codebook.csv", index=False
    )
    resp = responses(answers, codebook, year)
    resp.to_parquet(folder / "responses.parquet", index=False)
    scores = respondent_scores(resp, codebook, PARAMS, AREAS)
    org = org_area_scores(scores, resp, PARAMS, AREAS)
    org.to_parquet(folder / "org_scores.parquet", index=False)
    benchmarks(scores, org, PARAMS, AREAS).to_parquet(folder / "benchmarks.parquet", index=False)
    ranks.to_parquet(folder / "ranks.parquet", index=False)
    yaml = (REPO_ROOT / "params" / "scoring.yaml").read_text(encoding="utf-8")
    assert "min_respondents: 10 " in yaml
    (project.params_dir / "scoring.yaml").write_text(
        yaml.replace("min_respondents: 10 ", "min_respondents: 3 "), encoding="utf-8"
    )


def test_files_loader_and_national_trend(project, table):
    _write_year(project, PREV, PREV_ANSWERS, PREV_BOOK, PREV_RANKS)
    assert trends.write_trends(project, PREV) == []  # no earlier year: nothing written, no error
    with pytest.raises(InputError):  # 2022 cleaned, 2021 known but its responses gone: a clear error
        (project.processed_dir(PREV) / "responses.parquet").rename(project.root / "aside.parquet")
        project.raw_dir(PREV).mkdir(parents=True, exist_ok=True)
        (project.raw_dir(PREV) / "worker_survey.csv").write_text("x\n", encoding="utf-8")
        _write_year(project, YEAR, CUR_ANSWERS, CUR_BOOK, CUR_RANKS)
        assert trends.write_trends(project, YEAR) == []
        trend_view.load_council_trend(project, YEAR, "Halton")
    (project.root / "aside.parquet").rename(project.processed_dir(PREV) / "responses.parquet")
    shutil.rmtree(project.raw_dir(PREV))
    (project.year_params_dir(YEAR) / "item_map.csv").write_text(
        "item,previous_item,carried_over,note\nc9,c1,true,renamed in 2022\n", encoding="utf-8"
    )
    assert trends.write_trends(project, YEAR) == [project.processed_dir(YEAR) / "trends.parquet"]
    pd.testing.assert_frame_equal(trends.load_trends(project, YEAR), table)
    first = (project.processed_dir(YEAR) / "trends.parquet").read_bytes()
    trends.write_trends(project, YEAR)
    assert (project.processed_dir(YEAR) / "trends.parquet").read_bytes() == first  # deterministic bytes

    trend = trend_view.load_council_trend(project, YEAR, "Halton BC")
    assert trend.status == "compared" and trend.code == HALTON and trend.previous_year == PREV
    assert sorted(trend.series["level"].unique()) == ["national", "org", "region"]
    s2 = trend.series[(trend.series["area"] == "s2") & (trend.series["level"] == "org")]
    assert s2["year"].tolist() == [PREV, YEAR] and s2["questions_changed"].tolist() == [False, True]
    assert s2["score"].tolist() == pytest.approx([(87.5 * 5 + 75 + 100) / 7, (37.5 * 5 + 25) / 6])  # as published
    assert trend_view.load_council_trend(project, YEAR, "Blackburn with Darwen").status == "new"
    assert trend_view.load_council_trend(project, PREV, "Halton").status == "no previous year"

    nat = trend_view.national_trend(project, YEAR)
    assert nat["year"].tolist() == [PREV] * 13 + [YEAR] * 13
    first, s1 = nat.iloc[0], nat[(nat["year"] == YEAR) & (nat["area"] == "s1")].iloc[0]
    assert pd.isna(first["change"]) and first["short_title"] == "Social work framework"
    assert s1["score"] == pytest.approx(1187.5 / 15) and s1["change"] == pytest.approx(1187.5 / 15 - 587.5 / 11)
    assert s1["significance"] == row(table, "England", "s1")["significance"]
    said = findings.national_trend_findings(nat)
    # England's s3 (c1 then c9) does not change significantly: checked with scipy
    before, now = [25, 25, 25, 25, 50, 25] + [50] * 5, [0, 25, 0, 0, 25, 0] + [50] * 9
    assert stats.ttest_ind(now, before, equal_var=False).pvalue >= 0.05
    assert said[0] == (
        "Compared with 2021, England's score for Social work framework rose from 53 to 79, a significant improvement. "
        "The other 3 scores did not change significantly."
    )
    assert said[1:] == [
        "Workforce planning is compared on 1 of its 2 questions: one question changed in 2022.",
        "Wellbeing is compared on its one question: one question asked in 2021 was not asked again, so the 2021 score "
        "is recalculated without it.",
        "Supervision cannot be compared with 2021: none of its questions was asked in both years.",
    ]
    assert findings.national_trend_findings(nat[nat["year"] == PREV]) == [
        "There is no earlier Social Work Health Check in these data to compare 2021 with, so this report shows no "
        "change since last year."
    ]
    assert findings.national_trend_note(nat).startswith(
        "Both years' scores are calculated on the questions asked in both 2021 and 2022"
    )
    assert findings.national_trend_note(nat[nat["year"] == PREV]) == ""
    change = trend_view.national_change_table(nat).set_index("Area")
    assert change.loc["1. Strong and clear social work framework", "Change"] == pytest.approx(79.2 - 53.4)  # as shown
    assert change.loc["2. Effective workforce planning systems", "Questions compared"] == "1 of 2"
    inputs = catalogue.REPORT_INPUTS["council"].paths(project, YEAR)
    for path in (project.processed_dir(PREV) / "org_scores.parquet", project.processed_dir(PREV) / "benchmarks.parquet",
                 project.year_params_dir(YEAR) / "item_map.csv", project.year_params_dir(PREV) / "codebook.csv"):  # fmt: skip
        assert path in inputs
    assert project.processed_dir(PREV) / "ranks.parquet" not in inputs  # earlier years: only what the charts read
    chart = charts.national_trend(nat, PARAMS.bands)
    fig = chart.figure
    assert [t.name for t in fig.data] == ["England"] * 13 and chart.title.startswith("England: score by")
    assert chart.name == "england_trend" and chart.alt == charts.national_trend_alt(nat)
    assert charts.national_trend_alt(nat).startswith("Line charts, one for each of the 8 standards")


def test_sample_years_give_trends_with_the_changed_question(project):
    """Three sample years, the committed 2022 codebook revision: 2022 compares Wellbeing on 4 of 5 questions."""
    from healthcheck.synthetic.survey import write_sample

    for name in ("codebook.csv", "item_map.csv"):  # make_project leaves params/<year>/ out
        project.year_params_dir(2022).mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / "params" / "2022" / name, project.year_params_dir(2022) / name)
    write_sample(project, n_orgs=10, scale=0.3, seed=7)
    for stage in ("clean", "score"):  # scores 2022 before 2021 is cleaned: no trends yet, and no error
        assert pipeline.run(project, 2022, stage).status == "built"
    assert not (project.processed_dir(2022) / "trends.parquet").exists()
    steps = pipeline.ensure(project, 2022)
    built = [(s.year, s.stage) for s in steps if s.status == "built"]
    assert built == [(2020, "clean"), (2020, "score"), (2020, "trends"), (2021, "clean"), (2021, "score"),
                     (2021, "trends"), (2022, "trends")]  # fmt: skip
    assert catalogue.scored_years(project, 2022) == [2020, 2021, 2022]

    t22 = trends.load_trends(project, 2022)
    nat = t22[t22["level"] == "national"].set_index("area")
    assert nat.loc["s4", ["items_shared", "items_now", "items_before"]].tolist() == [4, 5, 5]
    others = nat.drop(index="s4")
    assert (others["items_shared"] == others["items_now"]).all()
    # an area with every question shared is compared on exactly its published score
    bench = read_all(project.processed_dir(2022) / "benchmarks.parquet")
    published = bench[bench["level"] == "national"].set_index("area")["score"]
    assert nat.loc["s1", "score"] == pytest.approx(published["s1"])
    assert nat.loc["s4", "score"] != pytest.approx(published["s4"])  # on 4 questions, not the published 5
    prev = read_all(project.processed_dir(2021) / "benchmarks.parquet")
    assert nat.loc["s1", "score_previous"] == pytest.approx(
        prev[prev["level"] == "national"].set_index("area").loc["s1", "score"]
    )
    assert "new" in set(t22["status"])  # organisations join between rounds
    t21 = trends.load_trends(project, 2021)
    assert (t21["items_shared"] == t21["items_now"]).all() and set(t21["previous_year"]) == {2020}
    trend = trend_view.load_council_trend(project, 2022, "Halton")
    assert "Wellbeing is compared on 4 of its 5 questions: one question changed in 2022." in findings.trend_findings(
        trend
    )


@pytest.mark.slow
def test_council_report_notebook_shows_the_change(project, tmp_path):
    """Notebook 03 on two sample years: the section, its table and chart, and no other organisation named."""
    import re

    import nbformat
    import papermill as pm

    from healthcheck.publish.display import META_KEY, PLOTLY_MIME, TABLE_MIME
    from healthcheck.synthetic.survey import write_sample

    write_sample(project, years=[2021, 2022], n_orgs=8, scale=0.3, seed=3)
    pipeline.ensure(project, 2022)
    out = tmp_path / "report.ipynb"
    pm.execute_notebook(
        str(project.notebooks_dir / "03-council-report.ipynb"), str(out),
        parameters={"council": "Halton", "year": 2022, "project_root": str(project.root)},
        kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
    )  # fmt: skip
    outputs = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code" for o in c.get("outputs", [])]
    md = "\n\n".join(
        o["data"]["text/markdown"]
        for o in outputs
        if "text/markdown" in o.get("data", {}) and TABLE_MIME not in o["data"]
    )
    trend = trend_view.load_council_trend(project, 2022, "Halton")
    section = "## Change since last year\n\n" + "\n\n".join(findings.trend_findings(trend))
    assert section in md and trend.has_trend
    charts_shown = [o["metadata"][META_KEY]["name"] for o in outputs if PLOTLY_MIME in o.get("data", {})]
    tables = [o["data"][TABLE_MIME]["name"] for o in outputs if TABLE_MIME in o.get("data", {})]
    assert {"trend_standards", "trend_other_areas"} <= set(charts_shown) and {"change", "trend_scores"} <= set(tables)
    ranks = pd.concat([read_all(project.processed_dir(y) / "ranks.parquet") for y in (2021, 2022)])
    for name in set(ranks.loc[ranks["org_code"] != HALTON, "org_name"]):
        assert not re.search(rf"\b{re.escape(name)}\b", md), name


def test_the_change_note_counts_the_areas_and_reads_the_level(table):
    """'with 13 areas compared, about one in twenty': both from the data and the parameters."""
    trend = council(table, HALTON)
    note = findings.trend_note(trend)
    assert note.endswith("at the 5% level (Welch's t-test); with 13 areas compared, about one in twenty such "
                         "findings can arise by chance.")  # fmt: skip
    extra = pd.DataFrame([{"area": "pay", "kind": "other", "number": pd.NA, "title": "Pay", "short_title": "Pay",
                           "order": 99}])  # fmt: skip
    trend.areas = pd.concat([trend.areas, extra], ignore_index=True)
    assert "with 14 areas compared" in findings.trend_note(trend)
    assert "one for each of the 8 standards and 6 other areas" in charts.trend_alt(trend)
    assert findings.change_note(2021, 2022, 0.1, 13).endswith(
        "at the 10% level (Welch's t-test); with 13 areas compared, about one in ten such findings can arise by chance."
    )
    assert findings.chance_phrase(0.01) == "one in a hundred" and findings.chance_phrase(0.04) == "one in 25"


def test_rank_sentence_when_the_rank_is_unchanged(table):
    same = table.copy()
    same.loc[same["group"] == HALTON, "national_rank_previous"] = 3
    assert findings.trend_rank(council(same, HALTON)) == (
        "On its overall score, Halton ranked 3 nationally in both 2021 (of 10) and 2022 (of 12)."
    )
