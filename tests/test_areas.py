"""The areas table is the one source of the areas' lists, order and counts."""

from __future__ import annotations

import pandas as pd

from healthcheck.config import REPO_ROOT, Project
from healthcheck.reference.areas import (
    area_codes,
    area_order,
    areas_phrase,
    load_areas,
    other_codes,
    standard_codes,
    standards_phrase,
)  # fmt: skip

AREAS = load_areas(Project(REPO_ROOT))


def test_the_thirteen_areas_of_the_reference_file():
    assert area_codes(AREAS)[:3] == ["s1", "s2", "s3"] and area_codes(AREAS)[-1] == "stay"
    assert standard_codes(AREAS) == [f"s{i}" for i in range(1, 9)]
    assert other_codes(AREAS) == ["covid", "contribution", "tensions", "satisfaction", "stay"]
    assert areas_phrase(AREAS) == "8 standards and 5 other areas"
    assert areas_phrase(AREAS, words=True) == "eight standards and five other areas"
    assert standards_phrase(AREAS) == "the eight standards"
    assert area_order(AREAS)["covid"] == 8


def test_a_fourteenth_area_needs_only_the_table():
    extra = pd.DataFrame(
        [
            {
                "area": "digital",
                "kind": "other",
                "number": pd.NA,
                "title": "Digital tools",
                "short_title": "Digital",
                "order": 14,
            }
        ]
    )
    areas = pd.concat([AREAS, extra], ignore_index=True).sample(frac=1, random_state=1)  # any row order
    assert area_codes(areas)[-1] == "digital" and len(area_codes(areas)) == 14
    assert areas_phrase(areas) == "8 standards and 6 other areas"
    one = areas[areas["area"].isin(["s1", "stay"])]
    assert areas_phrase(one, words=True) == "one standard and one other area"
