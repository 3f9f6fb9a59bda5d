"""Year on year: how scores changed since the previous survey round, compared like with like.

An area is compared only on the questions both years share (:mod:`healthcheck.scoring.comparable`).
Both years' area scores are then *recomputed* from respondents' answers to the shared questions
alone, with the scoring method of docs/method.md (the current year's parameters for both years),
and the change is tested with Welch's t-test, as the difference from the rest of England is.
Organisations below ``min_respondents`` valid responses in either year get no change figures.

:func:`write_trends` (the pipeline's ``trends`` stage) writes ``data/processed/<year>/trends.parquet``
(docs/data-contracts.md); the reports read it through :mod:`healthcheck.views.trend`.
docs/trends.md describes every rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck import catalogue as cat
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.files import atomic_write
from healthcheck.params import ScoringParams, load_scoring_params
from healthcheck.reference.areas import area_codes, load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import same_service_successors
from healthcheck.reference.services import SERVICES, Service, of_service, service_responses
from healthcheck.scoring.comparable import comparable_items, coverage, item_maps
from healthcheck.scoring.score import NATIONAL, org_counts, respondent_scores
from healthcheck.scoring.stats import mean_sd, moments, welch

#: Statuses of a row of the trends table.
COMPARED, NEW, SUPPRESSED, NOT_COMPARABLE, NO_SCORE = "compared", "new", "suppressed", "not comparable", "no score"
#: What the test says about a change (higher is always better, tensions included).
IMPROVED, DECLINED, NO_CHANGE = "improved", "declined", "no significant change"

TREND_COLUMNS = [
    "level", "group", "org_name", "region", "area", "previous_year", "year", "status",
    "items_shared", "items_now", "items_before", "n_responses_previous", "n_responses",
    "n_previous", "score_previous", "n", "score", "change", "t_stat", "p_value", "significance",
    "area_rank_previous", "area_of_previous", "area_rank", "area_of", "area_rank_change",
    "national_rank_previous", "national_of_previous", "national_rank", "national_of", "national_rank_change",
]  # fmt: skip
_FIGURES = ["n_previous", "score_previous", "n", "score", "change", "t_stat", "p_value", "significance"]
_RANKS = [
    "area_rank_previous", "area_of_previous", "area_rank", "area_of", "area_rank_change",
    "national_rank_previous", "national_of_previous", "national_rank", "national_of", "national_rank_change",
]  # fmt: skip


# ---------------------------------------------------------------------------------------
# like-for-like scores
# ---------------------------------------------------------------------------------------
def like_for_like_scores(
    previous_responses: pd.DataFrame,
    current_responses: pd.DataFrame,
    items: pd.DataFrame,
    current_codebook: pd.DataFrame,
    params: ScoringParams,
    areas: Sequence[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondent area scores of both years on the shared questions only (previous, current).

    The previous year's answers are renamed to the current ids, then both years are scored with
    the same restricted codebook, so the half-answered rule counts shared questions only. An
    area with no shared question is NaN for everyone.
    """
    shared = items[items["shared"]]
    book = current_codebook[current_codebook["item"].isin(set(shared["item"]))].reset_index(drop=True)
    ids = ["response_id", "org_code", "org_name", "org_type", "region"]

    def renamed(responses: pd.DataFrame, source: dict[str, str]) -> pd.DataFrame:
        out = responses[[c for c in ids if c in responses.columns]].copy()
        for item, column in source.items():
            out[item] = responses[column]
        return out

    previous = renamed(previous_responses, dict(zip(shared["item"], shared["previous_item"], strict=True)))
    current = renamed(current_responses, {i: i for i in shared["item"]})
    return respondent_scores(previous, book, params, areas), respondent_scores(current, book, params, areas)


def _stats(scores: pd.DataFrame, keys: list[str], areas: Sequence[str]) -> pd.DataFrame:
    """keys, area, n, score (mean), sd of respondent scores per group."""
    mom = moments(scores, keys, areas)
    mom["score"], mom["sd"] = mean_sd(mom["n"].to_numpy(), mom["total"].to_numpy(), mom["sumsq"].to_numpy())
    return mom.drop(columns=["total", "sumsq"])


def _test(frame: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Change, Welch's t and p (current against previous) and the verdict, in place."""
    t, p = welch(
        frame["score"].to_numpy(dtype=float), frame["sd"].to_numpy(dtype=float), frame["n"].to_numpy(dtype=float),
        frame["score_previous"].to_numpy(dtype=float), frame["sd_previous"].to_numpy(dtype=float),
        frame["n_previous"].to_numpy(dtype=float),
    )  # fmt: skip
    frame["change"] = frame["score"] - frame["score_previous"]
    frame["t_stat"], frame["p_value"] = t, p
    frame["significance"] = np.where(np.isnan(p) | (p >= alpha), NO_CHANGE, np.where(t > 0, IMPROVED, DECLINED))
    return frame


def _area_ranks(stats: pd.DataFrame, counts: pd.Series, params: ScoringParams) -> pd.DataFrame:
    """Rank of each organisation in each area among those reportable that year (ties share the best)."""
    ok = stats[stats["org_code"].map(counts).fillna(0) >= params.min_respondents]
    ok = ok[ok["score"].notna()].copy()
    ok["rank"] = ok.groupby("area")["score"].rank(ascending=False, method="min")
    ok["of"] = ok.groupby("area")["score"].transform("size")
    return ok[["org_code", "area", "rank", "of"]]


def _group_rows(
    prev: pd.DataFrame,
    cur: pd.DataFrame,
    groups: pd.DataFrame,
    keys: list[str],
    cov: pd.DataFrame,
    areas: Sequence[str],
) -> pd.DataFrame:
    """Every group x area with both years' n, score and sd (NaN where a year has none) and the coverage."""
    every = pd.DataFrame({"area": list(areas)})
    grid = groups.merge(every, how="cross") if keys else every
    cols = [*keys, "area", "n", "score", "sd"]
    out = grid.merge(cur[cols], on=[*keys, "area"], how="left")
    renamed = prev[cols].rename(columns={"n": "n_previous", "score": "score_previous", "sd": "sd_previous"})
    out = out.merge(renamed, on=[*keys, "area"], how="left")
    return out.merge(cov, on="area", how="left")


def compute_trends(
    previous_responses: pd.DataFrame,
    current_responses: pd.DataFrame,
    previous_codebook: pd.DataFrame,
    current_codebook: pd.DataFrame,
    params: ScoringParams,
    *,
    previous_year: int,
    year: int,
    areas: Sequence[str],
    item_map: pd.DataFrame | None = None,
    previous_ranks: pd.DataFrame | None = None,
    current_ranks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The trends table (docs/data-contracts.md) from two years' cleaned responses and codebooks.

    One row per current organisation x area (``level`` org, ``group`` its code), per region x
    area and for England x area. ``change`` = current − previous score on the shared questions;
    ``significance`` from Welch's t at ``params.alpha``. Organisation rows carry figures only when
    ``status`` is ``compared``: the organisation had at least ``min_respondents`` valid responses
    in both years and the area shares a question and has a score in both. ``previous_ranks`` and
    ``current_ranks`` (the two years' ``ranks`` tables) give the change in national rank.
    """
    items = comparable_items(previous_codebook, current_codebook, item_map)
    cov = coverage(items, areas)
    areas = list(areas)
    prev_scores, cur_scores = like_for_like_scores(
        previous_responses, current_responses, items, current_codebook, params, areas
    )

    # organisations -----------------------------------------------------------------------
    counts = org_counts(current_responses).set_index("org_code")
    before = previous_responses.groupby("org_code").size()
    prev_org, cur_org = _stats(prev_scores, ["org_code"], areas), _stats(cur_scores, ["org_code"], areas)
    org = _group_rows(prev_org, cur_org, pd.DataFrame({"org_code": counts.index}), ["org_code"], cov, areas)
    org["n_responses"] = org["org_code"].map(counts["n_responses"]).astype("int64")
    org["n_responses_previous"] = org["org_code"].map(before).fillna(0).astype("int64")
    org = _test(org, params.alpha)
    status = np.select(
        [
            org["n_responses_previous"] == 0,
            (org["n_responses_previous"] < params.min_respondents) | (org["n_responses"] < params.min_respondents),
            org["items_shared"] == 0,
            org["score"].isna() | org["score_previous"].isna(),
        ],
        [NEW, SUPPRESSED, NOT_COMPARABLE, NO_SCORE],
        default=COMPARED,
    )
    org["status"] = status
    ranks_prev = _area_ranks(prev_org, before, params).rename(
        columns={"rank": "area_rank_previous", "of": "area_of_previous"}
    )
    ranks_cur = _area_ranks(cur_org, counts["n_responses"], params).rename(
        columns={"rank": "area_rank", "of": "area_of"}
    )
    org = org.merge(ranks_prev, on=["org_code", "area"], how="left").merge(
        ranks_cur, on=["org_code", "area"], how="left"
    )
    org["area_rank_change"] = org["area_rank_previous"] - org["area_rank"]
    for label, table in (("_previous", previous_ranks), ("", current_ranks)):
        if table is not None and len(table):
            ranked = table[table["ranked"].fillna(False).astype(bool)].set_index("org_code")
            org[f"national_rank{label}"] = org["org_code"].map(ranked["national_rank"]).astype("Float64")
            org[f"national_of{label}"] = org["org_code"].map(ranked["national_of"]).astype("Float64")
        else:
            org[f"national_rank{label}"] = np.nan
            org[f"national_of{label}"] = np.nan
    org["national_rank_change"] = org["national_rank_previous"] - org["national_rank"]
    both = ~org["status"].isin([NEW, SUPPRESSED])  # reportable in both years
    figures = org["status"] == COMPARED
    for col in _FIGURES + _RANKS[:5]:
        org[col] = org[col].where(figures, None)
    for col in _RANKS[5:]:
        org[col] = org[col].where(both, None)
    org = org.assign(level="org", group=org["org_code"], org_name=org["org_code"].map(counts["org_name"]),
                     region=org["org_code"].map(counts["region"]))  # fmt: skip

    # regions and England: pooled over respondents, as the benchmarks are --------------------
    regions = pd.DataFrame({"region": sorted(current_responses["region"].dropna().unique())})
    region = _group_rows(
        _stats(prev_scores, ["region"], areas), _stats(cur_scores, ["region"], areas), regions, ["region"], cov, areas
    )
    region = region.assign(level="region", group=region["region"])
    region["n_responses"] = region["region"].map(current_responses.groupby("region").size()).astype("int64")
    region["n_responses_previous"] = region["region"].map(previous_responses.groupby("region").size()).fillna(0)
    nation = _group_rows(_stats(prev_scores, [], areas), _stats(cur_scores, [], areas), pd.DataFrame(), [], cov, areas)
    nation = nation.assign(level="national", group=NATIONAL, region=None, n_responses=len(current_responses),
                           n_responses_previous=len(previous_responses))  # fmt: skip
    groups = pd.concat([region, nation], ignore_index=True)
    groups = _test(groups, params.alpha)
    groups["status"] = np.select(
        [groups["n_responses_previous"] == 0, groups["items_shared"] == 0,
         groups["score"].isna() | groups["score_previous"].isna()],
        [NEW, NOT_COMPARABLE, NO_SCORE], default=COMPARED,
    )  # fmt: skip
    for col in _FIGURES:
        groups[col] = groups[col].where(groups["status"] == COMPARED, None)
    groups["org_name"] = None
    for col in _RANKS:
        groups[col] = np.nan

    out = pd.concat([org, groups], ignore_index=True)
    out["previous_year"], out["year"] = int(previous_year), int(year)
    return _typed(out, areas)


def _typed(out: pd.DataFrame, areas: Sequence[str]) -> pd.DataFrame:
    """Contract dtypes, column order and row order."""
    for col in ("level", "group", "org_name", "region", "area", "status", "significance"):
        out[col] = out[col].astype("string")
    for col in (
        "items_shared",
        "items_now",
        "items_before",
        "n_responses_previous",
        "n_responses",
        "previous_year",
        "year",
    ):
        out[col] = out[col].astype("int64")
    for col in ("n_previous", "n", *_RANKS):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Float64").round().astype("Int64")
    for col in ("score_previous", "score", "change", "t_stat", "p_value"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    order = out.assign(
        _l=out["level"].map({"org": 0, "region": 1, "national": 2}),
        _o=out["area"].map({a: i for i, a in enumerate(areas)}),
    )
    order = order.sort_values(["_l", "group", "_o"], kind="stable")
    return order[TREND_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------
def _read_ranks(project: Project, year: int) -> pd.DataFrame | None:
    path = cat.RANKS.path(project, year)
    return pd.read_parquet(path) if path.is_file() else None


def build_trends(project: Project, year: int) -> pd.DataFrame | None:
    """The year's trends table from the files, or None when there is no previous round or it is not cleaned."""
    prev = cat.previous_survey_year(project, year)
    if prev is None:
        return None
    prev_path = cat.RESPONSES.path(project, prev)
    if not prev_path.is_file():
        return None
    path = cat.RESPONSES.path(project, year)
    if not path.is_file():
        raise InputError(
            "no cleaned responses for this year", file=path, hint=f"run `healthcheck clean --year {year}` first"
        )
    responses, previous = pd.read_parquet(path), pd.read_parquet(prev_path)
    codebook, previous_book = load_codebook(year, project), load_codebook(prev, project)
    missing = [i for i in previous_book["item"] if i not in previous.columns]
    if missing:
        raise InputError(f"item column(s) {', '.join(missing)} of the {prev} codebook are not in the cleaned data",
                         file=prev_path, column=missing[0])  # fmt: skip
    # a council that took over the same service under a new code (North Yorkshire, 2023) carries on its
    # predecessor's figures; a split or merged council does not (reference.organisations)
    successors = same_service_successors(project, prev, year)
    previous = previous.assign(org_code=previous["org_code"].replace(successors))
    previous_ranks = _read_ranks(project, prev)
    if previous_ranks is not None:
        previous_ranks = previous_ranks.assign(org_code=previous_ranks["org_code"].replace(successors))
    params, areas = load_scoring_params(project, year), area_codes(load_areas(project))
    item_map, current_ranks = item_maps(project, prev, year), _read_ranks(project, year)
    parts = []
    for service in SERVICES:  # like for like within each service too
        now, before = service_responses(responses, service), service_responses(previous, service)
        if service != "all" and (now.empty or before.empty):
            continue
        table = compute_trends(
            before.reset_index(drop=True), now.reset_index(drop=True), previous_book, codebook, params,
            previous_year=prev, year=year, areas=areas, item_map=item_map,
            previous_ranks=None if previous_ranks is None else of_service(previous_ranks, service), current_ranks=None if current_ranks is None else of_service(current_ranks, service),
        )  # fmt: skip
        parts.append(table.assign(service=service)[["service", *table.columns]])
    return pd.concat(parts, ignore_index=True)


def write_trends(project: Project, year: int) -> list[Path]:
    """Write ``trends.parquet`` for the year (removing a stale one when there is no previous round)."""
    path = cat.TRENDS.path(project, year)
    table = build_trends(project, year)
    if table is None:
        path.unlink(missing_ok=True)
        return []
    atomic_write(path, lambda p: table.to_parquet(p, index=False, engine="pyarrow"))
    return [path]


def load_trends(project: Project, year: int, service: Service = "all") -> pd.DataFrame | None:
    """``trends.parquet`` of a year for one service, or None when it was not written (no previous round)."""
    path = cat.TRENDS.path(project, year)
    return of_service(pd.read_parquet(path), service) if path.is_file() else None
