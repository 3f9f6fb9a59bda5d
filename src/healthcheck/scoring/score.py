"""Scoring: area scores, ratings, benchmarks, ranks, item shares and response rates.

Computed once for the whole country so that each council's report only looks figures up.
The method is described in docs/method.md; every number comes from :class:`ScoringParams`.
Everything is vectorised over group moments (count, sum, sum of squares) so that a national
file of a million responses scores in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck import catalogue as cat
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.files import atomic_write, atomic_write_text
from healthcheck.fingerprints import file_sha256
from healthcheck.ingest.headcounts import no_headcounts, read_headcounts
from healthcheck.params import ScoringParams, load_scoring_params
from healthcheck.reference.areas import area_codes, load_areas, standard_codes
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.services import SERVICES, Service, service_responses
from healthcheck.scoring import drivers as drv
from healthcheck.scoring.stats import mean_sd, moments, t_interval, welch
from healthcheck.text.numbers import round_half_up

NATIONAL = "England"
ID_COLUMNS = ["response_id", "org_code", "org_name", "org_type", "region"]


# ---------------------------------------------------------------------------------------
# respondents
# ---------------------------------------------------------------------------------------
def item_points(codes: pd.DataFrame, codebook: pd.DataFrame, params: ScoringParams) -> pd.DataFrame:
    """Answer codes 1-5 as points (0-100), reverse-scored items turned round; missing stays NaN."""
    table = np.full(7, np.nan)
    for code, pts in params.answer_points.items():
        table[code] = pts
    reverse = set(codebook.loc[codebook["reverse"], "item"])
    out = {}
    for item in codebook["item"]:
        values = codes[item].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        valid = np.isin(values, [1, 2, 3, 4, 5])
        idx = np.where(valid, values, 0).astype(int)
        if item in reverse:
            idx = np.where(valid, 6 - idx, 0)
        out[item] = np.where(valid, table[idx], np.nan)
    return pd.DataFrame(out, index=codes.index)


def respondent_scores(
    responses: pd.DataFrame, codebook: pd.DataFrame, params: ScoringParams, areas: Sequence[str]
) -> pd.DataFrame:
    """One row per response: ids and one column per area of ``areas`` (NaN unless half its items were answered)."""
    points = item_points(responses, codebook, params)
    out = responses[[c for c in ID_COLUMNS if c in responses.columns]].copy()
    for area in areas:
        items = codebook.loc[codebook["area"] == area, "item"].tolist()
        if not items:
            out[area] = np.nan
            continue
        block = points[items].to_numpy()
        answered = np.sum(~np.isnan(block), axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.nansum(block, axis=1) / np.where(answered == 0, 1, answered)
        out[area] = np.where(answered / len(items) >= params.min_answered_share - 1e-12, mean, np.nan)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# ratings
# ---------------------------------------------------------------------------------------
def ratings(scores: pd.Series | np.ndarray, params: ScoringParams) -> tuple[np.ndarray, np.ndarray]:
    """Rating words and actions for scores; None where the score is missing."""
    arr = np.asarray(scores, dtype=float)
    rounded = round_half_up(arr)
    rating = np.full(arr.shape, None, dtype=object)
    action = np.full(arr.shape, None, dtype=object)
    for band in sorted(params.bands, key=lambda b: b.min):  # later (higher) bands overwrite
        hit = ~np.isnan(rounded) & (rounded >= band.min)
        rating[hit] = band.rating
        action[hit] = band.action
    return rating, action


def rating(score: float, params: ScoringParams) -> tuple[str | None, str | None]:
    """(rating, action) of one score."""
    r, a = ratings(np.array([score]), params)
    return r[0], a[0]


# ---------------------------------------------------------------------------------------
# organisations
# ---------------------------------------------------------------------------------------
def org_counts(responses: pd.DataFrame) -> pd.DataFrame:
    """Valid responses per organisation, with its name, type and region."""
    cols = ["org_code", "org_name", "org_type", "region"]
    return (
        responses.groupby("org_code", sort=True)
        .agg(org_name=("org_name", "first"), org_type=("org_type", "first"), region=("region", "first"),
             n_responses=("response_id", "size"))
        .reset_index()[[*cols, "n_responses"]]
    )  # fmt: skip


def org_area_scores(
    scores: pd.DataFrame, responses: pd.DataFrame, params: ScoringParams, areas: Sequence[str]
) -> pd.DataFrame:
    """Organisation x area: score, n, CI, rating, difference from and test against the rest of England."""
    org = moments(scores, ["org_code"], areas)
    nat = moments(scores, [], areas).rename(columns={"n": "N", "total": "T", "sumsq": "S"})
    org = org.merge(nat, on="area", how="left")
    org["score"], org["sd"] = mean_sd(org["n"].to_numpy(), org["total"].to_numpy(), org["sumsq"].to_numpy())
    org["ci_low"], org["ci_high"] = t_interval(
        org["score"].to_numpy(), org["sd"].to_numpy(), org["n"].to_numpy(), params.confidence
    )
    nat_mean, _ = mean_sd(org["N"].to_numpy(), org["T"].to_numpy(), org["S"].to_numpy())
    rest_mean, rest_sd = mean_sd(
        (org["N"] - org["n"]).to_numpy(), (org["T"] - org["total"]).to_numpy(), (org["S"] - org["sumsq"]).to_numpy()
    )
    org["national_score"] = nat_mean
    org["diff_national"] = org["score"] - nat_mean
    t, p = welch(org["score"].to_numpy(), org["sd"].to_numpy(), org["n"].to_numpy(), rest_mean, rest_sd,
                 (org["N"] - org["n"]).to_numpy())  # fmt: skip
    org["t_stat"], org["p_value"] = t, p
    sig = np.where(np.isnan(p) | (p >= params.alpha), "no difference", np.where(t > 0, "above", "below"))
    org["significance"] = sig
    org["rating"], org["action"] = ratings(org["score"], params)

    # every organisation x area, so that an area nobody in an organisation answered still shows
    counts = org_counts(responses)
    grid = counts.merge(pd.DataFrame({"area": list(areas)}), how="cross")
    out = grid.merge(org.drop(columns=["total", "sumsq", "N", "T", "S"]), on=["org_code", "area"], how="left")
    out["n"] = out["n"].fillna(0).astype("int64")
    out["reportable"] = out["n_responses"] >= params.min_respondents
    figures = ["n", "score", "sd", "ci_low", "ci_high", "rating", "action", "national_score", "diff_national",
               "t_stat", "p_value", "significance"]  # fmt: skip
    out = out.astype({"n": "Int64"})
    out[figures] = out[figures].astype(object).where(out["reportable"], None)
    numeric = ["score", "sd", "ci_low", "ci_high", "national_score", "diff_national", "t_stat", "p_value"]
    out[numeric] = out[numeric].astype("float64")
    out["n"] = out["n"].astype("Int64")
    for col in ("rating", "action", "significance"):
        out[col] = out[col].astype("string")
    order = {a: i for i, a in enumerate(areas)}
    out = out.assign(_o=out["area"].map(order)).sort_values(["org_code", "_o"]).drop(columns="_o")
    columns = ["org_code", "org_name", "org_type", "region", "area", "n_responses", *figures, "reportable"]
    return out[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# benchmarks
# ---------------------------------------------------------------------------------------
def benchmarks(
    scores: pd.DataFrame, org_scores: pd.DataFrame, params: ScoringParams, areas: Sequence[str]
) -> pd.DataFrame:
    """National and regional pooled means (over respondents) and the distribution of organisation scores."""
    nat = moments(scores, [], areas).assign(level="national", group=NATIONAL)
    reg = moments(scores, ["region"], areas).rename(columns={"region": "group"})
    reg = reg.assign(level="region")
    out = pd.concat([nat, reg], ignore_index=True)
    out["score"], sd = mean_sd(out["n"].to_numpy(), out["total"].to_numpy(), out["sumsq"].to_numpy())
    out["ci_low"], out["ci_high"] = t_interval(out["score"].to_numpy(), sd, out["n"].to_numpy(), params.confidence)
    out["rating"], out["action"] = ratings(out["score"], params)

    rep = org_scores[org_scores["reportable"] & org_scores["score"].notna()]
    dist_parts = [
        rep.assign(level="national", group=NATIONAL),
        rep.dropna(subset=["region"]).assign(level="region", group=rep["region"]),
    ]
    dist = pd.concat(dist_parts, ignore_index=True).groupby(["level", "group", "area"])["score"]
    summary = pd.DataFrame(
        {
            "orgs": dist.size(),
            "min": dist.min(),
            "q1": dist.quantile(0.25),
            "median": dist.median(),
            "q3": dist.quantile(0.75),
            "max": dist.max(),
        }
    ).reset_index()
    out = out.merge(summary, on=["level", "group", "area"], how="left")
    out["orgs"] = out["orgs"].fillna(0).astype("int64")
    hidden = out["orgs"] < params.min_region_orgs
    for col in ("min", "q1", "median", "q3", "max"):
        out[col] = out[col].astype(float).where(~hidden)
    for col in ("rating", "action"):
        out[col] = out[col].astype("string")
    order = {a: i for i, a in enumerate(areas)}
    out = out.assign(_l=out["level"].map({"national": 0, "region": 1}), _o=out["area"].map(order))
    out = out.sort_values(["_l", "group", "_o"]).drop(columns=["_l", "_o"])
    columns = ["level", "group", "area", "score", "n", "ci_low", "ci_high", "rating", "action",
               "orgs", "min", "q1", "median", "q3", "max"]  # fmt: skip
    return out[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# ranks
# ---------------------------------------------------------------------------------------
def ranks(org_scores: pd.DataFrame, standards: Sequence[str]) -> pd.DataFrame:
    """Overall score (mean of the standards) and national and regional ranks (ties share the best)."""
    std = org_scores[org_scores["area"].isin(list(standards))]
    overall = std.groupby("org_code")["score"].mean()  # NaN for unreportable organisations
    base = org_scores.drop_duplicates("org_code").set_index("org_code")[
        ["org_name", "region", "n_responses", "reportable"]
    ]
    out = base.join(overall.rename("overall")).reset_index()
    out["ranked"] = out["reportable"].astype(bool) & out["overall"].notna()
    ranked = out[out["ranked"]]
    out["national_rank"] = ranked["overall"].rank(ascending=False, method="min")
    out["national_of"] = float(len(ranked))
    out["regional_rank"] = (
        ranked.dropna(subset=["region"]).groupby("region")["overall"].rank(ascending=False, method="min")
    )
    out["regional_of"] = out["region"].map(ranked.dropna(subset=["region"]).groupby("region").size())
    out.loc[~out["ranked"], ["national_of"]] = np.nan
    out.loc[~out["ranked"] | out["regional_rank"].isna(), ["regional_of"]] = np.nan
    for col in ("national_rank", "national_of", "regional_rank", "regional_of"):
        out[col] = out[col].astype("Int64")
    columns = ["org_code", "org_name", "region", "n_responses", "overall", "ranked",
               "national_rank", "national_of", "regional_rank", "regional_of"]  # fmt: skip
    return out[columns].sort_values("org_code").reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# items
# ---------------------------------------------------------------------------------------
def item_shares(
    responses: pd.DataFrame, codebook: pd.DataFrame, org_scores: pd.DataFrame, params: ScoringParams
) -> pd.DataFrame:
    """Agree (4-5), neutral (3) and disagree (1-2) as per cent of those answering each item, as asked."""
    items = codebook["item"].tolist()
    codes = responses[items].astype("Float64").astype(float)
    counts = {
        "base": codes.notna(),
        "agree": codes >= 4,
        "neutral": codes == 3,
        "disagree": codes <= 2,
    }
    reportable = responses["org_code"].isin(set(org_scores.loc[org_scores["reportable"], "org_code"]))

    def share(key: pd.Series | None, mask: pd.Series) -> pd.DataFrame:
        parts = {}
        for name, flags in counts.items():
            flags = flags[mask].astype("int64")
            summed = flags.groupby(key[mask], sort=True).sum() if key is not None else flags.sum().to_frame(NATIONAL).T
            parts[name] = summed.stack()
        frame = pd.DataFrame(parts)
        frame.index = frame.index.set_names(["group", "item"])
        return frame.reset_index()

    has_region = responses["region"].notna()
    parts = [
        share(responses["org_code"], reportable).assign(level="org"),
        share(responses["region"], has_region).assign(level="region"),
        share(None, pd.Series(True, index=responses.index)).assign(level="national"),
    ]
    out = pd.concat(parts, ignore_index=True)
    for col in ("agree", "neutral", "disagree"):
        out[col] = (100 * out[col] / out["base"]).where(out["base"] >= params.min_item_base).astype(float)
    out = out.merge(codebook[["item", "area"]], on="item", how="left")
    order = {item: i for i, item in enumerate(items)}
    out = out.assign(_l=out["level"].map({"org": 0, "region": 1, "national": 2}), _o=out["item"].map(order))
    out = out.sort_values(["_l", "group", "_o"]).drop(columns=["_l", "_o"])
    out["base"] = out["base"].astype("int64")
    return out[["level", "group", "item", "area", "base", "agree", "neutral", "disagree"]].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# response rates
# ---------------------------------------------------------------------------------------
def response_rates(responses: pd.DataFrame, headcounts: pd.DataFrame) -> pd.DataFrame:
    """Valid responses against headcount, as a per cent; null where the headcount is unknown."""
    counts = org_counts(responses)[["org_code", "n_responses"]]
    out = counts.merge(headcounts, on="org_code", how="left")
    out["headcount"] = out["headcount"].astype("Int64")
    hc = out["headcount"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["response_rate"] = np.where(hc > 0, 100 * out["n_responses"] / hc, np.nan)
    return out.sort_values("org_code").reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# the whole year
# ---------------------------------------------------------------------------------------
def score_service(
    responses: pd.DataFrame,
    codebook: pd.DataFrame,
    params: ScoringParams,
    areas: pd.DataFrame,
    headcounts: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Every scoring table of one set of respondents (a service's, or everyone's), in memory."""
    codes, standards = area_codes(areas), standard_codes(areas)
    scores = respondent_scores(responses, codebook, params, codes)
    org = org_area_scores(scores, responses, params, codes)
    corr = drv.correlations(scores, org, params, standards)
    reg = drv.regression(scores, params, standards)
    drivers = drv.combine(corr, reg, standards)
    tables = {
        "org_scores": org,
        "benchmarks": benchmarks(scores, org, params, codes),
        "ranks": ranks(org, standards),
        "drivers": drivers,
        "key_drivers": drv.key_drivers(drivers, org, params),
        "items": item_shares(responses, codebook, org, params),
        "response_rates": response_rates(responses, headcounts if headcounts is not None else no_headcounts()),
    }
    return tables


def score_all(
    responses: pd.DataFrame,
    codebook: pd.DataFrame,
    params: ScoringParams,
    areas: pd.DataFrame,
    headcounts: pd.DataFrame | None = None,
    services: Sequence[Service] = SERVICES,
) -> dict[str, pd.DataFrame]:
    """Every scoring table for all services and for each service, stacked with a first ``service`` column.

    A service's tables come from its own respondents only (the rule in
    :mod:`healthcheck.reference.services`), so its benchmarks and ranks compare like with like.
    Headcounts count a council's social workers in all services, so a service's response rate is
    not available (null) rather than a share of the wrong total.
    """
    parts: dict[str, list[pd.DataFrame]] = {}
    for service in services:
        subset = service_responses(responses, service)
        if service != "all" and subset.empty:
            continue
        counts = headcounts if service == "all" else no_headcounts()
        for name, table in score_service(subset.reset_index(drop=True), codebook, params, areas, counts).items():
            parts.setdefault(name, []).append(table.assign(service=service)[["service", *table.columns]])
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def score_year(project: Project, year: int) -> list[Path]:
    """Score the year's cleaned responses and write every scoring table and ``scores_meta.json``.

    Only scoring: the comparison with the previous round is the pipeline's next stage.
    """
    source = cat.RESPONSES.path(project, year)
    if not source.is_file():
        raise InputError(
            "no cleaned responses for this year", file=source,
            hint=f"run `healthcheck clean --year {year}` first",
        )  # fmt: skip
    responses = pd.read_parquet(source)
    params = load_scoring_params(project, year)
    codebook = load_codebook(year, project)
    missing = [item for item in codebook["item"] if item not in responses.columns]
    if missing:
        raise InputError(
            f"item column(s) {', '.join(missing)} are not in the cleaned data", file=source, column=missing[0]
        )
    headcounts = read_headcounts(cat.HEADCOUNTS.path(project, year))
    tables = score_all(responses, codebook, params, load_areas(project), headcounts)

    written = []
    for entry in cat.SCORING_TABLES:
        path, table = entry.path(project, year), tables[entry.name]
        atomic_write(path, lambda p, t=table: t.to_parquet(p, index=False, engine="pyarrow"))
        written.append(path)
    submitted = (
        pd.to_datetime(responses["submitted"], errors="coerce").dropna()
        if "submitted" in responses
        else pd.Series([], dtype="datetime64[ns]")
    )
    meta = {
        "year": year,
        "source": project.key(source),
        "source_sha256": file_sha256(source),
        "responses": len(responses),
        "organisations": int(responses["org_code"].nunique()),
        "fieldwork_start": submitted.min().date().isoformat() if len(submitted) else None,
        "fieldwork_end": submitted.max().date().isoformat() if len(submitted) else None,
        "data_date": submitted.max().date().isoformat() if len(submitted) else None,
        "params": json.loads(params.model_dump_json()),
        "rows": {name: len(t) for name, t in tables.items()},
    }
    meta_path = cat.SCORES_META.path(project, year)
    atomic_write_text(meta_path, json.dumps(meta, indent=2, sort_keys=True) + "\n")
    written.append(meta_path)
    return written
