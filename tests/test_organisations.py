"""Resolving organisations from codes and the many ways people type their names."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import UnknownOrganisationError
from healthcheck.reference.organisations import (
    OrganisationIndex,
    core,
    load_organisations,
    looks_like_code,
    normalise,
    slug,
)


@pytest.fixture(scope="module")
def orgs() -> pd.DataFrame:
    return load_organisations(Project(REPO_ROOT))


@pytest.fixture(scope="module")
def index(orgs: pd.DataFrame) -> OrganisationIndex:
    return OrganisationIndex.build(orgs)


@pytest.mark.parametrize(
    "typed, code",
    [
        ("HALTON B.C.", "E06000006"),
        (" halton borough council ", "E06000006"),
        ("Halton Borough Council", "E06000006"),
        ("Kingston upon Hull, City of", "E06000010"),
        ("Hull City Council", "E06000010"),
        ("St. Helens", "E08000013"),
        ("St Helens MBC", "E08000013"),
        ("B&NES", "E06000022"),
        ("Bath & North East Somerset", "E06000022"),
        ("Royal Borough of Greenwich", "E09000011"),
        ("London Borough of Barnet", "E09000003"),
        ("County Durham", "E06000047"),
        ("Durham County Council", "E06000047"),
        ("Bristol, City of", "E06000023"),
        ("City of London", "E09000001"),
        ("Mersey Care", "NC007"),
        ("Birmingham Children\u2019s Trust", "NC002"),  # curly apostrophe
        ("Birmingham", "E08000025"),  # the council, not the children's trust
        ("Kingston upon Thames", "E09000021"),
    ],
)
def test_awkward_names_resolve(index, typed, code):
    assert index.resolve(None, typed) == (code, "name")


@pytest.mark.parametrize("typed", ["e06000006", " E06000006 ", "E06000006"])
def test_codes_resolve_in_any_case(index, typed):
    assert index.resolve(typed, "something else entirely") == ("E06000006", "code")


def test_code_first_then_name(index):
    assert index.resolve("E08000013", "Halton") == ("E08000013", "code")
    assert index.resolve("E99999999", "Halton") == ("E06000006", "name")  # an unknown code falls back
    assert index.resolve("nc007", None) == ("NC007", "code")


@pytest.mark.parametrize("typed", ["London", "Council", "the council", "Borsetshire", "", None, float("nan")])
def test_nothing_is_guessed(index, typed):
    assert index.resolve(None, typed) == (None, "unresolved")


def test_no_two_organisations_share_a_normalised_alias(orgs):
    owners: dict[str, set[str]] = defaultdict(set)
    core_owners: dict[str, set[str]] = defaultdict(set)
    for row in orgs.itertuples(index=False):
        for spelling in [row.name, row.official_name, *str(row.aliases).split(";")]:
            if spelling.strip():
                owners[normalise(spelling)].add(row.org_code)
                if core(spelling):
                    core_owners[core(spelling)].add(row.org_code)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    assert {k: v for k, v in core_owners.items() if len(v) > 1} == {}


def test_every_spelling_resolves_to_its_own_organisation(orgs, index):
    for row in orgs.itertuples(index=False):
        for spelling in index.all_spellings(row.org_code):
            assert index.resolve(spelling, spelling)[0] == row.org_code, spelling


def test_ambiguous_keys_are_dropped_not_guessed():
    orgs = pd.DataFrame(
        {
            "org_code": ["E1", "E2"],
            "name": ["Newtown", "Oldtown"],
            "official_name": ["Newtown Council", "Oldtown Council"],
            "org_type": ["Unitary Authority"] * 2,
            "region": ["North West"] * 2,
            "aliases": ["Twin Towns", "Twin Towns"],
        }
    )
    index = OrganisationIndex.build(orgs)
    assert index.resolve(None, "twin towns") == (None, "unresolved")
    assert index.resolve(None, "NEWTOWN") == ("E1", "name")


def test_missing_aliases_and_official_names_are_not_spellings():
    # read without keep_default_na=False, blanks are NaN: they must not become the name 'nan'
    orgs = pd.DataFrame(
        {
            "org_code": ["E1", "E2"],
            "name": ["Newtown", "Oldtown"],
            "official_name": [float("nan"), "Oldtown Council"],
            "org_type": ["Unitary Authority"] * 2,
            "region": ["North West"] * 2,
            "aliases": [float("nan"), None],
        }
    )
    index = OrganisationIndex.build(orgs)
    assert index.resolve(None, "nan") == (None, "unresolved")
    assert index.all_spellings("E1") == ["E1", "Newtown"]


def test_lookup(index):
    assert index.lookup("halton")["org_code"] == "E06000006"
    assert index.lookup("e06000006")["name"] == "Halton"
    with pytest.raises(UnknownOrganisationError, match="Borsetshire"):
        index.lookup("Borsetshire")


def test_normalise_and_core():
    assert normalise("HALTON B.C.") == "halton bc"
    assert normalise("  Bath &  N.E. Somerset ") == "bath and ne somerset"
    assert normalise("Children\u2019s Trust") == "childrens trust"
    assert normalise(None) == "" and normalise(float("nan")) == ""
    assert core("London Borough of Barking & Dagenham") == "barking and dagenham"
    assert core("Stockport MBC") == "stockport"


def test_looks_like_code_and_slug():
    assert looks_like_code("e06000006") and looks_like_code("NC007")
    assert not looks_like_code("Halton") and not looks_like_code(None)
    assert slug("Kingston upon Hull, City of") == "kingston-upon-hull-city-of"
    assert slug("../../etc") == "etc"
