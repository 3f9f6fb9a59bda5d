"""The sample return: deterministic bytes, who responds, realistic answers and the planted mess."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthcheck.errors import ParameterError
from healthcheck.ingest.readers import read_raw
from healthcheck.ingest.returns import clean_return
from healthcheck.reference.organisations import is_council, load_organisations
from healthcheck.reference.return_codebook import load_return_codebook
from healthcheck.synthetic.returns import generate_return, return_bytes, write_return
from healthcheck.views.returns import free_text_annex, single_choice_table


@pytest.fixture(scope="module")
def forty() -> list[str]:
    """Forty organisations: 36 councils of every type and four non-council employers."""
    from healthcheck.config import REPO_ROOT, Project

    orgs = load_organisations(Project(REPO_ROOT))
    councils = orgs.loc[is_council(orgs), "org_code"].tolist()
    others = orgs.loc[~is_council(orgs), "org_code"].tolist()
    return councils[::4][:36] + others[:4]


def test_same_seed_same_bytes(project, forty):
    first = return_bytes(generate_return(2020, seed=11, orgs=forty, project=project))
    again = return_bytes(generate_return(2020, seed=11, orgs=forty, project=project))
    other = return_bytes(generate_return(2020, seed=12, orgs=forty, project=project))
    assert first == again
    assert first != other
    first.decode("cp1252")  # Windows-1252 bytes
    assert b"\r\n" in first


def test_response_share_and_mess(project, forty):
    raw = generate_return(2020, seed=11, orgs=forty, project=project)
    responding = raw.attrs["responding"]
    assert set(responding) <= set(forty)
    assert 0.75 * 40 <= len(responding) <= 0.85 * 40  # 30 to 34 of the 40
    mess = raw.attrs["mess"]
    assert mess["rows"] == len(raw) == len(responding) + 3  # a repeat, a test and a blank row
    assert (raw == "").all(axis=1).sum() == 1
    assert raw["org_name"].str.strip().eq("Test").sum() == 1
    assert (raw["org_name"] != raw["org_name"].str.strip()).any()  # padded names
    assert raw["org_code"].eq("").sum() >= 2  # the test and blank rows, at least
    text = raw.to_numpy().astype(str)
    assert any("\u2019" in cell for cell in text.ravel())  # curly quotes (Windows-1252)
    assert mess["curly_label"]  # one "Don\u2019t know"


def test_cleaning_recovers_the_responding_organisations(project, forty, tmp_path):
    path = tmp_path / "org_return.csv"
    raw = generate_return(2020, seed=11, orgs=forty, project=project)
    path.write_bytes(return_bytes(raw))
    book = load_return_codebook(project)
    orgs = load_organisations(project)
    result = clean_return(read_raw(path), source=path, codebook=book, orgs=orgs)
    assert read_raw(path).attrs["encoding"] == "Windows-1252"
    assert result.returns["org_code"].tolist() == sorted(raw.attrs["responding"])
    counts = dict(zip(result.counts["rule"], result.counts["rows"], strict=True))
    assert counts["blank"] == counts["test"] == counts["duplicate"] == 1
    assert counts["unresolved_org"] == 0
    assert counts["implausible"] >= 1 and counts["filter_mismatch"] >= 1
    flagged = result.qa_log.set_index("rule")
    assert raw.attrs["mess"]["implausible_agency"] in set(result.returns["org_code"])
    assert "agency_posts" in set(flagged.loc[["implausible"], "column"])
    # names in free text are replaced in the annex
    annex = free_text_annex(result.returns, book, orgs)
    if raw.attrs["mess"]["org_names_in_text"]:
        assert annex["answer"].str.contains("<Council Name>", regex=False).any()


def test_headcounts_decide_who_takes_part(project):
    codes = ["E06000006", "E06000007", "E08000011", "E08000012", "E10000016", "E09000001", "E06000001", "NC001"]
    folder = project.year_params_dir(2021)
    folder.mkdir(parents=True)
    pd.DataFrame({"org_code": codes, "headcount": 50}).to_csv(folder / "headcounts.csv", index=False)
    raw = generate_return(2021, seed=3, project=project)
    assert set(raw.attrs["responding"]) <= set(codes)
    assert 6 <= len(raw.attrs["responding"]) <= 7  # 75-85% of 8, rounded


def test_realistic_proportions(project, tmp_path):
    # drawn from the reference data (no headcounts): about 110 returns
    raw = generate_return(2020, seed=2020, project=project)
    path = tmp_path / "r.csv"
    path.write_bytes(return_bytes(raw))
    book = load_return_codebook(project)
    df = clean_return(read_raw(path), source=path, codebook=book, orgs=load_organisations(project)).returns
    assert 95 <= len(df) <= 125
    yes = single_choice_table(df, "supervision_monitoring", book).frame.set_index("Answer").loc["Yes", "Per cent"]
    assert 88 <= yes <= 100  # 96 in 2018
    assert 16 <= df["caseload"].mean() <= 22  # 19 in 2018
    unfilled = (100 * df["unfilled_posts"] / df["fte_posts"]).mean()
    agency = (100 * df["agency_posts"] / df["fte_posts"]).mean()
    assert 8 <= unfilled <= 16 and 11 <= agency <= 20  # 12 and 15 in 2018
    london = df["org_type"] == "London Borough"
    assert (100 * df["agency_posts"] / df["fte_posts"])[london].mean() > agency  # London highest
    # follow-ups only in their filter group (after cleaning removes the one planted stray)
    mandatory = df["supervision_training_mandatory"].notna()
    assert (df.loc[mandatory, "supervision_training_reflective"] == "Yes").all()
    assert np.isclose(df["hours_over"].notna().mean(), 0.5, atol=0.15)


def test_write_return_refuses_to_overwrite(project, forty):
    paths = write_return(project, [2020], seed=5, orgs_by_year={2020: forty})
    assert paths == [project.raw_dir(2020) / "org_return.csv"]
    before = paths[0].read_bytes()
    with pytest.raises(ParameterError, match="already exists"):
        write_return(project, [2020], seed=6, orgs_by_year={2020: forty})
    assert paths[0].read_bytes() == before
    write_return(project, [2020], seed=6, force=True, orgs_by_year={2020: forty})
    assert paths[0].read_bytes() != before


def test_unknown_organisation_code(project):
    with pytest.raises(ParameterError, match="XX000"):
        generate_return(2020, seed=1, orgs=["E06000006", "XX000"], project=project)
