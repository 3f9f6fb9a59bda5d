"""The council view from small scoring tables made by hand to the data contract."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import AREAS

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError, UnknownOrganisationError
from healthcheck.findings.council import ratings_summary
from healthcheck.text.numbers import round_half_up
from healthcheck.views.council import load_council_view, rating_table

YEAR = 2020
ACTIONS = {"Green": "sustain", "Amber": "monitor", "Red": "improve"}

# org_code: (name, org_type, region, valid responses, headcount)
ORGS = {
    "E06000006": ("Halton", "Unitary Authority", "North West", 22, 55),
    "E06000007": ("Warrington", "Unitary Authority", "North West", 30, None),
    "E06000009": ("Blackpool", "Unitary Authority", "North West", 15, 60),
    "E08000001": ("Bolton", "Metropolitan District", "North West", 7, 80),
    "E09000003": ("Barnet", "London Borough", "London", 40, 120),
    "NC010": ("Cafcass", "Non-council", None, 12, None),
}
OTHER_NAMES = ["Warrington", "Blackpool", "Bolton", "Barnet", "Cafcass", "E06000007", "E06000009", "E08000001", "E09000003", "NC010"]  # fmt: skip


def _scores(*values: float) -> dict[str, float]:
    return dict(zip(AREAS, values, strict=True))


#             s1    s2    s3    s4    s5    s6    s7    s8    covid contr tens  satis stay
SCORES = {
    "E06000006": _scores(80.2, 78.0, 76.4, 81.0, 79.3, 66.1, 77.0, 82.4, 85.0, 88.0, 40.2, 70.4, 76.0),
    "E06000007": _scores(85.0, 80.0, 79.0, 83.0, 86.0, 77.0, 90.0, 84.0, 88.0, 91.0, 76.0, 80.0, 82.0),
    "E06000009": _scores(48.0, 45.0, 40.0, 55.0, 60.0, 44.0, 70.0, 62.0, 58.0, 75.0, 30.0, 45.0, 50.0),
    "E09000003": _scores(70.0, 65.0, 60.0, 72.0, 75.0, 62.0, 78.0, 74.0, 76.0, 80.0, 45.0, 66.0, 70.0),
    "NC010": _scores(74.0, 70.0, 66.0, 76.0, 79.0, 68.0, 81.0, 70.0, 80.0, 83.0, 52.0, 71.0, 73.0),
}
ENGLAND = _scores(76.0, 69.0, 66.0, 75.0, 77.0, 62.0, 81.0, 78.0, 79.0, 84.0, 35.0, 77.0, 74.0)
NORTH_WEST = _scores(77.0, 70.0, 68.0, 76.0, 78.0, 64.0, 80.0, 79.0, 80.0, 85.0, 38.0, 76.0, 75.0)
LONDON = _scores(70.0, 65.0, 60.0, 72.0, 75.0, 62.0, 78.0, 74.0, 76.0, 80.0, 45.0, 66.0, 70.0)
SIGNIFICANCE = {"E06000006": {"s6": "below", "s8": "above"}}
OVERALL = {"E06000006": 77.55, "E06000007": 83.0, "E06000009": 54.25, "E09000003": 69.5, "NC010": 73.0}


def rate(score: float) -> str:
    whole = round_half_up(score)
    return "Green" if whole >= 75 else "Amber" if whole >= 51 else "Red"


def scoring_tables() -> dict[str, pd.DataFrame]:
    """Every scoring table of docs/data-contracts.md for six organisations."""
    rows = []
    for code, (name, org_type, region, n_resp, _) in ORGS.items():
        reportable = n_resp >= 10
        for area in AREAS:
            score = SCORES[code][area] if reportable else np.nan
            rating = rate(score) if reportable else None
            sig = SIGNIFICANCE.get(code, {}).get(area, "no difference") if reportable else None
            rows.append(
                dict(
                    org_code=code, org_name=name, org_type=org_type, region=region, area=area,
                    n_responses=n_resp, n=n_resp if reportable else np.nan, score=score,
                    sd=20.0 if reportable else np.nan, ci_low=score - 8, ci_high=score + 8,
                    rating=rating, action=ACTIONS.get(rating), national_score=ENGLAND[area] if reportable else np.nan,
                    diff_national=score - ENGLAND[area], t_stat=np.nan if not reportable else 1.0,
                    p_value=np.nan if not reportable else (0.01 if sig != "no difference" else 0.4),
                    significance=sig, reportable=reportable,
                )
            )  # fmt: skip
    org_scores = pd.DataFrame(rows)

    bench = []
    for level, group, scores, orgs in (
        ("national", "England", ENGLAND, 5),
        ("region", "North West", NORTH_WEST, 3),
        ("region", "London", LONDON, 1),
    ):
        for area in AREAS:
            s = scores[area]
            dist = orgs >= 3
            bench.append(
                dict(
                    level=level, group=group, area=area, score=s, n=100, ci_low=s - 2, ci_high=s + 2,
                    rating=rate(s), action=ACTIONS[rate(s)], orgs=orgs,
                    min=s - 20 if dist else np.nan, q1=s - 5 if dist else np.nan, median=s if dist else np.nan,
                    q3=s + 5 if dist else np.nan, max=s + 15 if dist else np.nan,
                )
            )  # fmt: skip
    benchmarks = pd.DataFrame(bench)

    ranks = pd.DataFrame(
        [
            ("E06000006", "Halton", "North West", 22, 77.55, True, 2, 5, 2, 3),
            ("E06000007", "Warrington", "North West", 30, 83.0, True, 1, 5, 1, 3),
            ("E06000009", "Blackpool", "North West", 15, 54.25, True, 5, 5, 3, 3),
            ("E08000001", "Bolton", "North West", 7, np.nan, False, np.nan, np.nan, np.nan, np.nan),
            ("E09000003", "Barnet", "London", 40, 69.5, True, 4, 5, 1, 1),
            ("NC010", "Cafcass", None, 12, 73.0, True, 3, 5, np.nan, np.nan),
        ],
        columns=["org_code", "org_name", "region", "n_responses", "overall", "ranked", "national_rank",
                 "national_of", "regional_rank", "regional_of"],
    )  # fmt: skip

    drivers = []
    for i, area in enumerate(AREAS[:8]):
        rho = 0.30 + 0.03 * i
        drivers.append(dict(level="national", org_code=None, area=area, n=126, rho=rho, ci_low=rho - 0.1,
                            ci_high=rho + 0.1, p_value=0.001, beta=0.1))  # fmt: skip
        drivers.append(dict(level="org", org_code="E06000007", area=area, n=30, rho=rho + 0.1, ci_low=rho - 0.2,
                            ci_high=rho + 0.3, p_value=0.04, beta=np.nan))  # fmt: skip
    drivers = pd.DataFrame(drivers)
    key_drivers = pd.DataFrame(
        [
            ("E06000006", "s8", 0.51, "national"),
            ("E06000007", "s8", 0.61, "own"),
            ("E06000009", "s8", 0.51, "national"),
            ("E09000003", "s8", 0.51, "national"),
            ("NC010", "s8", 0.51, "national"),
        ],
        columns=["org_code", "area", "rho", "source"],
    )

    item_rows = []
    for level, group, shift in (
        ("org", "E06000006", 0), ("org", "E06000007", 5), ("region", "North West", -2),
        ("region", "London", -4), ("national", "England", -3),
    ):  # fmt: skip
        for item, area, agree, neutral in (
            ("s4_1", "s4", 90.9, 4.5),
            ("s6_2", "s6", 40.9, 27.3),
            ("tensions_1", "tensions", 86.4, 9.1),
        ):
            item_rows.append(dict(level=level, group=group, item=item, area=area, base=22, agree=agree + shift,
                                  neutral=neutral, disagree=100 - agree - shift - neutral))  # fmt: skip
    items = pd.DataFrame(item_rows)

    rates = pd.DataFrame(
        [(code, n, hc, (100 * n / hc) if hc else np.nan) for code, (_, _, _, n, hc) in ORGS.items()],
        columns=["org_code", "n_responses", "headcount", "response_rate"],
    )
    rates["headcount"] = rates["headcount"].astype("Int64")
    return dict(org_scores=org_scores, benchmarks=benchmarks, ranks=ranks, drivers=drivers,
                key_drivers=key_drivers, items=items, response_rates=rates)  # fmt: skip


def write_tables(project: Project, year: int = YEAR) -> None:
    folder = project.processed_dir(year)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in scoring_tables().items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    meta = {"source_sha256": "ab12cd34", "data_date": "2021-01-15", "fieldwork_start": "2020-11-02", "fieldwork_end": "2020-12-18"}  # fmt: skip
    (folder / "scores_meta.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.fixture
def scored(project: Project) -> Project:
    write_tables(project)
    return project


def _all_text(view) -> str:
    """Every value the view carries, as text, to search for names that must not be there."""
    parts = []
    for value in vars(view).values():
        if isinstance(value, pd.DataFrame):
            parts.append(value.to_csv())
        else:
            parts.append(repr(value))
    return "\n".join(parts)


def test_view_by_code_and_by_name_is_the_same(scored):
    by_code = load_council_view(scored, YEAR, "E06000006")
    by_name = load_council_view(scored, YEAR, "halton borough council")
    assert by_code.code == by_name.code == "E06000006"
    pd.testing.assert_frame_equal(by_code.scores, by_name.scores)


def test_view_figures_for_halton(scored):
    view = load_council_view(scored, YEAR, "Halton")
    assert (view.name, view.region, view.n_responses, view.suppressed) == ("Halton", "North West", 22, False)
    assert view.scores["area"].tolist() == AREAS
    assert view.scores.set_index("area").loc["s6", ["score", "rating", "significance"]].tolist() == [
        66.1,
        "Amber",
        "below",
    ]
    assert view.region_scores.set_index("area").loc["s6", "score"] == 64.0
    assert view.national_scores.set_index("area").loc["tensions", "rating"] == "Red"
    assert (view.national_rank, view.national_of, view.regional_rank, view.regional_of) == (2, 5, 2, 3)
    assert view.overall == 77.55
    assert (view.headcount, view.response_rate) == (55, 40.0)
    assert (view.key_driver_area, view.key_driver_rho, view.key_driver_source) == ("s8", 0.51, "national")
    assert view.drivers_national["area"].tolist() == AREAS[:8]
    assert view.drivers_own.empty
    assert view.items.groupby("level").size().to_dict() == {"national": 3, "org": 3, "region": 3}
    assert view.items.loc[(view.items["level"] == "org") & (view.items["item"] == "s6_2"), "agree"].item() == 40.9
    assert view.items.loc[view.items["item"] == "s4_1", "wording"].iloc[0] == "I feel cared for by my managers"
    assert (view.national_councils, view.national_non_councils, view.national_responses) == (5, 1, 126)
    assert view.meta["source_sha256"] == "ab12cd34"


def test_other_organisations_are_bare_sorted_numbers(scored):
    view = load_council_view(scored, YEAR, "E06000006")
    # Warrington, Blackpool, Barnet, Cafcass: reportable, not Halton, not Bolton (suppressed)
    assert view.others_overall == (54.25, 69.5, 73.0, 83.0)
    assert view.others_by_area["s6"] == (44.0, 62.0, 68.0, 77.0)
    text = _all_text(view)
    for other in OTHER_NAMES:
        assert other not in text


def test_own_drivers_when_large_enough(scored):
    view = load_council_view(scored, YEAR, "Warrington")
    assert view.key_driver_source == "own"
    assert view.drivers_own["rho"].round(2).tolist() == [0.4, 0.43, 0.46, 0.49, 0.52, 0.55, 0.58, 0.61]
    assert view.headcount is None and view.response_rate is None


def test_non_council_without_region(scored):
    view = load_council_view(scored, YEAR, "Cafcass")
    assert view.region is None and view.region_scores.empty
    assert view.items["level"].unique().tolist() == ["national"]  # its own items are not in the fixture
    assert (view.national_rank, view.regional_rank) == (3, None)


def test_suppressed_council_carries_no_figures(scored):
    view = load_council_view(scored, YEAR, "E08000001")
    assert view.suppressed and view.n_responses == 7 and view.min_respondents == 10
    for frame in (view.scores, view.region_scores, view.national_scores, view.items, view.drivers_national):
        assert frame.empty
    assert view.others_overall == () and view.others_by_area == {}
    assert view.headcount is None and view.response_rate is None and view.national_rank is None
    assert view.overall is None and view.key_driver_area is None
    assert rating_table(view).empty
    text = _all_text(view)
    for other in ["Warrington", "Blackpool", "Barnet", "Cafcass"]:
        assert other not in text


def test_council_with_no_responses_is_suppressed(scored):
    view = load_council_view(scored, YEAR, "Knowsley")
    assert view.suppressed and view.n_responses == 0


def test_unknown_council(scored):
    with pytest.raises(UnknownOrganisationError, match="Atlantis"):
        load_council_view(scored, YEAR, "Atlantis")


def test_missing_table_is_a_clear_error(scored):
    (scored.processed_dir(YEAR) / "ranks.parquet").unlink()
    with pytest.raises(InputError, match="ranks.parquet.*scoring table is missing"):
        load_council_view(scored, YEAR, "Halton")
    assert not catalogue.scored(scored, YEAR)


def test_rating_table_for_halton(scored):
    table = rating_table(load_council_view(scored, YEAR, "Halton"))
    assert table.columns.tolist() == [
        "Area", "Base (n)", "Halton score", "Halton rating", "North West score", "North West rating",
        "England score", "England rating", "Difference from England", "Compared with England",
    ]  # fmt: skip
    assert len(table) == 13
    cpd = table.iloc[5].tolist()
    assert cpd == ["6. Continuing professional development", 22, 66.1, "Amber (monitor)", 64.0, "Amber (monitor)",
                   62.0, "Amber (monitor)", 4, "Significantly below"]  # fmt: skip
    tensions = table.iloc[10].tolist()
    assert tensions == ["Tensions", 22, 40.2, "Red (improve)", 38.0, "Red (improve)", 35.0, "Red (improve)", 5,
                        "No significant difference"]  # fmt: skip
    # 82.4 shows as 82 against England's 78; 80.2 as 80 against 76; 70.4 as 70 against 77
    assert table["Difference from England"].tolist()[:8] == [4, 9, 10, 6, 2, 4, -4, 4]
    assert table.iloc[11]["Difference from England"] == -7


def test_findings_from_a_loaded_view(scored):
    view = load_council_view(scored, YEAR, "Blackpool")
    # 7 of 13 areas red: the majority, so the others are listed as exceptions
    assert ratings_summary(view) == (
        "Blackpool received a red rating (improve) for all standards and areas except: Wellbeing – amber (monitor); "
        "Supervision – amber (monitor); Professional registration – amber (monitor); Strategic partnerships – "
        "amber (monitor); COVID – amber (monitor); Employee contribution – green (sustain)."
    )
