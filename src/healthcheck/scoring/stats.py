"""The statistics of scoring, vectorised over groups: moments, means and SDs, intervals and tests.

Everything works on group moments (count, sum, sum of squares), so that a national file of a
million responses is summarised in one pass and any two groups can be compared from their
moments alone (an organisation against the rest of England is England's moments less its own).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats


def moments(scores: pd.DataFrame, keys: list[str], areas: Sequence[str]) -> pd.DataFrame:
    """Count, sum and sum of squares of each area's respondent scores per group, in long form.

    Works on the wide respondent table (one column per area in ``areas``) so that a national
    file never has to be melted into one row per respondent and area.
    """
    areas = list(areas)
    values = scores[areas].astype(float)
    if keys:
        data = scores[keys].copy()
        valid = data.notna().all(axis=1)
        values, data = values[valid], data[valid]
        by = [data[k] for k in keys]
        n = values.notna().groupby(by, sort=True).sum()
        total = values.groupby(by, sort=True).sum()
        sumsq = (values**2).groupby(by, sort=True).sum()
        out = pd.DataFrame({"n": n.stack(), "total": total.stack(), "sumsq": sumsq.stack()})
        out.index = out.index.set_names([*keys, "area"])
        out = out.reset_index()
    else:
        out = pd.DataFrame(
            {"area": areas, "n": values.notna().sum().to_numpy(), "total": values.sum().to_numpy(),
             "sumsq": (values**2).sum().to_numpy()}
        )  # fmt: skip
    out = out[out["n"] > 0]
    out["n"] = out["n"].astype("int64")
    return out.reset_index(drop=True)


def mean_sd(n: np.ndarray, total: np.ndarray, sumsq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample standard deviation from count, sum and sum of squares (SD NaN for n < 2)."""
    n = n.astype(float)
    mean = total / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (sumsq - n * mean**2) / (n - 1)
    var = np.where(n > 1, np.maximum(var, 0.0), np.nan)
    return mean, np.sqrt(var)


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """The t confidence interval of a mean (low, high)."""
    n = n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        tcrit = stats.t.ppf((1 + confidence) / 2, n - 1)
        half = tcrit * sd / np.sqrt(n)
    return mean - half, mean + half


def welch(
    m1: np.ndarray, s1: np.ndarray, n1: np.ndarray, m2: np.ndarray, s2: np.ndarray, n2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Welch's t statistic and two-sided p-value from group means, SDs and sizes."""
    n1, n2 = n1.astype(float), n2.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        v1, v2 = s1**2 / n1, s2**2 / n2
        t = (m1 - m2) / np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        p = 2 * stats.t.sf(np.abs(t), df)
    return t, p


def sd_from_t_interval(ci_low: np.ndarray, ci_high: np.ndarray, n: np.ndarray, confidence: float) -> np.ndarray:
    """The standard deviation behind a t-interval: half-width * sqrt(n) / t(confidence, n - 1)."""
    n = n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        tcrit = stats.t.ppf((1 + confidence) / 2, n - 1)
        return (ci_high - ci_low) / 2 * np.sqrt(n) / tcrit


def fisher_ci(rho: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for Spearman's rho (Fisher z, Bonett-Wright standard error)."""
    rho = np.asarray(rho, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
        se = np.sqrt((1 + rho**2 / 2) / (n - 3))
        crit = stats.norm.ppf((1 + confidence) / 2)
        low, high = np.tanh(z - crit * se), np.tanh(z + crit * se)
    bad = n <= 3
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def spearman_p(rho: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Two-sided p-value of rho by the t approximation (as scipy.stats.spearmanr)."""
    rho = np.asarray(rho, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = rho * np.sqrt((n - 2) / ((1.0 - rho) * (1.0 + rho)))
        return 2 * stats.t.sf(np.abs(t), n - 2)
