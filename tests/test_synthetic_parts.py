"""The sample generator's parts: per-area numbers, the panel, respondents, the mess and the comments.

tests/test_sample.py checks the export they make together; these check each part's promise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import OrganisationIndex, load_organisations
from healthcheck.synthetic.comments import (
    HALTON_PLANTED,
    PLANTED_KIND,
    PLANTED_SENSITIVE,
    comments,
    curly,
    plant,
)
from healthcheck.synthetic.mess import (
    format_times,
    name_variants,
    timestamps,
    unmatched_names,
)
from healthcheck.synthetic.panel import year_panel
from healthcheck.synthetic.parameters import (
    DEFAULT_NATIONAL,
    HALTON,
    HALTON_N,
    NATIONAL,
    TRENDS,
    AreaModel,
)
from healthcheck.synthetic.respondents import Items, org_ratings, respondents

REPO = Project(REPO_ROOT)
AREAS = list(NATIONAL)  # the 13 areas, in the areas table's order


@pytest.fixture(scope="module")
def model() -> AreaModel:
    return AreaModel.for_areas(AREAS)


@pytest.fixture(scope="module")
def orgs() -> pd.DataFrame:
    return load_organisations(REPO)


def test_area_model_defaults_for_an_unknown_area():
    model = AreaModel.for_areas([*AREAS, "learning"])
    assert model.national[-1] == model.halton[-1] == DEFAULT_NATIONAL
    assert model.org_load[-1] == model.respondent_load[-1] == 1.0
    assert model.position("learning") == 13 and model.position("nope") is None
    assert model.latent_columns()[-1] == "latent_learning"


def test_national_means_follow_the_trends(model):
    assert model.national_in(2020).tolist() == [NATIONAL[a] for a in AREAS]
    s4 = AREAS.index("s4")
    assert model.national_in(2022)[s4] == NATIONAL["s4"] + TRENDS[2021]["s4"] + TRENDS[2022]["s4"]
    assert model.trend(2023).tolist() == [0.0] * len(AREAS)


def test_panel_is_seeded_and_keeps_halton(orgs, model):
    first, _ = year_panel(orgs, 2020, 2021, 12, 0.3, model)
    again, _ = year_panel(orgs, 2020, 2021, 12, 0.3, model)
    pd.testing.assert_frame_equal(first, again)
    halton = first.set_index("org_code").loc[HALTON]
    assert halton["n_intended"] == HALTON_N and halton["headcount"] == 55
    assert first["org_code"].is_monotonic_increasing


def test_respondents_and_their_ratings(model):
    book = load_codebook(2020, REPO)
    items = Items.from_codebook(book, model)
    rng = np.random.default_rng(1)
    means = np.tile(model.national_in(2020), (400, 1))
    codes, latent = respondents(rng, means, items, model)
    assert codes.shape == (400, len(book)) and latent.shape == (400, len(AREAS))
    assert set(np.unique(codes)) <= set(range(8))  # blank, 1-5, Don't know, Not applicable
    ratings = org_ratings(codes, items, model)
    assert set(ratings) == set(AREAS) and ratings["tensions"] == "Red" and ratings["s7"] == "Green"


def test_names_typed_resolve_and_unmatched_ones_do_not(orgs):
    index = OrganisationIndex.build(orgs)
    halton = orgs.set_index("org_code", drop=False).loc[HALTON].to_dict()
    variants = name_variants(halton, index)
    assert "Halton B.C." in variants["bc"]
    assert all(index.resolve_name(v) == HALTON for vs in variants.values() for v in vs)
    names = unmatched_names(np.random.default_rng(3), 6, orgs.head(30), index)
    assert len(names) == 6 and all(index.resolve(None, n)[0] is None for n in names)


def test_times_in_fieldwork():
    rng = np.random.default_rng(5)
    times = timestamps(rng, 2020, np.array([False] * 50 + [True] * 50))
    assert times.min() >= np.datetime64("2020-10-15") and times.max() < np.datetime64("2020-12-16")
    assert (times[50:] >= np.datetime64("2020-12-01")).all()
    text = format_times(times[:2], np.array([True, False]))
    assert "T" in text[0] and "/" in text[1]


def test_comments_and_plants(model):
    rng = np.random.default_rng(7)
    latent = np.tile(model.national_in(2020), (300, 1))
    best, improve = comments(rng, latent, model)
    assert 0.2 < np.mean(best != "") < 0.4
    codes = np.array([HALTON] * 10 + ["E08000011"] * 290, dtype=object)
    region = np.array(["North West"] * 300, dtype=object)
    plants = plant(rng, best, improve, codes, region, np.ones(300, dtype=bool), 1, {"E08000011": "North West"})
    planted = {text for _, _, text in plants}
    assert planted == set(PLANTED_SENSITIVE)
    assert {text for row, _, text in plants if codes[row] == HALTON} == set(HALTON_PLANTED)
    assert all(codes[row] != "E08000011" for row, _, text in plants if text == "Knowsley Council")
    assert set(PLANTED_KIND) == set(PLANTED_SENSITIVE)
    assert curly('a "b" - it\'s') == "a \u201cb\u201d \u2013 it\u2019s"
