"""Councils as they change: the dated reference, each year's export resolved as of its year, trends across a change."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import read_all

from healthcheck import catalogue, pipeline
from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError
from healthcheck.ingest.readers import read_raw
from healthcheck.ingest.survey import clean_year
from healthcheck.reference.organisations import (
    is_council,
    load_changes,
    load_organisations,
    organisation_index,
    organisations_as_of,
    same_service_successors,
    succession,
)

REPO = Project(REPO_ROOT)

# Councils with social services responsibility in England, by region, as published (ONS codes
# for counties and unitary authorities; DLUHC's lists of local authorities): 152 before the
# Dorset changes of April 2019, 151 from then, 152 once Northamptonshire split (April 2021),
# 153 once Cumbria split (April 2023). docs/assumptions.md gives the sources.
REGION_2020 = {
    "North East": 12, "North West": 23, "Yorkshire and The Humber": 15, "East Midlands": 9, "West Midlands": 14,
    "East of England": 11, "London": 33, "South East": 19, "South West": 15,
}  # fmt: skip
PUBLISHED = {
    2018: {**REGION_2020, "South West": 16},  # Bournemouth, Poole and Dorset County before BCP and Dorset
    2019: REGION_2020,
    2020: REGION_2020,
    2021: {**REGION_2020, "East Midlands": 10},
    2022: {**REGION_2020, "East Midlands": 10},
    2023: {**REGION_2020, "East Midlands": 10, "North West": 24},
    2024: {**REGION_2020, "East Midlands": 10, "North West": 24},
}


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_councils_per_region_each_year_match_the_published_counts(year):
    orgs = load_organisations(REPO, year)
    councils = orgs[is_council(orgs)]
    assert councils.groupby("region").size().to_dict() == PUBLISHED[year]
    assert len(councils) == {2018: 152, 2019: 151, 2020: 151, 2021: 152, 2022: 152, 2023: 153, 2024: 153}[year]
    assert councils["org_code"].is_unique


def test_without_a_year_the_list_is_april_2020s_as_before():
    orgs = load_organisations(REPO)
    assert len(orgs[is_council(orgs)]) == 151 and "E06000065" not in set(orgs["org_code"])


def test_2023_names_and_codes_resolve_to_the_councils_of_2023():
    index = organisation_index(REPO, 2023)
    assert index.resolve(None, "North Yorkshire") == ("E06000065", "name")
    assert index.resolve(None, "North Yorkshire County Council") == ("E06000065", "name")  # the same service
    assert index.resolve("E10000023", None) == ("E06000065", "code")
    assert index.resolve(None, "Somerset CC") == ("E06000066", "name")
    assert index.resolve(None, "Westmorland & Furness") == ("E06000064", "name")
    assert index.resolve("E06000063", None) == ("E06000063", "code")
    assert index.resolve(None, "West Northants") == ("E06000062", "name")
    assert index.resolve(None, "Cumbria County Council") == ("E10000006", "name")  # split: kept as itself
    assert index.resolve(None, "Northamptonshire") == ("E10000021", "name")


def test_2020_names_resolve_to_the_councils_of_2020():
    index = organisation_index(REPO, 2020)
    assert index.resolve(None, "North Yorkshire") == ("E10000023", "name")
    assert index.resolve(None, "Somerset") == ("E10000027", "name")
    assert index.resolve("E06000065", None) == (None, "unresolved")  # did not exist yet
    assert index.resolve(None, "Buckinghamshire County Council") == ("E06000060", "name")  # April 2020: same service


def test_same_service_successors_and_what_the_report_says():
    assert same_service_successors(REPO, 2022, 2023) == {"E10000023": "E06000065", "E10000027": "E06000066"}
    assert same_service_successors(REPO, 2020, 2021) == {}  # Northamptonshire split: not comparable
    assert same_service_successors(REPO, 2020, 2023) == {"E10000023": "E06000065", "E10000027": "E06000066"}
    yorks = succession(REPO, "E06000065", 2023)
    assert yorks["same_service"] and yorks["predecessors"] == [("E10000023", "North Yorkshire County Council")]
    cumberland = succession(REPO, "E06000063", 2023)
    assert not cumberland["same_service"] and cumberland["predecessors"] == [("E10000006", "Cumbria County Council")]
    assert succession(REPO, "E06000063", 2024) is None and succession(REPO, "E06000006", 2023) is None


def test_a_bad_changes_file_names_the_row_and_column(project):
    path = catalogue.ORGANISATION_CHANGES.path(project)
    text = path.read_text(encoding="utf-8").replace("2021-04-01", "1 April 2021", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="valid_from must be a date written 2023-04-01") as err:
        load_changes(project)
    assert err.value.column == "valid_from" and err.value.row == 10
    path.write_text(text.replace("1 April 2021", "2021-04-01").replace("E06000061;E06000062", "E06000061;E0600009X"))
    with pytest.raises(InputError, match="successor E0600009X is not a known organisation"):
        load_changes(project)


# ---------------------------------------------------------------------------------------
# a 2023-shaped export, made from the sample generator's output
# ---------------------------------------------------------------------------------------
#: sample organisation -> how the 2023 export names its successor (code, name as typed)
RELABEL = {
    0: ("E06000063", "Cumberland Council"),
    1: ("", "Westmorland & Furness"),
    2: ("E06000061", "North Northamptonshire Council"),
    3: ("", "West Northants"),
    4: ("E10000023", "North Yorkshire County Council"),  # the old code, as an export may still carry
    5: ("", "Somerset Council"),
}
NEW_CODES = ["E06000063", "E06000064", "E06000061", "E06000062", "E06000065", "E06000066"]


@pytest.fixture(scope="module")
def shaped(tmp_path_factory):
    """A 2022 sample of 12 organisations, and the same export as 2023 with six of them renamed to new councils."""
    from conftest import make_project

    from healthcheck.synthetic.survey import write_sample

    project = make_project(tmp_path_factory.mktemp("reorg") / "project")
    write_sample(project, years=[2022], n_orgs=12, scale=0.3, seed=11)
    kept_2022 = clean_year(project, 2022).responses.groupby("org_code").size()
    raw = read_raw(catalogue.WORKER_SURVEY.path(project, 2022))
    index = organisation_index(project, 2022)
    typed = [index.resolve(c, n)[0] for c, n in zip(raw["org_code"], raw["org_name"], strict=True)]
    chosen = sorted(c for c in kept_2022.index if c.startswith("E"))[: len(RELABEL)]
    for i, code in enumerate(chosen):
        rows = [t == code for t in typed]
        raw.loc[rows, "org_code"], raw.loc[rows, "org_name"] = RELABEL[i]
    folder = project.raw_dir(2023)
    folder.mkdir(parents=True)
    raw.to_csv(folder / catalogue.WORKER_SURVEY.file, index=False, encoding="utf-8")
    return project, kept_2022, chosen


def test_a_2023_export_keeps_every_response_of_the_new_councils(shaped):
    project, kept_2022, chosen = shaped
    result = clean_year(project, 2023)
    kept = result.responses.groupby("org_code").size()
    for old, new in zip(chosen, NEW_CODES, strict=True):
        assert kept[new] == kept_2022[old], (old, new)
    assert result.unresolved.empty or not result.unresolved["org_name"].isin([n for _, n in RELABEL.values()]).any()
    flagged = result.qa_log[result.qa_log["rule"] == "successor_org"]
    assert len(flagged) == kept[NEW_CODES[4]]
    assert flagged["detail"].str.contains("North Yorkshire County Council \\(E10000023\\) ended on 31 March 2023").all()
    regions = result.responses.drop_duplicates("org_code").set_index("org_code")["region"]
    assert regions["E06000063"] == "North West" and regions["E06000065"] == "Yorkshire and The Humber"


def test_trends_carry_across_a_same_service_change_only(shaped, tmp_path):
    """North Yorkshire County Council (2022) -> North Yorkshire Council (2023) is compared; a split council is new."""
    project, _, chosen = shaped
    # make the 2022 round's fifth organisation North Yorkshire County Council itself, so 2023's successor follows it
    copy = Project(tmp_path / "copy")
    shutil.copytree(project.root, copy.root)
    raw22 = read_raw(catalogue.WORKER_SURVEY.path(copy, 2022))
    index = organisation_index(copy, 2022)
    typed = [index.resolve(c, n)[0] for c, n in zip(raw22["org_code"], raw22["org_name"], strict=True)]
    rows = [t == chosen[4] for t in typed]
    raw22.loc[rows, "org_code"], raw22.loc[rows, "org_name"] = "E10000023", "North Yorkshire County Council"
    rows = [t == chosen[0] for t in typed]
    raw22.loc[rows, "org_code"], raw22.loc[rows, "org_name"] = "E10000006", "Cumbria County Council"
    raw22.to_csv(catalogue.WORKER_SURVEY.path(copy, 2022), index=False, encoding="utf-8")
    pipeline.ensure(copy, 2023, stages=pipeline.SURVEY_STAGES)
    trends = read_all(catalogue.TRENDS.path(copy, 2023))
    org = trends[trends["level"] == "org"].drop_duplicates("group").set_index("group")
    assert org.at["E06000065", "n_responses_previous"] > 0 and org.at["E06000065", "status"] != "new"
    assert org.at["E06000063", "status"] == "new" and org.at["E06000063", "n_responses_previous"] == 0

    from healthcheck.findings.trends import trend_findings
    from healthcheck.views.trend import load_council_trend, series

    said = " ".join(trend_findings(load_council_trend(copy, 2023, "E06000063")))
    assert "Cumberland was created on 1 April 2023 from part of Cumbria County Council" in said
    assert "no earlier year to compare with" in said
    yorks = load_council_trend(copy, 2023, "North Yorkshire")
    assert yorks.code == "E06000065"
    assert "took over the social work service of North Yorkshire County Council on 1 April 2023" in " ".join(
        trend_findings(yorks)
    )
    own = series(copy, 2023, org_code="E06000065")
    assert set(own.loc[own["level"] == "org", "year"]) == {2022, 2023}
    assert own[(own["level"] == "org") & (own["year"] == 2022)]["n"].notna().any()
    assert organisations_as_of(copy, 2023).set_index("org_code").at["E10000023", "counted_as"] == "E06000065"


def test_the_returns_response_rate_counts_against_the_years_councils():
    from healthcheck.views.returns import response_rate_by_type

    returns = pd.DataFrame({"org_code": ["E06000006", "E06000063", "E10000006", "NC001"]})
    table = response_rate_by_type(returns, load_organisations(REPO, 2023))
    total = table.frame.iloc[-1]
    assert (int(total["Number"]), table.bases) == (2, (153,))
    assert any("non-council employers" in note for note in table.notes)
