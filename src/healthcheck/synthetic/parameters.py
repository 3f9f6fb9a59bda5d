"""The numbers a sample year is drawn from: sizes, latent means by area, Halton's figures, the mess.

The per-area numbers are data for the 13 areas of ``data/reference/areas.csv``; :class:`AreaModel`
lines them up with a project's own areas table, so that an area the generator has no numbers
for (a survey with another area) gets the defaults below rather than an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# --- the shape of a year -------------------------------------------------------------------

BASE_YEAR = 2020  # later years evolve from this year's organisations
FULL_COUNCILS = 133  # councils in a full-size year, Halton included
TARGET_VALID = 8_650  # intended valid responses in a full-size year (raw rows about 9,000)

HALTON = "E06000006"
HALTON_N = 22  # valid responses in the Halton committee paper (2020), kept in every year
HALTON_HEADCOUNT = 55  # its social workers, as in the paper

# --- latent means by area ------------------------------------------------------------------

#: National latent means (0-100) in 2020.
NATIONAL = {
    "s1": 74.0, "s2": 70.0, "s3": 70.0, "s4": 74.0, "s5": 79.0, "s6": 67.0, "s7": 81.0, "s8": 77.0,
    "covid": 77.0, "contribution": 78.0, "tensions": 40.0, "satisfaction": 70.0, "stay": 72.0,
}  # fmt: skip
#: National latent mean of an area not listed above (and Halton's in it).
DEFAULT_NATIONAL = 70.0
#: National drift per year (points), added to every organisation's latent means.
TRENDS = {
    2021: {"s4": -2.0, "s3": -1.0, "tensions": -1.0, "covid": 1.0},
    2022: {"s2": -1.5, "s3": -1.0, "s4": -0.5, "covid": -1.0},
}
#: Halton's latent means, chosen to give the committee paper's ratings.
HALTON_LATENT = {
    "s1": 81.0, "s2": 80.0, "s3": 80.0, "s4": 82.0, "s5": 85.0, "s6": 65.0, "s7": 86.0, "s8": 83.0,
    "covid": 84.0, "contribution": 83.0, "tensions": 38.0, "satisfaction": 66.0, "stay": 80.0,
}  # fmt: skip
#: Halton's ratings in the base year (every standard not listed is Green).
HALTON_RATINGS = {
    **{f"s{i}": "Green" for i in range(1, 9)},
    "s6": "Amber",
    "tensions": "Red",
    "satisfaction": "Amber",
}

#: How strongly an organisation's general quality moves each area (tensions only a little); others 1.
ORG_LOAD = {"covid": 0.8, "contribution": 0.6, "tensions": 0.4}
#: How strongly a respondent's general factor moves each area; others 1.
RESPONDENT_LOAD = {"tensions": 0.5}
#: Respondent level: general factor and area-specific noise (points), and the stay model's noise.
SIGMA_F, SIGMA_E, SIGMA_STAY = 8.0, 8.0, 5.0
#: The area of the wish to stay, which is built from the others below.
STAY = "stay"
#: An organisation's stay mean moves with its deviations in these areas.
ORG_STAY_WEIGHTS = {"s5": 0.5, "s4": 0.4}
#: A respondent's wish to stay moves with their supervision (s5) and wellbeing (s4) most of all.
STAY_WEIGHTS = {"s5": 0.8, "s4": 0.5, "s3": 0.10, "s6": 0.05}
#: Areas the weakest organisations are Red in, and the one they are Amber in.
WEAK_RED = ("s2", "s3", "s4", "s6")
WEAK_AMBER = "satisfaction"

# --- items ---------------------------------------------------------------------------------

#: Items people more often answer Don't know / Not applicable.
ITEM_MISSING = {"s7_2": 1.5, "s2_3": 1.3} | {f"covid_{i}": 1.8 for i in (1, 2, 3)} | {f"s8_{i}": 1.6 for i in (1, 2, 3)}
#: Revised questions (by wording, as in a year's ``params/<year>/codebook.csv``) that people answer
#: differently from the question they replace: points added to the area's latent mean for that
#: item alone. The 2022 revision of s4_3 asks about working well in the office *and* remotely,
#: which fewer agree with, so its area's published score moves for a reason that is not a change
#: in the employer: the reason trends compare areas on shared questions only (docs/trends.md).
REVISED_ITEM_SHIFT = {
    "I have the technology and equipment I need to work well both in the office and remotely": -6.0,
}

# --- respondents and the mess --------------------------------------------------------------

#: Share of respondents in each role (reference.survey_export.ROLES order).
ROLE_P = [0.60, 0.20, 0.12, 0.02, 0.06]
#: Share of respondents in each service (Adults, Children, Both).
SERVICE_P = [0.42, 0.50, 0.08]

#: Rates of the mess, per intended valid response unless stated.
RATES = {
    "incomplete": 0.032,  # completed = No with under half answered (excluded)
    "incomplete_kept": 0.006,  # completed = No with more than half answered (kept)
    "exact_duplicate": 0.005,  # the same row exported twice
    "repeat": 0.008,  # the same person submitting twice
    "test": 0.0012,
    "blank": 0.001,
    "unresolved": 0.0015,  # blank code and a name that matches nothing
    "out_of_range": 0.0015,  # cells holding 0, 6 or 9
    "padded_answer": 0.004,  # per answer-label cell: stray whitespace
    "numeric_orgs": 0.02,  # per organisation: answers exported as 1-5
    "code_lower": 0.05,  # per row
    "code_blank": 0.10,  # per row
    "iso_date": 0.12,  # per row
    "dont_know": 0.05,  # mean per cell, Don't know or Not applicable
    "blank_cell": 0.012,  # per cell, question skipped
    "comment": 0.30,  # per respondent and comment column
}


@dataclass(frozen=True)
class AreaModel:
    """The per-area numbers lined up with a project's areas (report order), defaults filled in."""

    areas: list[str]
    national: np.ndarray  # 2020 national latent means
    halton: np.ndarray  # Halton's latent means
    org_load: np.ndarray
    respondent_load: np.ndarray

    @classmethod
    def for_areas(cls, areas: Sequence[str]) -> AreaModel:
        areas = list(areas)
        return cls(
            areas=areas,
            national=np.array([NATIONAL.get(a, DEFAULT_NATIONAL) for a in areas]),
            halton=np.array([HALTON_LATENT.get(a, NATIONAL.get(a, DEFAULT_NATIONAL)) for a in areas]),
            org_load=np.array([ORG_LOAD.get(a, 1.0) for a in areas]),
            respondent_load=np.array([RESPONDENT_LOAD.get(a, 1.0) for a in areas]),
        )

    def __len__(self) -> int:
        return len(self.areas)

    def position(self, area: str) -> int | None:
        """The area's column in the latent arrays, or None when the project has no such area."""
        return self.areas.index(area) if area in self.areas else None

    def trend(self, year: int) -> np.ndarray:
        """The national drift of one year, per area (0 where none)."""
        return np.array([TRENDS.get(year, {}).get(a, 0.0) for a in self.areas])

    def national_in(self, year: int) -> np.ndarray:
        """National latent means of a year: 2020's plus every trend up to it."""
        means = self.national.copy()
        for y, trend in TRENDS.items():
            if BASE_YEAR < y <= year:
                means += np.array([trend.get(a, 0.0) for a in self.areas])
        return means

    def latent_columns(self) -> list[str]:
        """The truth table's columns of latent means, one per area."""
        return [f"latent_{a}" for a in self.areas]
