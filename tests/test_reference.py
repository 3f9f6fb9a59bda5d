"""Reference data against the published totals, and the reference readers' errors."""

from __future__ import annotations

import shutil

import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError
from healthcheck.reference.areas import area_codes, load_areas
from healthcheck.reference.codebook import item_columns, load_codebook
from healthcheck.reference.organisations import (
    NON_COUNCIL,
    REGIONS,
    is_council,
    load_organisations,
)

REPO = Project(REPO_ROOT)


@pytest.fixture(scope="module")
def councils():
    orgs = load_organisations(REPO)
    return orgs[is_council(orgs)]


def test_151_councils_with_social_services_responsibilities(councils):
    assert len(councils) == 151
    assert councils["org_code"].is_unique


def test_councils_per_type(councils):
    # as of 2020: 25 shire counties, 33 London boroughs (with the City of London),
    # 36 metropolitan districts, 57 unitary authorities (with the Isles of Scilly)
    assert councils["org_type"].value_counts().to_dict() == {
        "Shire County": 25,
        "London Borough": 33,
        "Metropolitan District": 36,
        "Unitary Authority": 57,
    }
    assert councils.set_index("org_code").at["E09000001", "org_type"] == "London Borough"
    assert councils.set_index("org_code").at["E06000053", "org_type"] == "Unitary Authority"


def test_councils_per_region(councils):
    assert councils["region"].value_counts().to_dict() == {
        "North East": 12,
        "North West": 23,
        "Yorkshire and The Humber": 15,
        "East Midlands": 9,
        "West Midlands": 14,
        "East of England": 11,
        "London": 33,
        "South East": 19,
        "South West": 15,
    }
    assert set(councils["region"]) == set(REGIONS)


def test_codes_match_their_type(councils):
    prefix = {
        "E06": "Unitary Authority", "E08": "Metropolitan District", "E09": "London Borough", "E10": "Shire County",
    }  # fmt: skip
    assert (councils["org_code"].str[:3].map(prefix) == councils["org_type"]).all()


def test_non_councils_come_from_params():
    orgs = load_organisations(REPO)
    extra = orgs[~is_council(orgs)]
    assert len(extra) == 10
    assert set(extra["org_type"]) == {NON_COUNCIL}
    assert extra["org_code"].str.match(r"^NC\d{3}$").all()
    assert extra.set_index("org_code")["region"].isna().to_dict()["NC010"]  # Cafcass: national


AREA_IDS = [*(f"s{i}" for i in range(1, 9)), "covid", "contribution", "tensions", "satisfaction", "stay"]


def test_areas_and_codebook():
    areas = load_areas(REPO)
    assert areas["area"].tolist() == AREA_IDS
    book = load_codebook(project=REPO)
    assert len(item_columns(book)) == 41
    assert book["area"].value_counts().to_dict()["s1"] == 5
    assert book.loc[book["reverse"], "item"].tolist() == ["tensions_1", "tensions_2"]
    assert set(book["area"]) == set(AREA_IDS)


def test_codebook_areas_are_checked_against_the_areas_table(project):
    book = project.reference_dir / "codebook.csv"
    book.write_text(book.read_text(encoding="utf-8") + "learning_1,learning,false,I learn at work\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown area 'learning'") as err:
        load_codebook(project=project)
    assert (err.value.file, err.value.row, err.value.column) == (str(book), 43, "area")
    areas = project.reference_dir / "areas.csv"
    areas.write_text(areas.read_text(encoding="utf-8") + "learning,other,,Learning,Learning,14\n", encoding="utf-8")
    assert load_codebook(project=project)["area"].iloc[-1] == "learning"
    assert area_codes(load_areas(project))[-1] == "learning"


def test_year_codebook_overrides_base(project):
    folder = project.year_params_dir(2021)
    folder.mkdir(parents=True)
    (folder / "codebook.csv").write_text("item,area,reverse,wording\ns1_1,s1,false,Only one item\n")
    assert item_columns(load_codebook(2021, project)) == ["s1_1"]
    assert len(item_columns(load_codebook(2020, project))) == 41


def test_reference_saved_from_excel_with_bom(project):
    path = project.params_dir / "organisations_extra.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    orgs = load_organisations(project)
    assert "NC001" in set(orgs["org_code"])


def test_bad_codebook_reverse_names_row_and_column(project):
    path = project.reference_dir / "codebook.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",false,", ",maybe,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="reverse must be true or false") as err:
        load_codebook(project=project)
    assert (err.value.row, err.value.column) == (4, "reverse")


def test_duplicate_code_names_the_file_that_repeats_it(project):
    extra = project.params_dir / "organisations_extra.csv"
    extra.write_text(extra.read_text(encoding="utf-8") + "e06000006,Halton again,,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="E06000006 appears twice") as err:
        load_organisations(project)
    assert err.value.file == str(extra) and err.value.row == 12


def test_missing_reference_file(project):
    shutil.rmtree(project.reference_dir)
    with pytest.raises(InputError, match="reference file is missing"):
        load_areas(project)
