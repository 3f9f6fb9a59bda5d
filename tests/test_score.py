"""Scoring method on small hand-made data; expected values are worked out by hand here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import scoring_params
from scipy import stats

from healthcheck.reference.areas import area_codes, load_areas, standard_codes
from healthcheck.reference.codebook import load_codebook
from healthcheck.scoring import drivers as drv
from healthcheck.scoring import score as sc

CODEBOOK = load_codebook()
AREA_TABLE = load_areas()
AREAS = area_codes(AREA_TABLE)
STANDARDS = standard_codes(AREA_TABLE)
ITEMS = CODEBOOK["item"].tolist()
PARAMS = scoring_params(min_respondents=2, min_item_base=2, min_region_orgs=2, min_driver_respondents=4)


def responses(rows: list[dict]) -> pd.DataFrame:
    """Responses in the cleaned contract; unspecified items are missing."""
    records = []
    for i, row in enumerate(rows):
        rec = {
            "response_id": f"R{i:03d}",
            "org_code": row.get("org", "A"),
            "org_name": row.get("org", "A"),
            "org_type": "Unitary Authority",
            "region": row.get("region", "North West"),
        }
        rec.update({item: row.get(item) for item in ITEMS})
        records.append(rec)
    frame = pd.DataFrame(records)
    for item in ITEMS:
        frame[item] = frame[item].astype("Int8")
    return frame


def test_points_and_reversal():
    # tensions items are reversed: Strongly agree (5) to a negative statement scores 0
    r = responses([{"s7_1": 5, "s7_2": 4, "tensions_1": 5, "tensions_2": 2, "satisfaction_1": 1}])
    s = sc.respondent_scores(r, CODEBOOK, PARAMS, AREAS).iloc[0]
    assert s["s7"] == pytest.approx((100 + 75) / 2)
    assert s["tensions"] == pytest.approx((0 + 75) / 2)
    assert s["satisfaction"] == 0


def test_half_answered_rule():
    rows = [
        {"s2_1": 5},  # 1 of 3 answered: below half, missing
        {"s2_1": 5, "s2_2": 3},  # 2 of 3: scored (100 + 50) / 2
        {"s7_1": 2},  # 1 of 2: exactly half, scored 25
        {"s1_1": 4, "s1_2": 4},  # 2 of 5: missing
        {"s1_1": 4, "s1_2": 4, "s1_3": 1},  # 3 of 5: (75 + 75 + 0) / 3 = 50
    ]
    s = sc.respondent_scores(responses(rows), CODEBOOK, PARAMS, AREAS)
    assert np.isnan(s.loc[0, "s2"])
    assert s.loc[1, "s2"] == 75
    assert s.loc[2, "s7"] == 25
    assert np.isnan(s.loc[3, "s1"])
    assert s.loc[4, "s1"] == 50


@pytest.mark.parametrize(
    ("score", "expected"),
    [(50, "Red"), (50.4999, "Red"), (50.5, "Amber"), (51, "Amber"), (74.49, "Amber"), (74.5, "Green"), (75, "Green"),
     (0, "Red"), (100, "Green")],
)  # fmt: skip
def test_rating_band_edges(score, expected):
    assert sc.rating(score, PARAMS)[0] == expected


def test_rating_half_up_survives_float_noise():
    # the mean of these is 74.5 in exact arithmetic but 74.49999999999999 in floating point
    values = [74.1, 74.9, 74.5, 74.5]
    mean = sum(values) / len(values)
    assert sc.rating(mean, PARAMS) == ("Green", "sustain")
    assert sc.rating(float("nan"), PARAMS) == (None, None)


def test_org_scores_ci_and_welch_against_scipy():
    # org A: satisfaction answers 5, 4, 4 -> 100, 75, 75; org B: 2, 3, 1, 3 -> 25, 50, 0, 50
    rows = [{"org": "A", "satisfaction_1": v} for v in (5, 4, 4)] + [
        {"org": "B", "satisfaction_1": v, "region": "London"} for v in (2, 3, 1, 3)
    ]
    r = responses(rows)
    s = sc.respondent_scores(r, CODEBOOK, PARAMS, AREAS)
    org = sc.org_area_scores(s, r, PARAMS, AREAS)
    a = org[(org.org_code == "A") & (org.area == "satisfaction")].iloc[0]
    assert a["score"] == pytest.approx(250 / 3)
    assert a["n"] == 3
    a_vals, b_vals = [100, 75, 75], [25, 50, 0, 50]
    low, high = stats.t.interval(0.95, 2, loc=np.mean(a_vals), scale=stats.sem(a_vals))
    assert a["ci_low"] == pytest.approx(low)
    assert a["ci_high"] == pytest.approx(high)
    test = stats.ttest_ind(a_vals, b_vals, equal_var=False)
    assert a["t_stat"] == pytest.approx(test.statistic)
    assert a["p_value"] == pytest.approx(test.pvalue)
    # national pooled over the 7 respondents: (100+75+75+25+50+0+50)/7 = 375/7
    assert a["national_score"] == pytest.approx(375 / 7)
    assert a["diff_national"] == pytest.approx(250 / 3 - 375 / 7)
    assert a["significance"] == ("above" if test.pvalue < 0.05 else "no difference")
    assert a["rating"] == "Green"


def test_unreportable_org_has_no_figures():
    params = scoring_params(min_respondents=3)
    rows = [{"org": "A", "s7_1": 5, "s7_2": 5}] * 3 + [{"org": "B", "s7_1": 1, "s7_2": 1}] * 2
    r = responses(rows)
    org = sc.org_area_scores(sc.respondent_scores(r, CODEBOOK, params, AREAS), r, params, AREAS)
    b = org[org.org_code == "B"]
    assert not b["reportable"].any()
    assert b["score"].isna().all() and b["rating"].isna().all() and b["n"].isna().all()
    assert (b["n_responses"] == 2).all()
    assert org[(org.org_code == "A") & (org.area == "s7")]["score"].iloc[0] == 100


def test_pooled_region_not_mean_of_orgs():
    # region NW: org A has 1 respondent at 100, org B 3 at 0 -> pooled 25, not mean of orgs 50
    rows = [{"org": "A", "satisfaction_1": 5}] + [{"org": "B", "satisfaction_1": 1}] * 3
    r = responses(rows)
    params = scoring_params(min_respondents=1, min_region_orgs=2)
    s = sc.respondent_scores(r, CODEBOOK, params, AREAS)
    org = sc.org_area_scores(s, r, params, AREAS)
    bench = sc.benchmarks(s, org, params, AREAS)
    nw = bench[(bench.level == "region") & (bench.group == "North West") & (bench.area == "satisfaction")].iloc[0]
    assert nw["score"] == 25
    assert nw["n"] == 4
    assert nw["rating"] == "Red"
    assert nw["orgs"] == 2 and nw["min"] == 0 and nw["max"] == 100 and nw["median"] == 50


def test_distribution_hidden_below_min_region_orgs():
    rows = [{"org": "A", "satisfaction_1": 5}, {"org": "B", "satisfaction_1": 1, "region": "London"}]
    r = responses(rows)
    params = scoring_params(min_respondents=1, min_region_orgs=2)
    s = sc.respondent_scores(r, CODEBOOK, params, AREAS)
    bench = sc.benchmarks(s, sc.org_area_scores(s, r, params, AREAS), params, AREAS)
    london = bench[(bench.group == "London") & (bench.area == "satisfaction")].iloc[0]
    assert london["orgs"] == 1 and np.isnan(london["median"])
    england = bench[(bench.group == "England") & (bench.area == "satisfaction")].iloc[0]
    assert england["orgs"] == 2 and england["median"] == 50


def _org_scores_table(overall: dict[str, tuple[float, str | None, bool]]) -> pd.DataFrame:
    rows = []
    for code, (value, region, reportable) in overall.items():
        for area in AREAS:
            rows.append({"org_code": code, "org_name": code, "org_type": "Unitary Authority", "region": region,
                         "area": area, "n_responses": 20 if reportable else 5,
                         "score": value if reportable else np.nan, "reportable": reportable})  # fmt: skip
    return pd.DataFrame(rows)


def test_ranks_ties_suppression_and_regions():
    table = _org_scores_table(
        {
            "A": (80, "North West", True),
            "B": (70, "North West", True),
            "C": (80, "London", True),  # ties with A nationally: both rank 1
            "D": (60, "North West", True),
            "E": (99, "North West", False),  # suppressed: never ranked
            "F": (65, None, True),  # non-council without region: national rank only
        }
    )
    r = sc.ranks(table, STANDARDS).set_index("org_code")
    assert r.loc["A", "national_rank"] == 1 and r.loc["C", "national_rank"] == 1
    assert r.loc["B", "national_rank"] == 3
    assert r.loc["F", "national_rank"] == 4
    assert r.loc["D", "national_rank"] == 5
    assert (r.loc[["A", "B", "C", "D", "F"], "national_of"] == 5).all()
    assert r.loc["A", "regional_rank"] == 1 and r.loc["B", "regional_rank"] == 2 and r.loc["D", "regional_rank"] == 3
    assert r.loc["A", "regional_of"] == 3 and r.loc["C", "regional_of"] == 1
    assert not r.loc["E", "ranked"] and pd.isna(r.loc["E", "national_rank"]) and pd.isna(r.loc["E", "regional_rank"])
    assert pd.isna(r.loc["F", "regional_rank"]) and pd.isna(r.loc["F", "regional_of"])
    assert r.loc["A", "overall"] == 80


def test_item_shares_and_min_base():
    # org A answers satisfaction_1: 5, 4, 3, 1, Don't know (missing) -> base 4: agree 50, neutral 25, disagree 25
    rows = [{"org": "A", "satisfaction_1": v} for v in (5, 4, 3, 1, None)] + [{"org": "B", "satisfaction_1": 4}] * 2
    r = responses(rows)
    params = scoring_params(min_respondents=1, min_item_base=3)
    org = sc.org_area_scores(sc.respondent_scores(r, CODEBOOK, params, AREAS), r, params, AREAS)
    items = sc.item_shares(r, CODEBOOK, org, params)
    a = items[(items.level == "org") & (items.group == "A") & (items.item == "satisfaction_1")].iloc[0]
    assert (a["base"], a["agree"], a["neutral"], a["disagree"]) == (4, 50, 25, 25)
    b = items[(items.level == "org") & (items.group == "B") & (items.item == "satisfaction_1")].iloc[0]
    assert b["base"] == 2 and np.isnan(b["agree"])  # base under the minimum: not shown
    n = items[(items.level == "national") & (items.item == "satisfaction_1")].iloc[0]
    assert n["base"] == 6 and n["agree"] == pytest.approx(400 / 6)


def test_response_rates():
    r = responses([{"org": "A"}] * 3 + [{"org": "B"}])
    rates = sc.response_rates(r, pd.DataFrame({"org_code": ["A"], "headcount": pd.array([12], dtype="Int64")}))
    rates = rates.set_index("org_code")
    assert rates.loc["A", "response_rate"] == 25
    assert pd.isna(rates.loc["B", "headcount"]) and np.isnan(rates.loc["B", "response_rate"])


def test_spearman_and_ci_against_scipy():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 5, 40) * 25.0
    y = np.clip(x + rng.normal(0, 30, 40), 0, 100)
    frame = pd.DataFrame({"org_code": "A", "s5": x, "stay": y})
    for area in ["s1", "s2", "s3", "s4", "s6", "s7", "s8"]:
        frame[area] = np.nan
    org = pd.DataFrame({"org_code": ["A"], "reportable": [True]})
    corr = drv.correlations(frame, org, PARAMS, STANDARDS)
    expected = stats.spearmanr(x, y)
    for level in ("national", "org"):
        row = corr[(corr.level == level) & (corr.area == "s5")].iloc[0]
        assert row["rho"] == pytest.approx(expected.statistic)
        assert row["p_value"] == pytest.approx(expected.pvalue)
        assert row["n"] == 40
    # Fisher z interval, Bonett-Wright standard error, worked by hand
    rho = expected.statistic
    se = np.sqrt((1 + rho**2 / 2) / 37)
    z = np.arctanh(rho)
    row = corr[(corr.level == "national") & (corr.area == "s5")].iloc[0]
    assert row["ci_low"] == pytest.approx(np.tanh(z - 1.959963984540054 * se))
    assert row["ci_high"] == pytest.approx(np.tanh(z + 1.959963984540054 * se))


def test_key_driver_own_or_national():
    drivers = pd.DataFrame(
        {
            "level": ["national", "national", "org", "org"],
            "org_code": [None, None, "A", "A"],
            "area": ["s4", "s5", "s4", "s5"],
            "n": [100, 100, 40, 40],
            "rho": [0.3, 0.5, 0.6, 0.2],
            "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "beta": np.nan,
        }
    )  # fmt: skip
    org = pd.DataFrame({"org_code": ["A", "B", "C"], "reportable": [True, True, False]})
    key = drv.key_drivers(drivers, org, PARAMS).set_index("org_code")
    assert (key.loc["A", "area"], key.loc["A", "source"], key.loc["A", "rho"]) == ("s4", "own", 0.6)
    assert (key.loc["B", "area"], key.loc["B", "source"], key.loc["B", "rho"]) == ("s5", "national", 0.5)
    assert "C" not in key.index


def test_regression_recovers_standardised_betas():
    rng = np.random.default_rng(3)
    n = 2000
    frame = pd.DataFrame({s: rng.normal(size=n) for s in ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]})
    frame["stay"] = 0.6 * frame["s5"] + 0.3 * frame["s4"] + rng.normal(scale=0.5, size=n)
    betas = drv.regression(frame, PARAMS, STANDARDS).set_index("area")["beta"]
    z = (frame - frame.mean()) / frame.std()
    expected, *_ = np.linalg.lstsq(
        z[["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]].to_numpy(), z["stay"].to_numpy(), rcond=None
    )
    assert betas.to_numpy() == pytest.approx(expected)
    assert betas["s5"] > betas["s4"] > abs(betas["s1"])


def test_score_year_writes_identical_files(project):
    from healthcheck.ingest.survey import clean_year
    from healthcheck.synthetic.survey import write_sample

    write_sample(project, years=[2020], n_orgs=8, scale=0.3, seed=5)
    clean_year(project, 2020)
    first = {p.name: p.read_bytes() for p in sc.score_year(project, 2020)}
    second = {p.name: p.read_bytes() for p in sc.score_year(project, 2020)}
    assert first == second
    assert {"org_scores.parquet", "ranks.parquet", "drivers.parquet", "scores_meta.json"} <= set(first)


def test_score_year_without_clean_says_what_to_do(project):
    from healthcheck.errors import InputError

    with pytest.raises(InputError, match="healthcheck clean"):
        sc.score_year(project, 2020)
