"""The one rounding rule: the number printed and the rating given agree at every band edge."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.params import load_scoring_params
from healthcheck.publish.display import format_cell
from healthcheck.reference.areas import load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import OrganisationIndex, load_organisations
from healthcheck.scoring import score as sc
from healthcheck.text.numbers import fmt_percent, fmt_rho, fmt_score, format_number, round_half_up, whole_number
from healthcheck.views.council import build_view, rating_table

REPO = Project(REPO_ROOT)
PARAMS = load_scoring_params(REPO)


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (2.5, 3), (0.5, 1), (1.5, 2), (62.5, 63), (12.5, 13), (2.4999, 2), (74.5, 75), (0, 0), (99.5, 100),
        (100 * 5 / 8, 63), (-2.5, -3), (-0.4, 0), (50.49999999999999, 51), (74.49999999999999, 75),
        (50.50000000000001, 51), (50.4999, 50),
    ],
)  # fmt: skip
def test_half_away_from_zero(x, expected):
    assert round_half_up(x) == expected
    assert whole_number(x) == expected


def test_differs_from_bankers_rounding():
    assert round(62.5) == 62 and round_half_up(62.5) == 63


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (74.25, 1, 74.3),
        (1.005, 2, 1.01),
        (0.125, 2, 0.13),
        (0.285, 2, 0.29),
        (11.349999999999998, 1, 11.4),
        (-1.25, 1, -1.3),
    ],
)
def test_places(x, digits, expected):
    assert round_half_up(x, digits) == expected


def test_arrays_round_as_scalars_do():
    values = [50.49999999999999, 74.5, 12.25, np.nan, -2.5]
    arr = round_half_up(np.array(values))
    assert list(arr[[0, 1, 2, 4]]) == [51.0, 75.0, 12.0, -3.0] and math.isnan(arr[3])
    series = pd.Series([50.49999999999999, None], dtype="Float64")
    out = round_half_up(series)
    assert out[0] == 51.0 and math.isnan(out[1])
    assert [round_half_up(v) for v in values[:3]] == list(arr[:3])


def test_missing_stays_missing():
    assert math.isnan(round_half_up(None)) and math.isnan(round_half_up(pd.NA)) and math.isnan(round_half_up(math.nan))
    assert whole_number(None) is None
    assert fmt_score(None) == "" and fmt_rho(pd.NA) == "" and fmt_percent(math.nan) == ""


def test_formats():
    assert fmt_score(50.49999999999999) == "51"
    assert fmt_rho(0.125) == "0.13"
    assert fmt_percent(11.25, 1) == "11.3%"
    assert format_number(8414.0) == "8,414"
    assert format_number(-0.2) == "0"  # no '-0'


def _noisy(x: float, steps: int = 4) -> list[float]:
    """``x`` and the floats a few ulps either side of it, plus a little more noise."""
    out = {x, x + 1e-12, x - 1e-12, x + 1e-10, x - 1e-10}
    lo = hi = x
    for _ in range(steps):
        lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
        out |= {float(lo), float(hi)}
    return sorted(out)


def _band_of(whole: int) -> str:
    return next(b.rating for b in sorted(PARAMS.bands, key=lambda b: -b.min) if whole >= b.min)


EDGES = sorted({b.min for b in PARAMS.bands if b.min > 0} | {b.min - 0.5 for b in PARAMS.bands if b.min > 0})


@pytest.mark.parametrize("edge", EDGES)
def test_printed_score_and_rating_agree_at_every_band_edge(edge):
    for value in _noisy(edge):
        rating = sc.rating(value, PARAMS)[0]
        printed = format_cell(value, ".0f")  # how every document prints a score
        assert printed == fmt_score(value)  # and how the sentences and charts do
        assert rating == _band_of(int(printed)), (value, printed, rating)
        # noise is not a difference: either side of the edge reads as the edge itself
        assert int(printed) == math.floor(edge + 0.5)


def test_twenty_organisations_at_exactly_50_5_print_51_amber():
    """The report a user saw: 20 organisations at 50.5 on a 3-item area over 50 respondents."""
    codebook = load_codebook(None, REPO)
    orgs = load_organisations(REPO)
    councils = orgs[orgs["org_type"] == "Unitary Authority"].head(20)
    frames = []
    for i, org in enumerate(councils.itertuples()):
        # 50 respondents answer s2's 3 items, 150 answers whose points (0, 25 ... 100) sum to
        # 7,575: 50.5 exactly. Each respondent's score is a float third (58.333...), so the
        # organisation's mean lands a hair either side of 50.5, as real data does.
        rng = np.random.default_rng(i)
        answers = rng.integers(1, 6, 150)
        while (gap := 453 - int(answers.sum())) != 0:  # codes 1-5 are points / 25 + 1: 7,575 / 25 + 150
            j = int(rng.integers(150))
            answers[j] = min(5, max(1, answers[j] + (1 if gap > 0 else -1)))
        block = pd.DataFrame(answers.reshape(50, 3), columns=["s2_1", "s2_2", "s2_3"])
        block = block.assign(org_code=org.org_code, org_name=org.name, org_type=org.org_type, region=org.region)
        frames.append(block)
    responses = pd.concat(frames, ignore_index=True)
    responses["response_id"] = [f"R{i:05d}" for i in range(len(responses))]
    for item in codebook["item"]:
        responses[item] = (
            responses[item].astype("Int8") if item in responses else pd.array([pd.NA] * len(responses), dtype="Int8")
        )
    tables = sc.score_all(responses, codebook, PARAMS, load_areas(REPO))

    own = tables["org_scores"][tables["org_scores"]["area"] == "s2"]
    assert np.allclose(own["score"], 50.5)
    below, above = (own["score"] < 50.5).sum(), (own["score"] > 50.5).sum()
    assert below and above, "the float means should carry noise both ways, or this test proves nothing"

    index = OrganisationIndex.build(orgs)
    areas = load_areas(REPO)
    for code in councils["org_code"]:
        view = build_view(tables, org=index.lookup(code), year=2022, params=PARAMS, areas=areas, codebook=codebook)
        table = rating_table(view)
        row = table[table["Area"].str.startswith("2. ")].iloc[0]
        printed = format_cell(float(row[f"{view.name} score"]), ".0f")
        assert (printed, row[f"{view.name} rating"]) == ("51", "Amber (monitor)")
