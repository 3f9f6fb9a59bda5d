"""The one organisation name map (``params/org_name_map.csv``), as both instruments use it."""

from __future__ import annotations

import pandas as pd
import pytest
from test_clean import EXPORT, FIXTURES, put_export
from test_returns import make_raw

from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError
from healthcheck.ingest.names import (
    NAME_MAP_NAME,
    load_name_map,
    name_map_lookup,
    org_key,
    resolve_organisations,
    unresolved_table,
)
from healthcheck.ingest.readers import read_raw
from healthcheck.ingest.returns import clean_return, clean_return_year
from healthcheck.ingest.survey import clean, clean_year
from healthcheck.reference.organisations import OrganisationIndex, load_organisations
from healthcheck.reference.return_codebook import load_return_codebook

BAD_MAP = "org_name,org_code\nBorsetshire Council,E10000016\nAmbridge Trust,E99999999\n"


@pytest.fixture(scope="module")
def orgs() -> pd.DataFrame:
    return load_organisations(Project(REPO_ROOT))


@pytest.fixture(scope="module")
def index(orgs) -> OrganisationIndex:
    return OrganisationIndex.build(orgs)


@pytest.fixture(scope="module")
def survey_codebook() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "codebook.csv", dtype=str)


@pytest.fixture(scope="module")
def return_codebook() -> pd.DataFrame:
    return load_return_codebook(Project(REPO_ROOT))


def bad_map() -> pd.DataFrame:
    return pd.DataFrame({"org_name": ["Borsetshire Council", "Ambridge Trust"], "org_code": ["E10000016", "E99999999"]})


# --- reading the file -------------------------------------------------------------------------


def test_no_name_map_file(project):
    assert load_name_map(project) is None


def test_name_map_read_stripped_with_its_path(project):
    path = project.params_dir / "org_name_map.csv"
    path.write_bytes(b"\xef\xbb\xbf Org Name ,ORG_CODE,note\n  Borsetshire Council , e10000016 ,x\n")
    table = load_name_map(project)
    assert table.to_dict("records") == [{"org_name": "Borsetshire Council", "org_code": "e10000016"}]
    assert table.attrs["file"] == str(path)


def test_name_map_without_a_column(project):
    path = project.params_dir / "org_name_map.csv"
    path.write_text("org_name,code\nBorsetshire Council,E10000016\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing required column 'org_code'") as err:
        load_name_map(project)
    assert (err.value.file, err.value.column) == (str(path), "org_code")


# --- the look-up: one behaviour ---------------------------------------------------------------


def test_lookup_by_normalised_name(index):
    table = pd.DataFrame({"org_name": ["BORSETSHIRE  council", ""], "org_code": ["e10000016", "E99999999"]})
    assert name_map_lookup(table, index) == {"borsetshire council": "E10000016"}  # a blank name is skipped
    assert name_map_lookup(None, index) == {}


def test_unknown_code_is_an_error_naming_file_row_and_column(index):
    with pytest.raises(InputError, match="'E99999999' for 'Ambridge Trust' is not a known organisation") as err:
        name_map_lookup(bad_map(), index)
    assert (err.value.file, err.value.row, err.value.column) == (NAME_MAP_NAME, 3, "org_code")
    assert NAME_MAP_NAME == "params/org_name_map.csv"


def test_unknown_code_names_the_file_it_was_read_from(index):
    table = bad_map()
    table.attrs["file"] = "/somewhere/params/org_name_map.csv"
    with pytest.raises(InputError) as err:
        name_map_lookup(table, index)
    assert err.value.file == "/somewhere/params/org_name_map.csv"


def test_resolve_code_then_name_then_map(index):
    frame = pd.DataFrame(
        {
            "org_code": ["e06000006", None, None, None, "XX1"],
            "org_name": ["x", "Halton", "E06000007", "Borsetshire", "?"],
        }
    )
    codes = resolve_organisations(frame, index, {"borsetshire": "E10000016"})
    assert codes.tolist() == ["E06000006", "E06000006", "E06000007", "E10000016", None]
    keys = org_key(frame, codes)
    assert keys.iloc[-1] == "?|XX1" and keys.iloc[0] == "E06000006"
    table = unresolved_table(frame.iloc[[4, 4]])
    assert table.to_dict("records") == [{"org_name": "?", "org_code": "XX1", "rows": 2}]


# --- both instruments -------------------------------------------------------------------------


def test_survey_stops_on_an_unknown_code(survey_codebook, orgs):
    with pytest.raises(InputError, match="E99999999") as err:
        clean(read_raw(EXPORT), source=EXPORT, codebook=survey_codebook, orgs=orgs, name_map=bad_map())
    assert (err.value.row, err.value.column) == (3, "org_code")


def test_return_stops_on_an_unknown_code(return_codebook, orgs):
    """The return used to drop such a line silently, losing the rows it was meant to keep."""
    with pytest.raises(InputError, match="E99999999") as err:
        clean_return(make_raw(return_codebook), source="org_return.csv", codebook=return_codebook, orgs=orgs,
                     name_map=bad_map())  # fmt: skip
    assert (err.value.file, err.value.row, err.value.column) == (NAME_MAP_NAME, 3, "org_code")


def test_return_resolves_through_the_name_map(return_codebook, orgs):
    good = bad_map().iloc[:1]
    result = clean_return(make_raw(return_codebook), source="org_return.csv", codebook=return_codebook, orgs=orgs,
                          name_map=good)  # fmt: skip
    assert "E10000016" in result.returns["org_code"].tolist()  # Borsetshire Council, row 7
    assert "unresolved_org" not in result.qa_log["rule"].tolist()


def test_both_years_name_the_project_file(project, return_codebook):
    path = project.params_dir / "org_name_map.csv"
    path.write_text(BAD_MAP, encoding="utf-8")
    put_export(project)
    with pytest.raises(InputError) as err:
        clean_year(project, 2020)
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 3, "org_code")

    raw = project.raw_dir(2020) / "org_return.csv"
    make_raw(return_codebook).to_csv(raw, index=False)
    with pytest.raises(InputError) as err:
        clean_return_year(project, 2020)
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 3, "org_code")
    assert not (project.processed_dir(2020) / "org_return.parquet").exists()
