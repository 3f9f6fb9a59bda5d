"""Drivers of the wish to stay: how each standard goes with respondents' desire to stay.

Spearman's rho between respondents' standard score and their desire-to-stay score, with a
Fisher-z confidence interval using Bonett and Wright's (2000) standard error
``sqrt((1 + rho**2 / 2) / (n - 3))``, nationally and per organisation; and a national
multiple regression of desire to stay on the standards (z-scored: standardised betas).
Per-organisation rho is computed for every organisation at once by ranking within groups.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from healthcheck.params import ScoringParams
from healthcheck.scoring.stats import fisher_ci, spearman_p

COLUMNS = ["level", "org_code", "area", "n", "rho", "ci_low", "ci_high", "p_value", "beta"]


def _grouped_spearman(pairs: pd.DataFrame) -> pd.DataFrame:
    """rho and n per org_code from columns x, y (complete pairs), ranking within each group."""
    g = pairs.groupby("org_code", sort=True)
    rx = g["x"].rank(method="average")
    ry = g["y"].rank(method="average")
    frame = pd.DataFrame({"org_code": pairs["org_code"], "rx": rx, "ry": ry})
    frame["rxy"], frame["rxx"], frame["ryy"] = frame["rx"] * frame["ry"], frame["rx"] ** 2, frame["ry"] ** 2
    s = frame.groupby("org_code", sort=True).agg(
        n=("rx", "size"), sx=("rx", "sum"), sy=("ry", "sum"), sxy=("rxy", "sum"), sxx=("rxx", "sum"), syy=("ryy", "sum")
    )
    n = s["n"].astype(float)
    cov = s["sxy"] - s["sx"] * s["sy"] / n
    vx = s["sxx"] - s["sx"] ** 2 / n
    vy = s["syy"] - s["sy"] ** 2 / n
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = cov / np.sqrt(vx * vy)
    return pd.DataFrame({"org_code": s.index, "n": s["n"].to_numpy(), "rho": rho.to_numpy()})


def correlations(
    scores: pd.DataFrame, org_scores: pd.DataFrame, params: ScoringParams, standards: Sequence[str]
) -> pd.DataFrame:
    """Spearman's rho of each standard with desire to stay: national and per reportable organisation."""
    target = params.driver_area
    reportable = set(org_scores.loc[org_scores["reportable"], "org_code"])
    rows = []
    for area in standards:
        pairs = scores[["org_code", area, target]].dropna().rename(columns={area: "x", target: "y"})
        n = len(pairs)
        if n >= 3:
            rho = float(stats.spearmanr(pairs["x"], pairs["y"]).statistic)
        else:
            rho = np.nan
        rows.append(pd.DataFrame({"level": ["national"], "org_code": [None], "area": [area], "n": [n], "rho": [rho]}))
        own = pairs[pairs["org_code"].isin(reportable)]
        if len(own):
            per = _grouped_spearman(own)
            per = per[per["n"] >= params.min_driver_respondents]
            rows.append(per.assign(level="org", area=area))
    out = pd.concat(rows, ignore_index=True)
    out["ci_low"], out["ci_high"] = fisher_ci(out["rho"].to_numpy(), out["n"].to_numpy(), params.confidence)
    out["p_value"] = spearman_p(out["rho"].to_numpy(), out["n"].to_numpy())
    return out


def regression(scores: pd.DataFrame, params: ScoringParams, standards: Sequence[str]) -> pd.DataFrame:
    """Standardised coefficients of a national OLS of desire to stay on the standards (complete cases)."""
    standards = list(standards)
    data = scores[[*standards, params.driver_area]].dropna()
    if len(data) <= len(standards) + 1:
        return pd.DataFrame({"area": standards, "beta": np.nan})
    z = (data - data.mean()) / data.std(ddof=1)
    z = z.fillna(0.0)  # a constant column carries no information
    x = z[standards].to_numpy()
    y = z[params.driver_area].to_numpy()
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    return pd.DataFrame({"area": standards, "beta": beta})


def combine(corr: pd.DataFrame, reg: pd.DataFrame, standards: Sequence[str]) -> pd.DataFrame:
    """The drivers table of the data contract: correlations with the national betas attached."""
    out = corr.merge(reg.assign(level="national"), on=["level", "area"], how="left")
    order = {a: i for i, a in enumerate(standards)}
    out = out.assign(_l=out["level"].map({"national": 0, "org": 1}), _o=out["area"].map(order))
    out["org_code"] = out["org_code"].astype("string")
    out = out.sort_values(["_l", "org_code", "_o"], na_position="first").drop(columns=["_l", "_o"])
    out["n"] = out["n"].astype("int64")
    return out[COLUMNS].reset_index(drop=True)


def key_drivers(drivers: pd.DataFrame, org_scores: pd.DataFrame, params: ScoringParams) -> pd.DataFrame:
    """Each reportable organisation's strongest driver: its own where its sample allows, else the national one."""
    national = drivers[drivers["level"] == "national"].dropna(subset=["rho"])
    nat_best = national.sort_values(["rho", "area"], ascending=[False, True]).head(1)
    own = drivers[drivers["level"] == "org"].dropna(subset=["rho"])
    own_best = own.sort_values(["org_code", "rho", "area"], ascending=[True, False, True]).drop_duplicates("org_code")
    codes = sorted(org_scores.loc[org_scores["reportable"], "org_code"].unique())
    out = pd.DataFrame({"org_code": codes})
    out = out.merge(own_best[["org_code", "area", "rho"]], on="org_code", how="left")
    has_own = out["area"].notna()
    out["source"] = np.where(has_own, "own", "national")
    if not nat_best.empty:
        out.loc[~has_own, "area"] = nat_best["area"].iloc[0]
        out.loc[~has_own, "rho"] = float(nat_best["rho"].iloc[0])
    out["org_code"] = out["org_code"].astype("string")
    out["area"] = out["area"].astype("string")
    out["rho"] = out["rho"].astype(float)
    return out[["org_code", "area", "rho", "source"]]
