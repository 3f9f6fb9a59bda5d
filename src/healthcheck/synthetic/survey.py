"""Realistic, seeded sample exports of the worker survey, with the mess real exports have.

One call to :func:`generate` builds a year's raw export (every cell a string, columns in the
order of docs/data-contracts.md), the headcounts and the *truth*: how many valid responses each
organisation should keep after cleaning and the latent area means the answers were drawn from.
:func:`write_sample` writes the export as Windows-1252 bytes to ``data/raw/<year>/`` and the
headcounts to ``params/<year>/``.

How a year is made
------------------
* Organisations: Halton plus councils drawn from the reference list, and the non-council
  employers. Later years evolve from 2020: a few councils leave and join, latent means drift.
* Questions: each year's codebook (``load_codebook``), so the committed 2022 revision
  (``params/2022/codebook.csv``: s4_3 reworded) gives a 2022 export with one changed question,
  answered a little lower (:data:`_REVISED_ITEM_SHIFT`). Without that file every year is the same.
* Respondents: a respondent-level general factor plus area-specific noise around their
  organisation's latent means; each item is ``1 + Binomial(4, p)`` with ``p = latent / 100``, so
  the expected score (0/25/50/75/100 points) equals the latent mean. Desire to stay is built
  from the respondent's supervision (s5) and wellbeing (s4) most of all, so driver analysis
  finds them.
* Mess, at seeded rates recorded in :attr:`SampleData.mess` and row by row in
  :attr:`SampleData.rows`: names typed many ways, lower-case and blank codes, both kinds of
  duplicate, incomplete and test responses, blank rows, stray whitespace, numeric answers,
  out-of-range values, curly quotes and planted sensitive strings (:data:`PLANTED_SENSITIVE`).

Random numbers: each year ``y`` has its own ``numpy.random.default_rng(seed + y)``, split into
one stream for the organisations and one for the respondents. A later year replays the
organisations' evolution from 2020 (cheap: no respondents), so a year's output never depends
on which other years are generated.

Rows cleaning should drop follow its rules (docs/data-contracts.md, ``healthcheck.ingest.survey``): of
two identical rows or two submissions by one person, the latest is kept; incomplete responses
are kept when at least half the items are answered; unresolvable names have a blank code.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck.config import SAMPLE_YEARS, Project
from healthcheck.errors import ParameterError
from healthcheck.files import atomic_write_bytes
from healthcheck.reference.organisations import OrganisationIndex
from healthcheck.reference.codebook import ANSWER_LABELS, MISSING_LABELS, load_codebook
from healthcheck.reference.areas import AREAS
from healthcheck.reference.organisations import NON_COUNCIL, is_council, load_organisations

# --- the shape of a year -------------------------------------------------------------------

BASE_YEAR = 2020  # later years evolve from this year's organisations
FULL_COUNCILS = 133  # councils in a full-size year, Halton included
TARGET_VALID = 8_650  # intended valid responses in a full-size year (raw rows about 9,000)

HALTON = "E06000006"
HALTON_N = 22  # valid responses in the Halton committee paper (2020), kept in every year
HALTON_HEADCOUNT = 55  # its social workers, as in the paper

META_COLUMNS = ["response_id", "submitted", "org_code", "org_name", "service", "role", "completed"]
COMMENT_COLUMNS = ["comment_best", "comment_improve"]

#: National latent means (0-100) in 2020.
NATIONAL = {
    "s1": 74.0, "s2": 70.0, "s3": 70.0, "s4": 74.0, "s5": 79.0, "s6": 67.0, "s7": 81.0, "s8": 77.0,
    "covid": 77.0, "contribution": 78.0, "tensions": 40.0, "satisfaction": 70.0, "stay": 72.0,
}  # fmt: skip
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

# How strongly an organisation's general quality moves each area (tensions only a little).
_ORG_LOAD = {a: 1.0 for a in AREAS} | {"covid": 0.8, "contribution": 0.6, "tensions": 0.4}
# Respondent level: general factor and area-specific noise (points), and the stay model.
_SIGMA_F, _SIGMA_E, _SIGMA_STAY = 8.0, 8.0, 5.0
_STAY_WEIGHTS = {"s5": 0.8, "s4": 0.5, "s3": 0.10, "s6": 0.05}
# Items people more often answer Don't know / Not applicable.
_ITEM_MISSING = {"s7_2": 1.5, "s2_3": 1.3} | {f"covid_{i}": 1.8 for i in (1, 2, 3)}
_ITEM_MISSING |= {f"s8_{i}": 1.6 for i in (1, 2, 3)}
#: Revised questions (by wording, as in a year's ``params/<year>/codebook.csv``) that people answer
#: differently from the question they replace: points added to the area's latent mean for that
#: item alone. The 2022 revision of s4_3 asks about working well in the office *and* remotely,
#: which fewer agree with, so its area's published score moves for a reason that is not a change
#: in the employer: the reason trends compare areas on shared questions only (docs/trends.md).
_REVISED_ITEM_SHIFT = {
    "I have the technology and equipment I need to work well both in the office and remotely": -6.0,
}

SERVICES = ["Adults", "Children", "Both"]
ROLES = ["Social worker", "Senior practitioner", "Team manager", "Principal social worker", "Other"]
_ROLE_P = [0.60, 0.20, 0.12, 0.02, 0.06]

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
# How organisation names get typed: kind -> probability.
_NAME_KINDS = {
    "official": 0.45, "short": 0.22, "alias": 0.08, "lower": 0.05, "upper": 0.04,
    "bc": 0.03, "spaces": 0.08, "ampersand": 0.05,
}  # fmt: skip
_UNMATCHED_NAMES = [
    "Social Services Dept", "Children's Services", "Adult Social Care", "Local Authority", "the council",
]  # fmt: skip

# --- free text -----------------------------------------------------------------------------

_PLANTED = {
    "email": ["jane.doe@example.gov.uk", "p.kaur@example.org.uk"],
    "phone": ["0151 907 8306", "07700 900123", "020 7946 0958"],
    "postcode": ["WA8 7QF", "M15 4FN", "LS2 8JS"],
    "name": ["Mrs Patel", "Dr Okafor", "Mr J Smith", "Ms Kowalski"],
    "organisation": [
        "Warrington Borough Council",
        "Knowsley Council",
        "Liverpool City Council",
        "Kent County Council",
        "Leeds City Council",
    ],
}
#: Every sensitive string planted in the free text; redaction and leak tests must catch them.
PLANTED_SENSITIVE: list[str] = [s for strings in _PLANTED.values() for s in strings]
_PLANTED_KIND = {s: kind for kind, strings in _PLANTED.items() for s in strings}
_MENTIONED_ORG = {
    "Warrington Borough Council": "E06000007",
    "Knowsley Council": "E08000011",
    "Liverpool City Council": "E08000012",
    "Kent County Council": "E10000016",
    "Leeds City Council": "E08000035",
}
# Planted in Halton's own comments every year.
_HALTON_PLANTED = [
    "Mrs Patel",
    "0151 907 8306",
    "WA8 7QF",
    "jane.doe@example.gov.uk",
    "Warrington Borough Council",
    "Knowsley Council",
]
_PLANT_TEMPLATES = {
    "email": ["Happy to say more - email me at {x}.", "If anyone wants to follow this up my email is {x}."],
    "phone": ["Ring me on {x} if you want the details.", "My direct line is {x} if someone wants to talk it through."],
    "postcode": [
        "The office at {x} has no parking and the heating rarely works.",
        "Since the team moved to the building at {x} home visits take much longer.",
    ],
    "name": [
        "{x} is an excellent manager and always makes time for supervision.",
        "Since {x} left nobody reviews my caseload.",
        "{x} on the duty desk deserves recognition for holding everything together.",
    ],
    "organisation": [
        "Colleagues keep leaving for {x} because they pay more.",
        "Joint work with {x} on hospital discharges is a constant battle.",
        "{x} offers a better market supplement and we cannot compete.",
    ],
}

# Topic of a comment -> the area it speaks to; 'best' picks the respondent's strongest area.
_BEST = {
    "s1": [
        "Leaders are visible and genuinely interested in what practitioners think.",
        "There is a clear practice model and everyone knows what good looks like.",
        "The principal social worker keeps practice at the centre of decisions.",
        "Our director comes to team meetings and actually listens.",
        "Practice is valued here - it isn't just about performance figures.",
    ],
    "s2": [
        "The team is finally fully staffed and it makes a huge difference.",
        "We have a stable permanent team and very little reliance on agency staff.",
        "The recruitment campaign has brought in some great new colleagues.",
        "Newly qualified workers get a protected caseload in their first year.",
    ],
    "s3": [
        "Caseloads are manageable and my manager checks in before allocating new work.",
        "Allocation takes account of complexity, not just numbers.",
        "My caseload is reviewed every month and I can say when I'm at capacity.",
        "I can usually finish my recording within my hours.",
    ],
    "s4": [
        "Hybrid working has given me a much better work-life balance.",
        "My manager genuinely cares about my wellbeing - I feel supported.",
        "The flexible working policy means I can manage my caring responsibilities.",
        "The new laptops and phones have made working from home much easier.",
        "We have a wellbeing day each year and managers encourage us to take it.",
    ],
    "s5": [
        "Supervision is regular, reflective and protected.",
        "My supervisor is skilled and gives me space to think about my practice.",
        "Group supervision has been really valuable for sharing learning.",
        "I get supervision every four weeks and it is never cancelled.",
        'My manager is approachable and always available for a "quick chat" about a case.',
    ],
    "s6": [
        "There are plenty of training opportunities and I was supported to do my post-qualifying award.",
        "The practice development sessions are excellent.",
        "I was given time off to complete my best interests assessor training.",
        "The ASYE programme is well organised and the learning sets are brilliant.",
    ],
    "s7": [
        "I get time and support to record my CPD for registration.",
        "Reminders and guidance about registration renewal are really helpful.",
    ],
    "s8": [
        "We work well with health colleagues and the university partnership is strong.",
        "Students and newly qualified workers are really well supported here.",
        "The teaching partnership gives us good links with the local university.",
    ],
    "covid": [
        "The way the organisation handled the pandemic was excellent - we had laptops within days.",
        "During lockdown my manager phoned every week just to see how I was.",
    ],
    "contribution": [
        "I am proud of the work my team does with families.",
        "I feel I make a real difference here.",
        "The people I work with are committed and kind.",
    ],
}
_IMPROVE = {
    "s1": [
        "Senior leaders need to listen to front-line staff rather than just consulting.",
        "Decisions are made without asking the people who do the work.",
        "Too many restructures - we never settle before the next one.",
        "Leaders talk about practice but everything is driven by targets.",
    ],
    "s2": [
        "We rely far too much on agency staff and the turnover is exhausting.",
        "Vacancies take months to fill and the rest of us pick up the work.",
        "Recruitment and retention need urgent attention - we lose good people every month.",
        "Agency colleagues are paid far more for the same job, which causes resentment.",
    ],
    "s3": [
        "Caseloads are far too high to practise safely.",
        "I regularly work evenings to keep up with recording.",
        "Cases are allocated without thinking about complexity.",
        "Duty weeks are relentless and there's no time to catch up afterwards.",
        "The recording system takes far longer than the visits themselves.",
    ],
    "s4": [
        "More admin support would free up time for direct work.",
        "The IT systems are slow and the laptops keep crashing.",
        "Hybrid working is fine but the office has no desks when we do go in.",
        "Wellbeing initiatives feel like a tick-box exercise.",
        "Nobody asks how we are after a difficult visit.",
        "Lone working arrangements need reviewing - I don't always feel safe.",
    ],
    "s5": [
        "Supervision is often cancelled or turns into case management only.",
        "I would like reflective supervision rather than a list of actions.",
        "Supervision has not happened for months.",
        "Managers are so stretched that supervision is squeezed into half an hour.",
    ],
    "s6": [
        "There is no protected time for CPD so training always comes second.",
        "Career progression is unclear - the only way up is into management.",
        "Training budgets have been cut and courses are always full.",
        "I'd like a proper progression route for experienced practitioners.",
    ],
    "s7": [
        "We need more support to keep our registration up to date.",
        "Nobody explains what happens if a fitness to practise concern is raised.",
    ],
    "s8": [
        "Working with health partners is difficult and information sharing is poor.",
        'The "front door" arrangements with partners need sorting out.',
        "Students are placed with us without any reduction in caseload.",
    ],
    "covid": [
        "We still do not have the equipment we were promised during the pandemic.",
        "Working from home during lockdown was isolating and nobody checked in.",
    ],
    "contribution": [
        "Staff feel undervalued and it shows in morale.",
        "Good work is never recognised, only mistakes.",
    ],
}
_EXTRA_SENTENCES = [
    "Thank you for asking.",
    "I hope this survey leads to real change.",
    "It's a good place to work overall.",
    "Pay does not reflect the responsibility we carry.",
    "The team is what keeps me here.",
    "Things have got better over the last year.",
    "Morale is low at the moment.",
    "We were told the same thing last year and nothing changed.",
    "I'd recommend the team, if not the organisation.",
    "Parking near the office is a daily struggle.",
]
_TEST_TEXTS = ["test", "TEST - please ignore", "testing"]


# --- public result -------------------------------------------------------------------------


@dataclass
class SampleData:
    """One year's sample export and what cleaning and scoring should find in it."""

    year: int
    raw: pd.DataFrame  # the export exactly as written (all strings), columns in contract order
    headcounts: pd.DataFrame  # org_code, headcount
    truth: pd.DataFrame  # per organisation: org_code, n_intended, latent_<area> ...
    #: Counts of each kind of mess in ``raw`` (also in ``truth.attrs['mess']``).
    mess: dict[str, int] = field(default_factory=dict)
    #: One row per raw row: row (spreadsheet row, header = 1), response_id, org_code (true
    #: organisation; '' for blank rows and tests named 'test'), kind, duplicate_of, keep.
    #: kind is valid, incomplete_kept, incomplete, test, unresolved, blank, or for the row
    #: cleaning drops from a pair (it keeps the latest): exact_duplicate (the first of two
    #: identical rows) or repeat (an earlier submission, superseded by ``duplicate_of``).
    rows: pd.DataFrame | None = None
    #: Where each sensitive string was planted: response_id, org_code, column, kind, text.
    planted: pd.DataFrame | None = None
    #: The organisation names typed in rows with a blank code that match nothing.
    unresolved_names: list[str] = field(default_factory=list)

    @property
    def n_valid(self) -> int:
        return int(self.truth["n_intended"].sum())


# --- organisations -------------------------------------------------------------------------


def _latent_cols() -> list[str]:
    return [f"latent_{a}" for a in AREAS]


def _national(year: int) -> np.ndarray:
    """National latent means of a year: 2020's plus every trend up to it."""
    means = np.array([NATIONAL[a] for a in AREAS])
    for y, trend in TRENDS.items():
        if BASE_YEAR < y <= year:
            means += np.array([trend.get(a, 0.0) for a in AREAS])
    return means


def _draw_sizes(rng: np.random.Generator, org_type: pd.Series) -> np.ndarray:
    """Intended valid responses by type: large counties 150-250, small unitaries 15-40."""
    n = len(org_type)
    draws = {  # every kind drawn for every org, so the stream does not depend on the mix
        "Shire County": (150 + 100 * rng.beta(1.6, 2.2, n), 150, 250),
        "Metropolitan District": (rng.lognormal(np.log(55), 0.35, n), 30, 120),
        "London Borough": (rng.lognormal(np.log(42), 0.30, n), 25, 85),
        "Unitary Authority": (rng.lognormal(np.log(29), 0.35, n), 15, 70),
        NON_COUNCIL: (rng.lognormal(np.log(33), 0.50, n), 15, 150),
    }
    size = np.full(n, 30.0)
    for kind, (values, low, high) in draws.items():
        mask = (org_type == kind).to_numpy()
        size[mask] = np.clip(values[mask], low, high)
    return size


def _org_latent(rng: np.random.Generator, n: int, year: int) -> np.ndarray:
    """Latent area means of n typical organisations (n x areas)."""
    load = np.array([_ORG_LOAD[a] for a in AREAS])
    general = rng.normal(0, 3.5, n)
    own = rng.normal(0, 2.5, (n, len(AREAS)))
    latent = _national(year) + general[:, None] * load + own
    dev = latent - _national(year)
    stay = AREAS.index("stay")
    latent[:, stay] = (
        _national(year)[stay]
        + 0.5 * dev[:, AREAS.index("s5")]
        + 0.4 * dev[:, AREAS.index("s4")]
        + rng.normal(0, 1.5, n)
    )
    return latent


def _base_panel(
    orgs: pd.DataFrame, rng: np.random.Generator, year: int, n_orgs: int | None, scale: float
) -> pd.DataFrame:
    """The organisations of the base year with their sizes, headcounts and latent means."""
    council = is_council(orgs)
    councils, extra = orgs[council], orgs[~council]
    if HALTON not in set(councils["org_code"]):
        raise ParameterError(f"the sample needs Halton ({HALTON}) in data/reference/organisations.csv")
    full = n_orgs is None
    if full:
        n_councils, n_extra = min(FULL_COUNCILS, len(councils)), len(extra)
    else:
        if not 1 <= n_orgs <= len(orgs):
            raise ParameterError(f"n_orgs must be between 1 and {len(orgs)}, got {n_orgs}")
        n_extra = min(len(extra), round(n_orgs * len(extra) / (FULL_COUNCILS + len(extra))))
        n_councils = n_orgs - n_extra
        if n_councils > len(councils):
            n_councils, n_extra = len(councils), n_orgs - len(councils)
    others = councils[councils["org_code"] != HALTON]
    pick = np.sort(rng.choice(len(others), size=n_councils - 1, replace=False))
    pick_extra = np.sort(rng.choice(len(extra), size=n_extra, replace=False))
    panel = pd.concat(
        [councils[councils["org_code"] == HALTON], others.iloc[pick], extra.iloc[pick_extra]], ignore_index=True
    )
    n = len(panel)
    size = _draw_sizes(rng, panel["org_type"])
    is_halton = (panel["org_code"] == HALTON).to_numpy()
    shire = (panel["org_type"] == "Shire County").to_numpy()
    profile = np.full(n, "typical", dtype=object)
    profile[is_halton] = "halton"
    # A handful below the reporting threshold so suppression is exercised.
    n_small = 5 if full else max(1, round(5 * n / 143))
    candidates = np.flatnonzero(~is_halton & ~shire)
    small = rng.choice(candidates, size=min(n_small, len(candidates)), replace=False)
    profile[small] = "small"
    size[small] = rng.integers(3, 9, len(small))
    size[is_halton] = HALTON_N
    # Pull the total near the national round's size by scaling the mid-sized organisations
    # only, so that counties stay 150-250 and the small ones stay small.
    flex = (profile == "typical") & ~shire
    target = TARGET_VALID * n / (FULL_COUNCILS + 10)
    if flex.any():
        factor = np.clip((target - size[~flex].sum()) / size[flex].sum(), 0.8, 1.25)
        size[flex] *= factor
    scaled = profile == "typical"
    size[scaled] = np.maximum(3, np.round(size[scaled] * scale))
    # Some clearly all-green organisations and some with several reds.
    n_special = 3 if full else (1 if n >= 5 else 0)
    candidates = np.flatnonzero((profile == "typical") & (size >= 20))
    if len(candidates) < 2 * n_special:
        candidates = np.flatnonzero(profile == "typical")
    special = rng.choice(candidates, size=min(2 * n_special, len(candidates)), replace=False)
    profile[special[:n_special]] = "strong"
    profile[special[n_special:]] = "weak"

    latent = _org_latent(rng, n, year)
    strong = profile == "strong"
    # an exemplar is green on every area, tensions included, so reports show an all-green council
    latent[strong] = np.maximum(latent[strong], 84 + rng.normal(0, 1.5, (strong.sum(), len(AREAS))))
    weak = profile == "weak"
    latent[weak] -= 8
    for area in ("s2", "s3", "s4", "s6"):
        latent[weak, AREAS.index(area)] = 44 + rng.normal(0, 2, weak.sum())
    latent[weak, AREAS.index("satisfaction")] = 52 + rng.normal(0, 2, weak.sum())
    latent[is_halton] = [HALTON_LATENT[a] for a in AREAS]

    rate = rng.uniform(0.27, 0.73, n)
    rate[is_halton] = HALTON_N / HALTON_HEADCOUNT
    size[is_halton] = HALTON_N
    panel["profile"] = profile
    panel["base_size"] = size.astype(int)
    panel["n_intended"] = size.astype(int)
    panel["rate"] = rate
    panel[_latent_cols()] = np.round(latent, 2)
    return panel


def _evolve(
    panel: pd.DataFrame, orgs: pd.DataFrame, rng: np.random.Generator, year: int, full: bool, scale: float
) -> pd.DataFrame:
    """Next year's organisations: a few councils leave and join, means drift, sizes vary."""
    council = is_council(panel).to_numpy()
    n_councils = int(council.sum())
    leavers_pool = np.flatnonzero(council & (panel["org_code"] != HALTON).to_numpy())
    pool = orgs[is_council(orgs) & ~orgs["org_code"].isin(panel["org_code"])]
    if full:
        n_leave, n_join = (int(k) for k in rng.integers(3, 5, 2))
    else:
        n_leave = n_join = max(1, round(n_councils * 0.025)) if n_councils > 2 else 0
    n_leave = min(n_leave, len(leavers_pool))
    n_join = min(n_join, len(pool))
    leave = rng.choice(leavers_pool, size=n_leave, replace=False)
    stay = panel.drop(index=panel.index[leave]).reset_index(drop=True)
    join = pool.iloc[np.sort(rng.choice(len(pool), size=n_join, replace=False))].reset_index(drop=True)

    latent = stay[_latent_cols()].to_numpy(dtype=float)
    trend = np.array([TRENDS.get(year, {}).get(a, 0.0) for a in AREAS])
    latent = latent + rng.normal(0, 1.5, latent.shape) + trend
    stay[_latent_cols()] = np.round(latent, 2)
    size = np.round(stay["base_size"].to_numpy() * rng.uniform(0.8, 1.2, len(stay)))
    small = (stay["profile"] == "small").to_numpy()
    size[small] = np.minimum(size[small], 9)
    size[(stay["profile"] == "halton").to_numpy()] = HALTON_N  # the committee paper's figures, every year
    stay["n_intended"] = np.maximum(3, size).astype(int)
    stay["rate"] = np.clip(stay["rate"].to_numpy() + rng.normal(0, 0.03, len(stay)), 0.27, 0.73)

    join_size = np.maximum(3, np.round(_draw_sizes(rng, join["org_type"]) * scale)).astype(int)
    join["profile"] = "typical"
    join["base_size"] = join_size
    join["n_intended"] = join_size
    join["rate"] = rng.uniform(0.27, 0.73, len(join))
    join[_latent_cols()] = np.round(_org_latent(rng, len(join), year), 2)
    out = pd.concat([stay, join], ignore_index=True)
    return out


def _panel(
    orgs: pd.DataFrame, seed: int, year: int, n_orgs: int | None, scale: float
) -> tuple[pd.DataFrame, np.random.Generator]:
    """A year's organisations (sorted by code) and the respondent stream of that year."""
    panel: pd.DataFrame | None = None
    for y in [year] if year <= BASE_YEAR else range(BASE_YEAR, year + 1):
        org_rng, resp_rng = np.random.default_rng(seed + y).spawn(2)
        if panel is None:
            panel = _base_panel(orgs, org_rng, y, n_orgs, scale)
        else:
            panel = _evolve(panel, orgs, org_rng, y, n_orgs is None, scale)
    assert panel is not None
    headcount = np.ceil(panel["n_intended"].to_numpy() / panel["rate"].to_numpy()).astype(int)
    headcount[(panel["org_code"] == HALTON).to_numpy()] = HALTON_HEADCOUNT
    panel["headcount"] = headcount
    return panel.sort_values("org_code", ignore_index=True), resp_rng


# --- respondents ---------------------------------------------------------------------------


@dataclass
class _Items:
    """The codebook as arrays: item ids, area index of each item and reverse flags."""

    items: list[str]
    area: np.ndarray
    reverse: np.ndarray
    missing_weight: np.ndarray
    shift: np.ndarray | None = None  # points added to an item's latent mean (revised questions)

    @classmethod
    def from_codebook(cls, book: pd.DataFrame) -> _Items:
        items = book["item"].tolist()
        weight = np.array([_ITEM_MISSING.get(i, 1.0) for i in items])
        return cls(
            items=items,
            area=np.array([AREAS.index(a) for a in book["area"]]),
            reverse=book["reverse"].to_numpy(dtype=bool),
            missing_weight=weight / weight.mean(),
            shift=np.array([_REVISED_ITEM_SHIFT.get(w, 0.0) for w in book["wording"]]),
        )


# Answer codes in the generated matrix: 0 blank, 1-5 scale as asked, 6 Don't know, 7 N/A.
_DK, _NA = 6, 7


def _respondents(rng: np.random.Generator, means: np.ndarray, items: _Items) -> tuple[np.ndarray, np.ndarray]:
    """Answer codes (n x items, as asked) and respondent latent area scores (n x areas)."""
    n = len(means)
    load = np.array([0.5 if a == "tensions" else 1.0 for a in AREAS])
    general = rng.standard_normal(n)
    own = rng.standard_normal((n, len(AREAS)))
    dev = _SIGMA_F * general[:, None] * load + _SIGMA_E * own
    stay = AREAS.index("stay")
    dev[:, stay] = _SIGMA_STAY * own[:, stay]
    for area, weight in _STAY_WEIGHTS.items():
        dev[:, stay] += weight * dev[:, AREAS.index(area)]
    latent = means + dev
    p = np.clip(latent / 100, 0.02, 0.98)[:, items.area]
    if items.shift is not None and items.shift.any():  # only a revised question: other years stay as they were
        p = np.clip((latent[:, items.area] + items.shift) / 100, 0.02, 0.98)
    scored = 1 + rng.binomial(4, p)  # expected points = 25 * (scored - 1) = latent
    codes = np.where(items.reverse, 6 - scored, scored)
    # Don't know / Not applicable: a respondent's own rate times the item's propensity.
    rate = np.minimum(rng.beta(2, 2 / RATES["dont_know"] - 2, n), 0.3)
    missing = rng.random(codes.shape) < rate[:, None] * items.missing_weight
    dont_know = rng.random(codes.shape) < 0.55
    codes = np.where(missing, np.where(dont_know, _DK, _NA), codes)
    codes = np.where(rng.random(codes.shape) < RATES["blank_cell"], 0, codes)
    return codes.astype(np.int8), latent


def _org_ratings(codes: np.ndarray, items: _Items) -> dict[str, str]:
    """Ratings of one organisation's responses, scored as params/scoring.yaml describes."""
    valid = (codes >= 1) & (codes <= 5)
    points = np.where(items.reverse, 5 - codes, codes - 1) * 25.0
    out = {}
    for k, area in enumerate(AREAS):
        cols = items.area == k
        if not cols.any():
            continue
        answered = valid[:, cols].sum(axis=1)
        enough = answered >= 0.5 * cols.sum()
        person = np.where(valid[:, cols], points[:, cols], 0).sum(axis=1)[enough] / answered[enough]
        score = math.floor(person.mean() + 0.5) if len(person) else 0
        out[area] = "Green" if score >= 75 else "Amber" if score >= 51 else "Red"
    return out


# --- names ---------------------------------------------------------------------------------


def _name_variants(row: dict, index: OrganisationIndex) -> dict[str, list[str]]:
    """The ways people type one organisation's name, each checked to resolve to it."""
    official, name = row["official_name"], row["name"]
    aliases = [a.strip() for a in str(row["aliases"] or "").split(";") if a.strip()]
    bc = []
    endings = (("Metropolitan Borough Council", "M.B.C."), ("Borough Council", "B.C."), ("County Council", "C.C."))
    for ending, short in endings:
        if official.endswith(ending):
            bc.append(f"{name} {short}")
            break
    kinds = {
        "official": [official],
        "short": [name],
        "alias": aliases,
        "lower": [official.lower(), name.lower()],
        "upper": [name.upper(), official.upper()],
        "bc": bc,
        "spaces": [f" {official}", f"{official}  ", f" {name} ", name.replace(" ", "  ", 1) + " "],
        "ampersand": [official.replace(" and ", " & ")] if " and " in official else [],
    }
    code = row["org_code"]
    return {k: [v for v in vs if index.resolve_name(v) == code] or [official] for k, vs in kinds.items()}


def _typo(name: str, rng: np.random.Generator) -> str:
    """A name with one letter dropped or two swapped."""
    letters = [i for i in range(1, len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha()]
    i = int(rng.choice(letters))
    if rng.random() < 0.5:
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _unmatched_names(rng: np.random.Generator, count: int, panel: pd.DataFrame, index: OrganisationIndex) -> list[str]:
    """Names that match no organisation: generic department names and typos."""
    names: list[str] = []
    for k in range(count):
        if k % 2 == 0:
            names.append(_UNMATCHED_NAMES[0] if k == 0 else str(rng.choice(_UNMATCHED_NAMES)))
            continue
        for _ in range(50):
            org = panel.iloc[int(rng.integers(len(panel)))]
            base = org["official_name"] if rng.random() < 0.5 else org["name"]
            if sum(c.isalpha() for c in base) < 6:
                continue
            typo = _typo(base, rng)
            if index.resolve_name(typo) is None and not index.resolve(typo)[0]:
                names.append(typo)
                break
        else:
            names.append(str(rng.choice(_UNMATCHED_NAMES)))
    return names


# --- free text -----------------------------------------------------------------------------

_TOPICS = [a for a in AREAS if a in _BEST]


def _curly(text: str) -> str:
    """What a word processor makes of straight quotes and spaced hyphens."""
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
    return text.replace("'", "\u2019").replace(" - ", " \u2013 ")


def _comments(rng: np.random.Generator, latent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """comment_best and comment_improve about each respondent's strongest and weakest areas."""
    n = len(latent)
    topic_idx = [AREAS.index(t) for t in _TOPICS]
    rel = latent[:, topic_idx] - np.array([NATIONAL[t] for t in _TOPICS]) + rng.normal(0, 6, (n, len(_TOPICS)))
    best_topic = np.argmax(rel, axis=1)
    worst_topic = np.argmin(rel, axis=1)
    writer = rng.random(n) < 0.42
    has_best = writer & (rng.random(n) < RATES["comment"] / 0.42)
    has_improve = writer & (rng.random(n) < RATES["comment"] / 0.42)
    curly = rng.random(n) < 0.35
    extra = rng.random((n, 2)) < 0.35
    pick = rng.random((n, 4))
    best = np.full(n, "", dtype=object)
    improve = np.full(n, "", dtype=object)
    for i in np.flatnonzero(has_best | has_improve):
        for out, has, bank, topic, col in (
            (best, has_best, _BEST, best_topic, 0),
            (improve, has_improve, _IMPROVE, worst_topic, 1),
        ):
            if not has[i]:
                continue
            phrases = bank[_TOPICS[topic[i]]]
            text = phrases[int(pick[i, col] * len(phrases))]
            if extra[i, col]:
                text += " " + _EXTRA_SENTENCES[int(pick[i, col + 2] * len(_EXTRA_SENTENCES))]
            out[i] = _curly(text) if curly[i] else text
    return best, improve


def _plant(
    rng: np.random.Generator,
    best: np.ndarray,
    improve: np.ndarray,
    org_code: np.ndarray,
    region: np.ndarray,
    eligible: np.ndarray,
    copies: int,
    mention_region: dict[str, str],
) -> list[tuple[int, str, str]]:
    """Write the sensitive strings into comments; returns (row, column, string) per plant."""
    plants: list[tuple[int, str, str]] = []
    used = np.zeros(len(org_code), dtype=bool)

    def put(row: int, text: str) -> None:
        column = "comment_best" if rng.random() < 0.4 else "comment_improve"
        target = best if column == "comment_best" else improve
        templates = _PLANT_TEMPLATES[_PLANTED_KIND[text]]
        sentence = templates[int(rng.integers(len(templates)))].format(x=text)
        target[row] = f"{target[row]} {sentence}".strip()
        plants.append((row, column, text))
        used[row] = True

    halton_rows = np.flatnonzero(eligible & (org_code == HALTON))
    if len(halton_rows):
        hosts = rng.choice(halton_rows, size=min(4, len(halton_rows)), replace=False)
        for k, text in enumerate(_HALTON_PLANTED):
            put(int(hosts[k % len(hosts)]), text)
    for text in PLANTED_SENSITIVE:
        n_copies = copies if text not in _HALTON_PLANTED else max(0, copies - 1)
        if text not in _HALTON_PLANTED and not len(halton_rows):
            n_copies = max(n_copies, 1)
        for _ in range(n_copies):
            ok = eligible & (org_code != HALTON) & ~used
            mentioned = _MENTIONED_ORG.get(text)
            if mentioned:
                ok &= org_code != mentioned
                near = ok & (region == mention_region.get(mentioned, "?"))
                if near.any():
                    ok = near
            if not ok.any():
                ok = eligible & (org_code != mentioned)
            put(int(rng.choice(np.flatnonzero(ok))), text)
    return plants


# --- assembling the export -----------------------------------------------------------------


def _timestamps(rng: np.random.Generator, year: int, december: np.ndarray) -> np.ndarray:
    """Submission times: mid-October to mid-December, mostly in working hours."""
    n = len(december)
    start = np.datetime64(f"{year}-10-15", "s")
    days = rng.integers(0, 62, n)  # 15 October + 61 days = 15 December
    days = np.where(december, rng.integers(47, 62, n), days)  # 1-15 December
    office = rng.random(n) < 0.85
    hours = np.where(office, np.clip(rng.normal(13, 2.5, n), 7.5, 19), rng.uniform(19, 23.5, n))
    seconds = days * 86_400 + (hours * 3600).astype(np.int64)
    return start + seconds.astype("timedelta64[s]")


def _format_times(times: np.ndarray, iso: np.ndarray) -> np.ndarray:
    series = pd.Series(times)
    uk = series.dt.strftime("%d/%m/%Y %H:%M").to_numpy(dtype=object)
    iso_text = series.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
    return np.where(iso, iso_text, uk)


def _separate_lookalikes(cells: np.ndarray, tokens: np.ndarray, columns: list[np.ndarray], numeric: np.ndarray) -> int:
    """Change an answer of any row that reads the same as an earlier one, in place.

    'The same' as cleaning compares submissions: the given columns (organisation, service,
    role, comments) and the answer ``tokens`` (codes 1-5, 0 for blank, Don't know and Not
    applicable, 9 for out of range). Returns how many rows were changed.
    """
    changed = 0
    while True:
        frame = pd.DataFrame({"answers": [row.tobytes() for row in tokens]})
        for k, column in enumerate(columns):
            frame[f"c{k}"] = column
        twins = np.flatnonzero(frame.duplicated().to_numpy())
        if not len(twins):
            return changed
        for i in twins:  # fill in a missing answer (a drop-off answering one more), else change one
            missing = np.flatnonzero(tokens[i] == 0)
            j = int(missing[0]) if len(missing) else 0
            code = 4 if tokens[i, j] == 3 else 3
            tokens[i, j] = code
            cells[i, j] = str(code) if numeric[i] else ANSWER_LABELS[code - 1]
        changed += len(twins)


def raw_columns(codebook: pd.DataFrame) -> list[str]:
    """The export's columns in contract order."""
    return META_COLUMNS + codebook["item"].tolist() + COMMENT_COLUMNS


def _count(rng: np.random.Generator, rate: float, n: int, minimum: int = 1) -> int:
    return max(minimum, int(rng.binomial(n, rate)))


def generate(
    year: int = 2020,
    *,
    seed: int = 2020,
    n_orgs: int | None = None,
    scale: float = 1.0,
    project: Project | None = None,
) -> SampleData:
    """Build one year's sample export, headcounts and truth (nothing is written)."""
    if scale <= 0:
        raise ParameterError(f"scale must be positive, got {scale}")
    project = project or Project.default()
    orgs = load_organisations(project)
    book = load_codebook(year, project)
    items = _Items.from_codebook(book)
    index = OrganisationIndex.build(orgs)
    panel, rng = _panel(orgs, seed, year, n_orgs, scale)
    n_items = len(items.items)

    # Intended valid respondents --------------------------------------------------------------
    sizes = panel["n_intended"].to_numpy()
    org = np.repeat(np.arange(len(panel)), sizes)
    means = panel[_latent_cols()].to_numpy(dtype=float)
    n_valid = len(org)
    codes, latent = _respondents(rng, means[org], items)
    halton_idx = int(np.flatnonzero(panel["org_code"] == HALTON)[0])
    halton_rows = np.flatnonzero(org == halton_idx)
    if year <= BASE_YEAR:  # redraw until Halton's ratings are the committee paper's
        for _ in range(500):
            if all(_org_ratings(codes[halton_rows], items)[a] == r for a, r in HALTON_RATINGS.items()):
                break
            codes[halton_rows], latent[halton_rows] = _respondents(rng, means[org[halton_rows]], items)
        else:  # pragma: no cover - would need an extraordinary seed
            raise RuntimeError("could not draw Halton responses with the committee paper's ratings")

    # Extra rows cleaning must drop: incomplete, unresolved names, tests ------------------------
    weights = sizes / sizes.sum()
    n_incomplete = _count(rng, RATES["incomplete"], n_valid)
    n_unresolved = _count(rng, RATES["unresolved"], n_valid, 2)
    n_test = _count(rng, RATES["test"], n_valid, 3)
    n_extra = n_incomplete + n_unresolved + n_test
    extra_org = rng.choice(len(panel), size=n_extra, p=weights)
    extra_codes, extra_latent = _respondents(rng, means[extra_org], items)
    answered = rng.integers(3, int(0.4 * n_items) + 1, n_incomplete)  # under half: dropped off
    extra_codes[:n_incomplete] = np.where(np.arange(n_items) < answered[:, None], extra_codes[:n_incomplete], 0)

    org = np.concatenate([org, extra_org])
    codes = np.concatenate([codes, extra_codes])
    latent = np.concatenate([latent, extra_latent])
    n = len(org)
    kind = np.array(
        ["valid"] * n_valid + ["incomplete"] * n_incomplete + ["unresolved"] * n_unresolved + ["test"] * n_test,
        dtype=object,
    )
    completed = np.where(kind == "incomplete", "No", "Yes").astype(object)
    is_halton = org == halton_idx

    # A few valid respondents stop near the end: completed = No, but kept.
    candidates = np.flatnonzero((kind == "valid") & ~is_halton)
    n_kept = _count(rng, RATES["incomplete_kept"], n_valid)
    kept = rng.choice(candidates, size=min(n_kept, len(candidates)), replace=False)
    stop = rng.integers(int(0.75 * n_items), n_items - 2, len(kept))
    # Kept only if clearly over half answered, even counting Don't know as unanswered.
    answered = np.cumsum((codes[kept] >= 1) & (codes[kept] <= 5), axis=1)
    short = answered[np.arange(len(kept)), stop - 1] < 0.6 * n_items
    stop[short] = n_items - 1
    codes[kept] = np.where(np.arange(n_items) < stop[:, None], codes[kept], 0)
    kind[kept] = "incomplete_kept"
    completed[kept] = "No"

    # Service and role ---------------------------------------------------------------------
    org_code = panel["org_code"].to_numpy()[org]
    org_type = panel["org_type"].to_numpy()[org]
    names = panel["name"].to_numpy()[org]
    service = np.array(SERVICES, dtype=object)[rng.choice(3, size=n, p=[0.42, 0.50, 0.08])]
    children_trust = (org_type == NON_COUNCIL) & ~pd.Series(names).str.contains("NHS").to_numpy()
    service[children_trust] = "Children"
    service[(org_type == NON_COUNCIL) & pd.Series(names).str.contains("NHS").to_numpy()] = "Adults"
    role = np.array(ROLES, dtype=object)[rng.choice(len(ROLES), size=n, p=_ROLE_P)]

    # Free text, planted strings and test markers ---------------------------------------------
    best, improve = _comments(rng, latent)
    no_text = np.isin(kind, ["incomplete", "incomplete_kept"])
    best[no_text] = ""
    improve[no_text] = ""
    eligible = kind == "valid"
    copies = 2 if n_orgs is None and scale >= 1 else 1
    region = panel["region"].fillna("").to_numpy(dtype=object)[org]
    mention_region = dict(zip(orgs["org_code"], orgs["region"].fillna(""), strict=True))
    plants = _plant(rng, best, improve, org_code, region, eligible, copies, mention_region)
    planted = np.zeros(n, dtype=bool)
    planted[[p[0] for p in plants]] = True

    org_name = np.empty(n, dtype=object)
    code_typed = np.empty(n, dtype=object)
    # How each row's organisation was typed.
    variants = {row["org_code"]: _name_variants(row, index) for row in panel.to_dict("records")}
    name_kinds = list(_NAME_KINDS)
    kind_pick = rng.choice(len(name_kinds), size=n, p=list(_NAME_KINDS.values()))
    variant_pick = rng.random(n)
    if is_halton.any() and not (kind_pick[is_halton] == name_kinds.index("bc")).any():
        kind_pick[np.flatnonzero(is_halton)[0]] = name_kinds.index("bc")  # 'Halton B.C.'
    for i in range(n):
        options = variants[org_code[i]][name_kinds[kind_pick[i]]]
        org_name[i] = options[int(variant_pick[i] * len(options))]
    mode = rng.random(n)
    code_typed[:] = org_code
    lower = mode < RATES["code_lower"]
    code_typed[lower] = np.char.lower(org_code[lower].astype(str)).astype(object)
    code_typed[mode > 1 - RATES["code_blank"]] = ""

    unresolved_rows = np.flatnonzero(kind == "unresolved")
    unresolved_names = _unmatched_names(rng, len(unresolved_rows), panel, index)
    org_name[unresolved_rows] = unresolved_names
    code_typed[unresolved_rows] = ""
    for k, row in enumerate(np.flatnonzero(kind == "test")):
        style = k % 4
        if style == 0:
            org_name[row], code_typed[row] = "test", ""
        elif style == 1:
            best[row] = "TEST - please ignore"
        elif style == 2:
            improve[row] = "testing"
        else:
            org_name[row], code_typed[row], best[row] = "TEST", "", "test"

    # Answers as text: labels, or numbers for a few organisations ------------------------------
    n_numeric = max(1, round(RATES["numeric_orgs"] * len(panel)))
    numeric_candidates = np.flatnonzero(panel["org_code"].to_numpy() != HALTON)
    numeric_orgs = rng.choice(numeric_candidates, size=min(n_numeric, len(numeric_candidates)), replace=False)
    numeric = np.isin(org, numeric_orgs)
    labels = np.array(["", *ANSWER_LABELS, *MISSING_LABELS], dtype=object)
    numbers = np.array(["", "1", "2", "3", "4", "5", *MISSING_LABELS], dtype=object)
    cells = np.where(numeric[:, None], numbers[codes], labels[codes])
    # Stray whitespace around some labels.
    label_cell = ~numeric[:, None] & (codes > 0)
    pad = label_cell & (rng.random(cells.shape) < RATES["padded_answer"])
    lead = rng.random(cells.shape) < 0.5
    cells = np.where(pad & lead, " " + cells, np.where(pad, cells + " ", cells))
    # A few out-of-range numbers, in valid responses outside Halton (which must keep its scores).
    ok_rows = np.flatnonzero((kind == "valid") & ~is_halton)
    n_bad = _count(rng, RATES["out_of_range"], n_valid, 3)
    bad_rows = rng.choice(ok_rows, size=min(n_bad, len(ok_rows)), replace=False)
    bad_cols = rng.integers(0, n_items, len(bad_rows))
    cells[bad_rows, bad_cols] = np.array(["0", "6", "9"], dtype=object)[np.arange(len(bad_rows)) % 3]

    # Two people who dropped off after the same few answers would look like one person
    # submitting twice; nudge such chance look-alikes apart so every repeat is a planted one.
    tokens = np.where((codes >= 1) & (codes <= 5), codes, 0).astype(np.int8)
    tokens[bad_rows, bad_cols] = 9
    _separate_lookalikes(cells, tokens, [org_code, service, role, best, improve], numeric)

    # Repeat submissions: the same person again, later, with a new id --------------------------
    sources = np.flatnonzero((kind == "valid") & ~planted)
    n_repeat = _count(rng, RATES["repeat"], n_valid)
    n_exact = _count(rng, RATES["exact_duplicate"], n_valid)
    chosen = rng.choice(sources, size=min(n_repeat + n_exact, len(sources)), replace=False)
    repeat_src, exact_src = chosen[:n_repeat], chosen[n_repeat:]

    december = is_halton.copy()
    times = _timestamps(rng, year, december)
    delay = rng.integers(3, 72 * 60, len(repeat_src)) * 60 + rng.integers(0, 60, len(repeat_src))
    # Within fieldwork: sources are at 23:30 at the latest, so this still leaves minutes.
    close = np.datetime64(f"{year}-12-15T23:59:00", "s")
    delay = np.minimum(delay.astype("timedelta64[s]"), close - times[repeat_src])
    times = np.concatenate([times, times[repeat_src] + delay])
    iso = rng.random(len(times)) < RATES["iso_date"]
    iso[n:] = iso[repeat_src]  # the same browser, the same platform setting

    def extend(arr: np.ndarray) -> np.ndarray:
        return np.concatenate([arr, arr[repeat_src]])

    org_code_t, code_typed, org_name = extend(org_code), extend(code_typed), extend(org_name)
    service, role, completed = extend(service), extend(role), extend(completed)
    cells, best, improve = extend(cells), extend(best), extend(improve)
    # Cleaning keeps the latest of a pair, so the earlier submission is the one marked.
    kind = np.concatenate([kind, kind[repeat_src]])
    kind[repeat_src] = "repeat"
    superseded_by = np.full(len(kind), -1)
    superseded_by[repeat_src] = np.arange(n, n + len(repeat_src))

    # Ids in time order, then exact duplicates and blank rows dropped in among them -----------
    order = np.argsort(times, kind="stable")
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    ids = int(rng.integers(110_000_000, 190_000_000)) + np.cumsum(rng.integers(1, 40, len(order)))
    response_id = ids[rank].astype(str).astype(object)
    submitted = _format_times(times, iso)

    columns = raw_columns(book)
    table = np.column_stack(
        [response_id, submitted, code_typed, org_name, service, role, completed, cells, best, improve]
    ).astype(object)
    meta = np.column_stack(
        [
            response_id,
            np.where(np.char.lower(org_name.astype(str)) == "test", "", org_code_t),
            kind,
            np.where(superseded_by >= 0, response_id[np.maximum(superseded_by, 0)], ""),
        ]
    ).astype(object)
    n_blank = _count(rng, RATES["blank"], n_valid)
    exact_pos = rank[exact_src] + rng.uniform(1, 400, len(exact_src))  # a later page, exported again
    # Blank rows among the others, never last (trailing empty lines are not rows to a reader).
    blank_pos = rng.uniform(0, len(order) - 1, n_blank)
    # The copy comes later in the file and is the one cleaning keeps; the first is marked.
    exact_meta = meta[exact_src].copy()
    meta[exact_src, 2] = "exact_duplicate"
    meta[exact_src, 3] = meta[exact_src, 0]
    blank_meta = np.full((n_blank, 4), "", dtype=object)
    blank_meta[:, 2] = "blank"
    sequence = np.argsort(np.concatenate([rank, exact_pos, blank_pos]), kind="stable")
    table = np.concatenate([table, table[exact_src], np.full((n_blank, len(columns)), "", dtype=object)])[sequence]
    meta = np.concatenate([meta, exact_meta, blank_meta])[sequence]
    raw = pd.DataFrame({c: table[:, j] for j, c in enumerate(columns)}, dtype="str")
    meta_columns = ["response_id", "org_code", "kind", "duplicate_of"]
    rows = pd.DataFrame({c: meta[:, j] for j, c in enumerate(meta_columns)}, dtype="str")
    rows["keep"] = rows["kind"].isin(["valid", "incomplete_kept"])
    rows.insert(0, "row", np.arange(2, len(rows) + 2))

    # Truth, headcounts, mess counts -------------------------------------------------------------
    kept_rows = rows[rows["keep"]]
    counted = kept_rows.groupby("org_code").size()
    truth = panel[["org_code", "name", "org_type", "region", "profile", "n_intended", "headcount"]].rename(
        columns={"name": "org_name"}
    )
    truth["numeric_answers"] = truth.index.isin(numeric_orgs)
    truth = pd.concat([truth, panel[_latent_cols()]], axis=1)
    assert counted.reindex(truth["org_code"]).fillna(0).astype(int).tolist() == truth["n_intended"].tolist()
    headcounts = truth[["org_code", "headcount"]].copy()

    nonblank = rows["kind"] != "blank"
    planted_table = pd.DataFrame(
        [
            {
                "response_id": response_id[r],
                "org_code": org_code_t[r],
                "column": col,
                "kind": _PLANTED_KIND[text],
                "text": text,
            }
            for r, col, text in plants
        ],
        columns=["response_id", "org_code", "column", "kind", "text"],
    )
    kinds = rows["kind"].value_counts()
    codes_typed = raw.loc[nonblank, "org_code"]
    mess = {
        "rows": len(raw),
        "valid": int(truth["n_intended"].sum()),
        "exact_duplicates": int(kinds.get("exact_duplicate", 0)),
        "repeat_submissions": int(kinds.get("repeat", 0)),
        "incomplete_excluded": int(kinds.get("incomplete", 0)),
        "incomplete_kept": int(kinds.get("incomplete_kept", 0)),
        "test_responses": int(kinds.get("test", 0)),
        "blank_rows": int(kinds.get("blank", 0)),
        "unresolved_names": int(kinds.get("unresolved", 0)),
        "numeric_orgs": len(numeric_orgs),
        "numeric_rows": int(raw.loc[nonblank, items.items].isin(["1", "2", "3", "4", "5"]).any(axis=1).sum()),
        "out_of_range_cells": int(raw[items.items].isin(["0", "6", "9"]).sum().sum()),
        "padded_answer_cells": int((raw[items.items] != raw[items.items].apply(lambda s: s.str.strip())).sum().sum()),
        "padded_org_names": int((raw["org_name"] != raw["org_name"].str.strip()).sum()),
        "org_code_lower": int((codes_typed != codes_typed.str.upper()).sum()),
        "org_code_blank": int((codes_typed == "").sum()),
        "iso_dates": int(raw["submitted"].str.contains("T").sum()),
        "curly_comments": int(
            raw[COMMENT_COLUMNS].apply(lambda s: s.str.contains("[\u2018\u2019\u201c\u201d\u2013]")).any(axis=1).sum()
        ),
        "planted": len(plants),
    }
    truth.attrs["mess"] = dict(mess)
    return SampleData(
        year=year,
        raw=raw,
        headcounts=headcounts,
        truth=truth,
        mess=mess,
        rows=rows,
        planted=planted_table,
        unresolved_names=list(unresolved_names),
    )


# --- writing ---------------------------------------------------------------------------------


def export_bytes(data: SampleData) -> bytes:
    """The raw export as a platform writes it: CSV, CRLF line ends, Windows-1252."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # minimal quoting, as pandas would
    writer.writerow(data.raw.columns)
    writer.writerows(data.raw.to_numpy(dtype=object).tolist())
    return buffer.getvalue().encode("cp1252")  # strict: a character cp1252 cannot hold is a bug here


def write_sample(
    project: Project,
    years: Sequence[int] | None = None,
    *,
    seed: int = 2020,
    force: bool = False,
    n_orgs: int | None = None,
    scale: float = 1.0,
) -> list[Path]:
    """Write each year's raw export and headcounts; returns the paths written.

    Refuses (before writing anything) to overwrite an existing raw export unless ``force``:
    ``data/raw`` is treated as immutable.
    """
    years = list(SAMPLE_YEARS if years is None else years)
    for year in years:
        project.resolve_year(year)  # a four-digit year, or a clear error
    if not force:
        existing = [
            project.raw_dir(y) / name for y in years for name in ("worker_survey.csv", "worker_survey.xlsx")
            if (project.raw_dir(y) / name).exists()
        ]  # fmt: skip
        if existing:
            listed = ", ".join(str(p) for p in existing)
            raise ParameterError(
                f"raw export already exists: {listed}; data/raw is never overwritten, "
                "pass force=True (healthcheck sample --force) to replace the sample"
            )
    written: list[Path] = []
    for year in years:
        data = generate(year, seed=seed, n_orgs=n_orgs, scale=scale, project=project)
        raw_path = project.raw_dir(year) / "worker_survey.csv"
        atomic_write_bytes(raw_path, export_bytes(data))
        heads_path = project.year_params_dir(year) / "headcounts.csv"
        atomic_write_bytes(heads_path, data.headcounts.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        written += [raw_path, heads_path]
    return written


def summary(samples: Iterable[SampleData]) -> pd.DataFrame:
    """One row per year: rows, valid responses, organisations and the share (%) of each mess."""
    out = []
    for data in samples:
        m = data.mess
        rows = m["rows"]
        out.append(
            {
                "year": data.year,
                "rows": rows,
                "valid": m["valid"],
                "organisations": len(data.truth),
                "below 10": int((data.truth["n_intended"] < 10).sum()),
                **{
                    f"{label} %": round(100 * m[key] / rows, 2)
                    for key, label in (
                        ("exact_duplicates", "exact duplicates"),
                        ("repeat_submissions", "repeat submissions"),
                        ("incomplete_excluded", "incomplete (dropped)"),
                        ("incomplete_kept", "incomplete (kept)"),
                        ("test_responses", "test"),
                        ("blank_rows", "blank rows"),
                        ("unresolved_names", "unresolved names"),
                        ("numeric_rows", "numeric answers"),
                        ("org_code_blank", "blank code"),
                        ("org_code_lower", "lower-case code"),
                        ("padded_org_names", "padded names"),
                        ("iso_dates", "ISO dates"),
                        ("curly_comments", "curly quotes"),
                    )
                },
                "out-of-range cells": m["out_of_range_cells"],
                "planted strings": m["planted"],
            }
        )
    return pd.DataFrame(out).set_index("year")
