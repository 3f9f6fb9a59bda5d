"""The sample's respondents and their answers, drawn around their organisation's latent means.

Each respondent has a general factor plus area-specific noise around the organisation's means;
each item is ``1 + Binomial(4, p)`` with ``p = latent / 100``, so the expected score
(0/25/50/75/100 points) equals the latent mean. The wish to stay is built from the respondent's
supervision (s5) and wellbeing (s4) most of all, so driver analysis finds them. Some answers are
Don't know, Not applicable or skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from healthcheck.reference.codebook import ANSWER_LABELS
from healthcheck.synthetic.parameters import (
    ITEM_MISSING,
    RATES,
    REVISED_ITEM_SHIFT,
    SIGMA_E,
    SIGMA_F,
    SIGMA_STAY,
    STAY,
    STAY_WEIGHTS,
    AreaModel,
)
from healthcheck.text.numbers import round_half_up

#: Answer codes in the generated matrix: 0 blank, 1-5 the scale as asked, 6 Don't know, 7 N/A.
DONT_KNOW, NOT_APPLICABLE = 6, 7


@dataclass
class Items:
    """The codebook as arrays: item ids, area index of each item and reverse flags."""

    items: list[str]
    area: np.ndarray
    reverse: np.ndarray
    missing_weight: np.ndarray
    shift: np.ndarray | None = None  # points added to an item's latent mean (revised questions)

    @classmethod
    def from_codebook(cls, book: pd.DataFrame, model: AreaModel) -> Items:
        items = book["item"].tolist()
        weight = np.array([ITEM_MISSING.get(i, 1.0) for i in items])
        return cls(
            items=items,
            area=np.array([model.areas.index(a) for a in book["area"]]),
            reverse=book["reverse"].to_numpy(dtype=bool),
            missing_weight=weight / weight.mean(),
            shift=np.array([REVISED_ITEM_SHIFT.get(w, 0.0) for w in book["wording"]]),
        )


def respondents(
    rng: np.random.Generator, means: np.ndarray, items: Items, model: AreaModel
) -> tuple[np.ndarray, np.ndarray]:
    """Answer codes (n x items, as asked) and respondent latent area scores (n x areas)."""
    n = len(means)
    general = rng.standard_normal(n)
    own = rng.standard_normal((n, len(model)))
    dev = SIGMA_F * general[:, None] * model.respondent_load + SIGMA_E * own
    stay = model.position(STAY)
    if stay is not None:
        dev[:, stay] = SIGMA_STAY * own[:, stay]
        for area, weight in STAY_WEIGHTS.items():
            k = model.position(area)
            if k is not None:
                dev[:, stay] += weight * dev[:, k]
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
    codes = np.where(missing, np.where(dont_know, DONT_KNOW, NOT_APPLICABLE), codes)
    codes = np.where(rng.random(codes.shape) < RATES["blank_cell"], 0, codes)
    return codes.astype(np.int8), latent


def org_ratings(codes: np.ndarray, items: Items, model: AreaModel) -> dict[str, str]:
    """Ratings of one organisation's responses, scored as params/scoring.yaml describes."""
    valid = (codes >= 1) & (codes <= 5)
    points = np.where(items.reverse, 5 - codes, codes - 1) * 25.0
    out = {}
    for k, area in enumerate(model.areas):
        cols = items.area == k
        if not cols.any():
            continue
        answered = valid[:, cols].sum(axis=1)
        enough = answered >= 0.5 * cols.sum()
        person = np.where(valid[:, cols], points[:, cols], 0).sum(axis=1)[enough] / answered[enough]
        score = round_half_up(person.mean()) if len(person) else 0
        out[area] = "Green" if score >= 75 else "Amber" if score >= 51 else "Red"
    return out


def separate_lookalikes(cells: np.ndarray, tokens: np.ndarray, columns: list[np.ndarray], numeric: np.ndarray) -> int:
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
