"""Services as units of reporting: the "Both" rule, a service's own benchmarks and ranks, worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import scoring_params

from healthcheck.errors import ParameterError
from healthcheck.reference.areas import load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.services import in_service, of_service, parse_service, service_slug
from healthcheck.scoring.score import score_all

CODEBOOK = load_codebook()
ITEMS = CODEBOOK["item"].tolist()
ANSWERED = CODEBOOK.loc[CODEBOOK["area"] != "tensions", "item"].tolist()  # tensions are reverse-scored
PARAMS = scoring_params(min_respondents=2, min_item_base=2, min_region_orgs=2, min_driver_respondents=4)

# (org, service, answer to every question but the tensions): points 5 -> 100, 4 -> 75, 3 -> 50, 2 -> 25, 1 -> 0
ROWS = [
    ("A", "Adults", 5), ("A", "Adults", 4), ("A", "Children", 2), ("A", "Children", 1), ("A", "Both", 3),
    ("B", "Adults", 3), ("B", "Adults", 3), ("B", "Children", 5), ("B", "Children", 5), ("B", "Both", 4),
]  # fmt: skip


def _responses() -> pd.DataFrame:
    records = []
    for i, (org, service, answer) in enumerate(ROWS):
        rec = {"response_id": f"R{i:02d}", "org_code": org, "org_name": org, "org_type": "Unitary Authority",
               "region": "North West", "service": service}  # fmt: skip
        rec.update(dict.fromkeys(ITEMS))
        rec.update(dict.fromkeys(ANSWERED, answer))  # every area the same score, so the overall score is it too
        records.append(rec)
    frame = pd.DataFrame(records)
    for item in ITEMS:
        frame[item] = frame[item].astype("Int8")
    return frame


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return score_all(_responses(), CODEBOOK, PARAMS, load_areas())


def _score(tables: dict[str, pd.DataFrame], service: str, org: str) -> pd.Series:
    scores = of_service(tables["org_scores"], service)
    return scores[(scores["org_code"] == org) & (scores["area"] == "satisfaction")].iloc[0]


def test_a_both_respondent_counts_in_each_service_and_once_in_all(tables):
    # A adults: Adults 100, 75 and Both 50 -> 225 / 3 = 75; children: 25, 0 and Both 50 -> 25
    adults, children, every = _score(tables, "adults", "A"), _score(tables, "children", "A"), _score(tables, "all", "A")
    assert (adults["n"], adults["score"]) == (3, pytest.approx(75.0))
    assert (children["n"], children["score"]) == (3, pytest.approx(25.0))
    assert (every["n"], every["score"]) == (5, pytest.approx((100 + 75 + 25 + 0 + 50) / 5))


def test_a_service_is_benchmarked_and_ranked_against_the_same_service(tables):
    # England's adults: A's 100, 75, 50 and B's 50, 50, 75 -> 400 / 6
    bench = of_service(tables["benchmarks"], "adults")
    england = bench[(bench["level"] == "national") & (bench["area"] == "satisfaction")].iloc[0]
    assert england["score"] == pytest.approx(400 / 6)
    assert england["n"] == 6
    assert _score(tables, "adults", "A")["national_score"] == pytest.approx(400 / 6)
    # adults: A 75, B (50 + 50 + 75) / 3 = 58.3; children: A 25, B (100 + 100 + 75) / 3 = 91.7; all: A 50, B 80
    ranks = {s: of_service(tables["ranks"], s).set_index("org_code") for s in ("all", "adults", "children")}
    assert ranks["adults"].loc["A", "overall"] == pytest.approx(75.0)
    assert ranks["adults"].loc["A", "national_rank"] == 1
    assert ranks["all"].loc["A", "national_rank"] == 2
    assert ranks["children"].loc["B", "national_rank"] == 1
    assert ranks["children"].loc["A", "national_rank"] == 2
    assert ranks["children"].loc["A", "national_of"] == 2


def test_a_service_has_no_response_rate_and_all_services_keep_theirs():
    headcounts = pd.DataFrame({"org_code": ["A", "B"], "headcount": pd.array([10, 20], dtype="Int64")})
    rates = score_all(_responses(), CODEBOOK, PARAMS, load_areas(), headcounts)["response_rates"]
    every = of_service(rates, "all").set_index("org_code")
    assert every.loc["A", "response_rate"] == pytest.approx(50.0)
    assert of_service(rates, "adults")["response_rate"].isna().all()


def test_an_export_without_a_service_column_scores_all_services_only():
    tables = score_all(_responses().drop(columns="service"), CODEBOOK, PARAMS, load_areas())
    assert set(tables["org_scores"]["service"]) == {"all"}
    assert not in_service(_responses().drop(columns="service"), "adults").any()


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("adults", "adults"), ("Adult services", "adults"), ("Children's services", "children"), ("both", "all"),
     ("ALL", "all")],
)  # fmt: skip
def test_a_service_is_read_as_people_type_it(typed, unit):
    assert parse_service(typed) == unit


def test_an_unknown_service_is_refused_with_the_choices():
    with pytest.raises(ParameterError, match="adults, children or all"):
        parse_service("health")


def test_a_service_report_has_its_own_folder():
    assert [service_slug("halton", s) for s in ("all", "adults", "children")] == [
        "halton", "halton-adults", "halton-children",
    ]  # fmt: skip


def test_a_service_reports_national_participation_as_that_services(tables):
    from healthcheck.findings.council import national_context
    from healthcheck.views.council import build_view

    org = pd.Series({"org_code": "A", "name": "A", "region": "North West"})
    view = build_view({k: of_service(t, "adults") for k, t in tables.items()}, org=org, year=2022, params=PARAMS,
                      areas=load_areas(), codebook=CODEBOOK, service="adults")  # fmt: skip
    # adults' services: A's 3 and B's 3 respondents (each with a Both respondent)
    assert national_context(view).endswith("there were 6 survey responses from adults' services in total.")
