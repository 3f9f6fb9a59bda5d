"""The sample's organisations: who takes part each year, how many respond, and their latent means.

The base year (2020) draws Halton plus councils from the reference list, and the non-council
employers, with sizes by type, response rates and latent area means around the national ones:
a handful too small to report, a few clearly all-green and a few with several reds. A later
year evolves from the year before it: a few councils leave and join, means drift by the
national trend, sizes vary. :func:`year_panel` replays that evolution from 2020, so a year's
organisations never depend on which other years are generated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthcheck.errors import ParameterError
from healthcheck.reference.organisations import NON_COUNCIL, is_council
from healthcheck.synthetic.parameters import (
    BASE_YEAR,
    FULL_COUNCILS,
    HALTON,
    HALTON_HEADCOUNT,
    HALTON_N,
    ORG_STAY_WEIGHTS,
    STAY,
    TARGET_VALID,
    WEAK_AMBER,
    WEAK_RED,
    AreaModel,
)


def draw_sizes(rng: np.random.Generator, org_type: pd.Series) -> np.ndarray:
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


def org_latent(rng: np.random.Generator, n: int, year: int, model: AreaModel) -> np.ndarray:
    """Latent area means of n typical organisations (n x areas)."""
    national = model.national_in(year)
    general = rng.normal(0, 3.5, n)
    own = rng.normal(0, 2.5, (n, len(model)))
    latent = national + general[:, None] * model.org_load + own
    dev = latent - national
    stay = model.position(STAY)
    if stay is not None:  # the wish to stay follows supervision and wellbeing
        value = national[stay]
        for area, weight in ORG_STAY_WEIGHTS.items():
            k = model.position(area)
            if k is not None:
                value = value + weight * dev[:, k]
        latent[:, stay] = value + rng.normal(0, 1.5, n)
    return latent


def base_panel(
    orgs: pd.DataFrame, rng: np.random.Generator, year: int, n_orgs: int | None, scale: float, model: AreaModel
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
    size = draw_sizes(rng, panel["org_type"])
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

    latent = org_latent(rng, n, year, model)
    strong = profile == "strong"
    # an exemplar is green on every area, tensions included, so reports show an all-green council
    latent[strong] = np.maximum(latent[strong], 84 + rng.normal(0, 1.5, (strong.sum(), len(model))))
    weak = profile == "weak"
    latent[weak] -= 8
    for area in WEAK_RED:
        k = model.position(area)
        if k is not None:
            latent[weak, k] = 44 + rng.normal(0, 2, weak.sum())
    k = model.position(WEAK_AMBER)
    if k is not None:
        latent[weak, k] = 52 + rng.normal(0, 2, weak.sum())
    latent[is_halton] = model.halton

    rate = rng.uniform(0.27, 0.73, n)
    rate[is_halton] = HALTON_N / HALTON_HEADCOUNT
    size[is_halton] = HALTON_N
    panel["profile"] = profile
    panel["base_size"] = size.astype(int)
    panel["n_intended"] = size.astype(int)
    panel["rate"] = rate
    panel[model.latent_columns()] = np.round(latent, 2)
    return panel


def evolve(
    panel: pd.DataFrame,
    orgs: pd.DataFrame,
    rng: np.random.Generator,
    year: int,
    full: bool,
    scale: float,
    model: AreaModel,
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

    columns = model.latent_columns()
    latent = stay[columns].to_numpy(dtype=float)
    latent = latent + rng.normal(0, 1.5, latent.shape) + model.trend(year)
    stay[columns] = np.round(latent, 2)
    size = np.round(stay["base_size"].to_numpy() * rng.uniform(0.8, 1.2, len(stay)))
    small = (stay["profile"] == "small").to_numpy()
    size[small] = np.minimum(size[small], 9)
    size[(stay["profile"] == "halton").to_numpy()] = HALTON_N  # the committee paper's figures, every year
    stay["n_intended"] = np.maximum(3, size).astype(int)
    stay["rate"] = np.clip(stay["rate"].to_numpy() + rng.normal(0, 0.03, len(stay)), 0.27, 0.73)

    join_size = np.maximum(3, np.round(draw_sizes(rng, join["org_type"]) * scale)).astype(int)
    join["profile"] = "typical"
    join["base_size"] = join_size
    join["n_intended"] = join_size
    join["rate"] = rng.uniform(0.27, 0.73, len(join))
    join[columns] = np.round(org_latent(rng, len(join), year, model), 2)
    out = pd.concat([stay, join], ignore_index=True)
    return out


def year_panel(
    orgs: pd.DataFrame, seed: int, year: int, n_orgs: int | None, scale: float, model: AreaModel
) -> tuple[pd.DataFrame, np.random.Generator]:
    """A year's organisations (sorted by code) and the respondent stream of that year.

    Each year ``y`` has its own ``numpy.random.default_rng(seed + y)``, split into one stream for
    the organisations and one for the respondents.
    """
    panel: pd.DataFrame | None = None
    for y in [year] if year <= BASE_YEAR else range(BASE_YEAR, year + 1):
        org_rng, resp_rng = np.random.default_rng(seed + y).spawn(2)
        if panel is None:
            panel = base_panel(orgs, org_rng, y, n_orgs, scale, model)
        else:
            panel = evolve(panel, orgs, org_rng, y, n_orgs is None, scale, model)
    assert panel is not None
    headcount = np.ceil(panel["n_intended"].to_numpy() / panel["rate"].to_numpy()).astype(int)
    headcount[(panel["org_code"] == HALTON).to_numpy()] = HALTON_HEADCOUNT
    panel["headcount"] = headcount
    return panel.sort_values("org_code", ignore_index=True), resp_rng
