"""Year on year: how scores changed since the previous survey round, compared like with like.

Questions are revised between rounds, so an area is compared only on the questions both
years share (:func:`comparable_items`): a question carries over when it has the same id, area,
scoring direction and wording in both codebooks, or when the year's item map
(``params/<year>/item_map.csv``) says so for a renamed or reworded question. Both years' area
scores are then *recomputed* from respondents' answers to the shared questions alone, with the
scoring method of docs/method.md (the current year's parameters for both years), and the change
is tested with Welch's t-test, as the difference from the rest of England is. Organisations
below ``min_respondents`` valid responses in either year get no change figures.

:func:`write_trends` (through :func:`update_after_scoring`, which ``score_year`` calls) writes
``data/processed/<year>/trends.parquet`` (docs/data-contracts.md); :func:`ensure_history`
cleans and scores earlier years first; :func:`load_council_trend` and :func:`national_trend` are
what the reports read. The multi-year series behind the charts are read from each year's
published ``org_scores`` and ``benchmarks``.
docs/trends.md describes every rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.files import atomic_write
from healthcheck.text.numbers import round_half_up
from healthcheck.params import ScoringParams, load_scoring_params
from healthcheck.reference.areas import AREAS, load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.scoring.score import NATIONAL, _mean_sd, _moments, org_counts, respondent_scores, welch

TRENDS_FILE = "trends.parquet"
ITEM_MAP_FILE = "item_map.csv"

#: Statuses of a row of the trends table.
COMPARED, NEW, SUPPRESSED, NOT_COMPARABLE, NO_SCORE = "compared", "new", "suppressed", "not comparable", "no score"
#: What the test says about a change (higher is always better, tensions included).
IMPROVED, DECLINED, NO_CHANGE = "improved", "declined", "no significant change"

ITEM_COLUMNS = ["area", "item", "wording", "previous_area", "previous_item", "previous_wording", "status", "shared"]
COVERAGE_COLUMNS = ["area", "items_now", "items_before", "items_shared"]
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
_AREA_ORDER = {a: i for i, a in enumerate(AREAS)}


# ---------------------------------------------------------------------------------------
# which questions carry over
# ---------------------------------------------------------------------------------------
def _bool(text: str) -> bool | None:
    value = str(text).strip().lower()
    return {"true": True, "false": False}.get(value)


def load_item_map(project: Project, year: int) -> pd.DataFrame:
    """``params/<year>/item_map.csv``: how that year's questions relate to earlier rounds' (may be absent).

    Columns ``item`` (the id in the year's codebook), ``previous_item`` (its id in earlier
    rounds), ``carried_over`` (true: comparable despite a new id or wording; false: not
    comparable even if id and wording match) and an optional ``note``; a ``year`` column is added.
    """
    path = project.year_params_dir(year) / ITEM_MAP_FILE
    columns = ["year", "item", "previous_item", "carried_over", "note"]
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "year" else "object") for c in columns})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in ("item", "previous_item", "carried_over"):
        if col not in frame.columns:
            raise InputError("missing required column", file=path, column=col)
    if "note" not in frame.columns:
        frame["note"] = ""
    frame["item"] = frame["item"].str.strip()
    frame["previous_item"] = frame["previous_item"].str.strip()
    flags = frame["carried_over"].map(_bool)
    for i in range(len(frame)):
        if flags.iloc[i] is None:
            raise InputError("carried_over must be true or false", file=path, row=i + 2, column="carried_over")
        if not frame["item"].iloc[i] or not frame["previous_item"].iloc[i]:
            column = "item" if not frame["item"].iloc[i] else "previous_item"
            raise InputError("an item id is blank", file=path, row=i + 2, column=column)
    dupes = frame["item"].duplicated()
    if dupes.any():
        raise InputError(f"item {frame['item'][dupes].iloc[0]!r} is mapped twice", file=path,
                         row=int(np.flatnonzero(dupes.to_numpy())[0]) + 2, column="item")  # fmt: skip
    frame["carried_over"] = flags.astype(bool)
    frame.insert(0, "year", int(year))
    return frame[columns].reset_index(drop=True)


def item_maps(project: Project, previous_year: int, year: int) -> pd.DataFrame:
    """The item maps of every year after ``previous_year`` up to ``year``, stacked."""
    frames = [load_item_map(project, y) for y in range(previous_year + 1, year + 1)]
    return pd.concat(frames, ignore_index=True)


def _same_words(a: object, b: object) -> bool:
    """Wordings equal apart from case, spacing and the kind of quote marks."""

    def norm(text: object) -> str:
        text = str(text).replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
        return " ".join(text.split()).casefold()

    return norm(a) == norm(b)


def comparable_items(previous: pd.DataFrame, current: pd.DataFrame, item_map: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each question of either codebook and whether it carries over from ``previous`` to ``current``.

    One row per current item, plus one per previous item that nothing carries over from
    (``dropped``). ``status``: ``same`` (same id, area, direction and wording), ``mapped`` (the
    item map says it carries over: renamed or lightly reworded), ``changed`` (same id but new
    wording, or the map says it does not carry over), ``moved`` (another area or scoring
    direction), ``new``, ``dropped``. ``shared`` is true for ``same`` and ``mapped``.
    Map rows are followed from the latest year back, so a question renamed twice still links up.
    """
    prev = previous.drop_duplicates("item").set_index("item")
    links: list[dict[str, tuple[str, bool]]] = []  # one {item: (previous id, carried over)} per year, latest first
    if item_map is not None and len(item_map):
        frame = item_map if "year" in item_map else item_map.assign(year=0)
        for _, rows in sorted(frame.groupby("year"), key=lambda kv: -kv[0]):
            links.append({r.item: (r.previous_item, bool(r.carried_over)) for r in rows.itertuples(index=False)})
    rows, used = [], set()
    for r in current.itertuples(index=False):
        pid, decision = r.item, None
        for step in links:
            if pid in step:
                pid, carried = step[pid]
                decision = carried if decision is None else (decision and carried)
        row = {"area": r.area, "item": r.item, "wording": r.wording, "previous_area": None, "previous_item": None,
               "previous_wording": None}  # fmt: skip
        if pid not in prev.index or pid in used:
            status = "new"
        else:
            p = prev.loc[pid]
            used.add(pid)
            row.update(previous_area=p["area"], previous_item=pid, previous_wording=p["wording"])
            if p["area"] != r.area or bool(p["reverse"]) != bool(r.reverse):
                status = "moved"
            elif decision is False:
                status = "changed"
            elif decision is True:
                status = "same" if pid == r.item and _same_words(p["wording"], r.wording) else "mapped"
            else:
                status = "same" if _same_words(p["wording"], r.wording) else "changed"
        rows.append({**row, "status": status})
    for pid, p in prev.iterrows():
        if pid not in used:
            rows.append({"area": p["area"], "item": None, "wording": None, "previous_area": p["area"],
                         "previous_item": pid, "previous_wording": p["wording"], "status": "dropped"})  # fmt: skip
    out = pd.DataFrame(rows, columns=ITEM_COLUMNS[:-1])
    out["shared"] = out["status"].isin(["same", "mapped"])
    for col in ITEM_COLUMNS[:-1]:
        out[col] = out[col].astype("string")
    return out[ITEM_COLUMNS]


def coverage(items: pd.DataFrame) -> pd.DataFrame:
    """Per area (all 13): questions asked now, asked before, and shared by both years."""
    now = items[items["item"].notna()].groupby("area").size()
    before = items[items["previous_item"].notna()].groupby("previous_area").size()
    shared = items[items["shared"]].groupby("area").size()
    out = pd.DataFrame({"area": AREAS})
    for col, counts in (("items_now", now), ("items_before", before), ("items_shared", shared)):
        out[col] = out["area"].map(counts).fillna(0).astype("int64")
    return out[COVERAGE_COLUMNS]


# ---------------------------------------------------------------------------------------
# like-for-like scores
# ---------------------------------------------------------------------------------------
def like_for_like_scores(
    previous_responses: pd.DataFrame,
    current_responses: pd.DataFrame,
    items: pd.DataFrame,
    current_codebook: pd.DataFrame,
    params: ScoringParams,
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
    return respondent_scores(previous, book, params), respondent_scores(current, book, params)


def _stats(scores: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """keys, area, n, score (mean), sd of respondent scores per group."""
    mom = _moments(scores, keys)
    mom["score"], mom["sd"] = _mean_sd(mom["n"].to_numpy(), mom["total"].to_numpy(), mom["sumsq"].to_numpy())
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


def _group_rows(prev: pd.DataFrame, cur: pd.DataFrame, groups: pd.DataFrame, keys: list[str], cov: pd.DataFrame) -> pd.DataFrame:
    """Every group x area with both years' n, score and sd (NaN where a year has none) and the coverage."""
    grid = groups.merge(pd.DataFrame({"area": AREAS}), how="cross") if keys else pd.DataFrame({"area": AREAS})
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
    cov = coverage(items)
    prev_scores, cur_scores = like_for_like_scores(previous_responses, current_responses, items, current_codebook, params)

    # organisations -----------------------------------------------------------------------
    counts = org_counts(current_responses).set_index("org_code")
    before = previous_responses.groupby("org_code").size()
    prev_org, cur_org = _stats(prev_scores, ["org_code"]), _stats(cur_scores, ["org_code"])
    org = _group_rows(prev_org, cur_org, pd.DataFrame({"org_code": counts.index}), ["org_code"], cov)
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
    ranks_prev = _area_ranks(prev_org, before, params).rename(columns={"rank": "area_rank_previous", "of": "area_of_previous"})
    ranks_cur = _area_ranks(cur_org, counts["n_responses"], params).rename(columns={"rank": "area_rank", "of": "area_of"})
    org = org.merge(ranks_prev, on=["org_code", "area"], how="left").merge(ranks_cur, on=["org_code", "area"], how="left")
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
    region = _group_rows(_stats(prev_scores, ["region"]), _stats(cur_scores, ["region"]), regions, ["region"], cov)
    region = region.assign(level="region", group=region["region"])
    region["n_responses"] = region["region"].map(current_responses.groupby("region").size()).astype("int64")
    region["n_responses_previous"] = region["region"].map(previous_responses.groupby("region").size()).fillna(0)
    nation = _group_rows(_stats(prev_scores, []), _stats(cur_scores, []), pd.DataFrame(), [], cov)
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
    return _typed(out)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    """Contract dtypes, column order and row order."""
    for col in ("level", "group", "org_name", "region", "area", "status", "significance"):
        out[col] = out[col].astype("string")
    for col in ("items_shared", "items_now", "items_before", "n_responses_previous", "n_responses", "previous_year", "year"):
        out[col] = out[col].astype("int64")
    for col in ("n_previous", "n", *_RANKS):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Float64").round().astype("Int64")
    for col in ("score_previous", "score", "change", "t_stat", "p_value"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    order = out.assign(_l=out["level"].map({"org": 0, "region": 1, "national": 2}), _o=out["area"].map(_AREA_ORDER))
    order = order.sort_values(["_l", "group", "_o"], kind="stable")
    return order[TREND_COLUMNS].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------
def _known_years(project: Project) -> list[int]:
    """Years with a raw export or cleaned responses (a bare folder is not a survey year)."""
    from healthcheck.views.council import _has_raw

    years = set(project.raw_years()) | set(project.processed_years())
    return sorted(y for y in years if _has_raw(project, y) or (project.processed_dir(y) / "responses.parquet").is_file())


def previous_year(project: Project, year: int) -> int | None:
    """The latest survey year before ``year`` with raw or processed data (None if there is none)."""
    earlier = [y for y in _known_years(project) if y < year]
    return earlier[-1] if earlier else None


def _read_ranks(project: Project, year: int) -> pd.DataFrame | None:
    path = project.processed_dir(year) / "ranks.parquet"
    return pd.read_parquet(path) if path.is_file() else None


def build_trends(
    project: Project,
    year: int,
    *,
    responses: pd.DataFrame | None = None,
    codebook: pd.DataFrame | None = None,
    params: ScoringParams | None = None,
    ranks: pd.DataFrame | None = None,
) -> pd.DataFrame | None:
    """The year's trends table from the files, or None when the previous round is absent or not cleaned.

    ``responses``, ``codebook``, ``params`` and ``ranks`` of ``year`` may be passed when already in
    memory (as ``score_year`` does); otherwise they are read.
    """
    prev = previous_year(project, year)
    if prev is None:
        return None
    prev_path = project.processed_dir(prev) / "responses.parquet"
    if not prev_path.is_file():
        return None
    if responses is None:
        path = project.processed_dir(year) / "responses.parquet"
        if not path.is_file():
            raise InputError("no cleaned responses for this year", file=path, hint=f"run `healthcheck clean --year {year}` first")
        responses = pd.read_parquet(path)
    codebook = codebook if codebook is not None else load_codebook(year, project)
    params = params or load_scoring_params(project, year)
    previous = pd.read_parquet(prev_path)
    previous_book = load_codebook(prev, project)
    missing = [i for i in previous_book["item"] if i not in previous.columns]
    if missing:
        raise InputError(f"item column(s) {', '.join(missing)} of the {prev} codebook are not in the cleaned data",
                         file=prev_path, column=missing[0])  # fmt: skip
    return compute_trends(
        previous, responses, previous_book, codebook, params, previous_year=prev, year=year,
        item_map=item_maps(project, prev, year), previous_ranks=_read_ranks(project, prev),
        current_ranks=ranks if ranks is not None else _read_ranks(project, year),
    )  # fmt: skip


def write_trends(project: Project, year: int, **known: pd.DataFrame | ScoringParams | None) -> list[Path]:
    """Write ``trends.parquet`` for the year (removing a stale one when there is no previous round)."""
    path = project.processed_dir(year) / TRENDS_FILE
    table = build_trends(project, year, **known)  # type: ignore[arg-type]
    if table is None:
        path.unlink(missing_ok=True)
        return []
    atomic_write(path, lambda p: table.to_parquet(p, index=False, engine="pyarrow"))
    return [path]


def update_after_scoring(project: Project, year: int, **known: pd.DataFrame | ScoringParams | None) -> list[Path]:
    """What ``score_year`` calls: the year's trends, and the next scored year's, which compare with this one."""
    from healthcheck.views.council import scoring_complete

    written = write_trends(project, year, **known)
    later = [y for y in _known_years(project) if y > year]
    if later and scoring_complete(project, later[0]):
        written += write_trends(project, later[0])
    return written


def history_inputs(project: Project, year: int) -> list[Path]:
    """Files of earlier years a council report's trend section reads (for the batch manifest).

    The year's own ``trends.parquet`` is already among its processed tables; the multi-year chart
    also reads each earlier year's ``org_scores`` and ``benchmarks``, and the comparison depends
    on the codebook revisions and item maps of the years involved.
    """
    paths: list[Path] = []
    for y in scored_years(project, year):
        if y < year:
            paths += [project.processed_dir(y) / "org_scores.parquet", project.processed_dir(y) / "benchmarks.parquet"]
        paths += [project.year_params_dir(y) / "codebook.csv", project.year_params_dir(y) / ITEM_MAP_FILE]
    return paths


def load_trends(project: Project, year: int) -> pd.DataFrame | None:
    """``trends.parquet`` of a year, or None when it was not written (no previous round)."""
    path = project.processed_dir(year) / TRENDS_FILE
    return pd.read_parquet(path) if path.is_file() else None


def ensure_history(project: Project, year: int | None = None) -> list[int]:
    """Clean and score each earlier year that has raw data but no scoring tables, then the year's trends.

    Oldest first, so each year's own trends find the year before it. Never writes raw data.
    Returns the years up to ``year`` whose scoring tables are present afterwards.
    """
    from healthcheck.views.council import _has_raw, scoring_complete

    year = project.resolve_year(year)
    for y in [y for y in _known_years(project) if y < year]:
        if scoring_complete(project, y):
            continue
        responses = project.processed_dir(y) / "responses.parquet"
        if not responses.is_file():
            if not _has_raw(project, y):
                continue  # an empty folder: nothing to build from
            from healthcheck.ingest.survey import clean_year

            clean_year(project, y)
        from healthcheck.scoring.score import score_year

        score_year(project, y)
    if scoring_complete(project, year) and not (project.processed_dir(year) / TRENDS_FILE).is_file():
        write_trends(project, year)
    return [y for y in _known_years(project) if y <= year and scoring_complete(project, y)]


# ---------------------------------------------------------------------------------------
# series over every year, for the charts
# ---------------------------------------------------------------------------------------
def scored_years(project: Project, year: int) -> list[int]:
    """Years up to ``year`` whose org_scores and benchmarks are on disk, oldest first."""
    return [
        y for y in _known_years(project)
        if y <= year and all((project.processed_dir(y) / f"{t}.parquet").is_file() for t in ("org_scores", "benchmarks"))
    ]  # fmt: skip


def question_changes(project: Project, years: list[int]) -> pd.DataFrame:
    """year, area, questions_changed: whether an area's questions differ from the year before it in ``years``."""
    rows = []
    for before, now in zip(years, years[1:], strict=False):
        items = comparable_items(load_codebook(before, project), load_codebook(now, project), item_maps(project, before, now))
        cov = coverage(items)
        changed = (cov["items_shared"] < cov["items_now"]) | (cov["items_shared"] < cov["items_before"])
        rows.append(pd.DataFrame({"year": now, "area": cov["area"], "questions_changed": changed.to_numpy()}))
    if not rows:
        return pd.DataFrame({"year": pd.Series(dtype="int64"), "area": pd.Series(dtype="string"),
                             "questions_changed": pd.Series(dtype=bool)})  # fmt: skip
    return pd.concat(rows, ignore_index=True)


SERIES_COLUMNS = ["level", "group", "year", "area", "score", "n", "ci_low", "ci_high", "rating", "action", "questions_changed"]


def series(project: Project, year: int, *, org_code: str | None = None, region: str | None = None) -> pd.DataFrame:
    """Published scores over every scored year up to ``year``: England, and the region and organisation asked for.

    An organisation's score is null in a year when it was not reportable (or absent).
    ``questions_changed`` marks a year in which the area's questions differ from the year before.
    """
    years = scored_years(project, year)
    parts = []
    for y in years:
        folder = project.processed_dir(y)
        bench = pd.read_parquet(folder / "benchmarks.parquet")
        parts.append(bench[bench["level"] == "national"].assign(year=y))
        if region:
            parts.append(bench[(bench["level"] == "region") & (bench["group"] == region)].assign(year=y))
        if org_code:
            scores = pd.read_parquet(folder / "org_scores.parquet")
            own = scores[scores["org_code"] == org_code]
            own = own.assign(level="org", group=org_code, year=y)
            own = own.assign(score=own["score"].where(own["reportable"].fillna(False).astype(bool)))
            parts.append(own)
    cols = [c for c in SERIES_COLUMNS if c != "questions_changed"]
    if not parts:
        out = pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    else:
        out = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
        # every area in every year, a null score where a year had none (so the panels line up)
        grid = out[["level", "group"]].drop_duplicates().merge(pd.DataFrame({"year": years}), how="cross")
        grid = grid.merge(pd.DataFrame({"area": AREAS}), how="cross")
        out = grid.merge(out, on=["level", "group", "year", "area"], how="left")
    out = out.merge(question_changes(project, years), on=["year", "area"], how="left")
    out["questions_changed"] = out["questions_changed"].astype("boolean").fillna(False).astype(bool)
    for col in ("score", "ci_low", "ci_high"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out["n"] = pd.to_numeric(out["n"], errors="coerce").astype("Int64")
    out["year"] = out["year"].astype("int64")
    for col in ("level", "group", "area", "rating", "action"):
        out[col] = out[col].astype("string")
    out = out.assign(_l=out["level"].map({"org": 0, "region": 1, "national": 2}), _o=out["area"].map(_AREA_ORDER))
    out = out.sort_values(["_l", "year", "_o"], kind="stable").drop(columns=["_l", "_o"])
    return out[SERIES_COLUMNS].reset_index(drop=True)


def _with_titles(frame: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(areas[["area", "kind", "number", "title", "short_title"]], on="area", how="left")


def national_trend(project: Project | None, year: int | None = None) -> pd.DataFrame:
    """England over every scored year up to ``year``, one row per year x area, for the national report.

    Columns: year, area, kind, number, title, short_title, score, n, ci_low, ci_high, rating,
    action (as published that year), questions_changed, and from that year's trends table the
    like-for-like comparison with the previous round: previous_year, items_shared, items_now,
    items_before, score_previous, score_compared (this year on the shared questions), change, p_value,
    significance (null in the first year or where not compared).
    """
    project = project or Project.default()
    year = project.resolve_year(year)
    out = series(project, year)
    out = out[out["level"] == "national"].drop(columns=["level", "group"])
    extra = []
    for y in sorted(out["year"].unique()):
        table = load_trends(project, int(y))
        if table is not None:
            nat = table[table["level"] == "national"]
            extra.append(nat[["year", "area", "previous_year", "items_shared", "items_now", "items_before", "score_previous",
                              "score", "change", "p_value", "significance"]].rename(columns={"score": "score_compared"}))  # fmt: skip
    cols = ["year", "area", "previous_year", "items_shared", "items_now", "items_before", "score_previous",
            "score_compared", "change", "p_value", "significance"]  # fmt: skip
    like = pd.concat(extra, ignore_index=True) if extra else pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    like["year"] = like["year"].astype("int64")
    out = out.merge(like, on=["year", "area"], how="left")
    for col in ("previous_year", "items_shared", "items_now", "items_before"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    for col in ("score_previous", "score_compared", "change", "p_value"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out["significance"] = out["significance"].astype("string")
    out = _with_titles(out, load_areas(project))
    first = ["year", "area", "kind", "number", "title", "short_title"]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# one council's trend, for its report
# ---------------------------------------------------------------------------------------
#: Why a council has no trend: no earlier round at all, absent last round, too few responses.
NO_PREVIOUS_YEAR, TOO_FEW = "no previous year", "too few responses"


@dataclass
class CouncilTrend:
    """What a council report shows about change since the previous round.

    ``status`` is ``compared``, ``new`` (no valid response in the previous round),
    ``too few responses`` (under ``min_respondents`` then), ``suppressed`` (under it now: the
    report has no figures) or ``no previous year`` (no earlier round in the data). ``changes``
    holds the council's trends rows (one per area, report order, with titles), ``national``
    England's; ``series`` the published scores over the years (council, region, England).
    """

    year: int
    code: str
    name: str
    region: str | None
    previous_year: int | None
    status: str
    min_respondents: int = 10
    alpha: float = 0.05
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    national: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def has_trend(self) -> bool:
        return self.status == COMPARED

    def short_title(self, area: str) -> str:
        rows = self.areas[self.areas["area"] == area]
        return str(rows["short_title"].iloc[0]) if len(rows) else area


def council_trend(
    trends: pd.DataFrame | None,
    series_frame: pd.DataFrame,
    *,
    org: pd.Series | dict,
    year: int,
    previous: int | None,
    areas: pd.DataFrame,
    params: ScoringParams,
) -> CouncilTrend:
    """A council's trend from the tables in memory (``load_council_trend`` without the files)."""
    code = str(org["org_code"])
    region = org.get("region")
    region = None if region is None or pd.isna(region) or str(region) == "" else str(region)
    base = dict(year=int(year), code=code, name=str(org["name"]), region=region, min_respondents=params.min_respondents,
                alpha=params.alpha, areas=areas.reset_index(drop=True))  # fmt: skip
    if trends is None or previous is None:
        return CouncilTrend(previous_year=previous, status=NO_PREVIOUS_YEAR, **base)
    own = trends[(trends["level"] == "org") & (trends["group"] == code)]
    if own.empty:  # not in this year's data at all
        return CouncilTrend(previous_year=previous, status=SUPPRESSED, **base)
    n_now, n_before = int(own["n_responses"].iloc[0]), int(own["n_responses_previous"].iloc[0])
    if n_now < params.min_respondents:
        status = SUPPRESSED
    elif n_before == 0:
        status = NEW
    elif n_before < params.min_respondents:
        status = TOO_FEW
    else:
        status = COMPARED
    trend = CouncilTrend(previous_year=previous, status=status, **base)
    if status != COMPARED:
        return trend
    def in_order(rows: pd.DataFrame) -> pd.DataFrame:
        ordered = rows.merge(areas[["area", "order"]], on="area").sort_values("order").drop(columns="order")
        return _with_titles(ordered, areas).reset_index(drop=True)

    trend.changes = in_order(own)
    trend.national = in_order(trends[trends["level"] == "national"])
    trend.series = series_frame.reset_index(drop=True)
    return trend


def load_council_trend(project: Project | None, year: int | None, council: str) -> CouncilTrend:
    """The trend of one council (ONS code or name) for a year, from ``trends.parquet`` and the published tables.

    When the trends table is missing but the previous round is cleaned it is built in memory;
    when there is no previous round the trend says so (``status`` ``no previous year``).
    """
    from healthcheck.views.council import _params, read_meta
    from healthcheck.reference.organisations import OrganisationIndex
    from healthcheck.reference.organisations import load_organisations

    project = project or Project.default()
    year = project.resolve_year(year)
    org = OrganisationIndex.build(load_organisations(project)).lookup(council)
    params = _params(project, year, read_meta(project, year))
    table = load_trends(project, year)
    if table is None:
        table = build_trends(project, year)
    previous = int(table["previous_year"].iloc[0]) if table is not None and len(table) else None
    if table is None and previous_year(project, year) is not None:
        prev = previous_year(project, year)
        raise InputError(
            f"the {prev} survey has not been cleaned, so {year} cannot be compared with it",
            file=project.processed_dir(prev) / "responses.parquet",
            hint=f"run `healthcheck clean --year {prev}` and `healthcheck score --year {prev}` (or trends.ensure_history)",
        )
    region = org.get("region")
    region = None if region is None or pd.isna(region) else str(region)
    frame = series(project, year, org_code=str(org["org_code"]), region=region) if table is not None else pd.DataFrame()
    return council_trend(table, frame, org=org, year=year, previous=previous, areas=load_areas(project), params=params)


_VERDICTS = {IMPROVED: "Significant improvement", DECLINED: "Significant decline", NO_CHANGE: "No significant change"}


def _shown_change(now: pd.Series, before: pd.Series, decimals: int) -> pd.api.extensions.ExtensionArray:
    """The change between two scores as the table shows them (rounded half up to ``decimals``)."""
    values = [
        None if pd.isna(a) or pd.isna(b) else round(round_half_up(a, decimals) - round_half_up(b, decimals), decimals)
        for a, b in zip(now, before, strict=True)
    ]
    if decimals == 0:
        return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
    return pd.array(values, dtype="Float64")


def change_table(trend: CouncilTrend, decimals: int = 0) -> pd.DataFrame:
    """The council's scores last round and this, on the questions both share, with the change and the test.

    Scores stay unrounded (show them with ``decimals``, whole numbers by default); the change is
    that of the scores as shown, so that the table adds up for its reader.
    """
    if not trend.has_trend:
        return pd.DataFrame()
    t = trend.changes
    words = _VERDICTS
    shown = _shown_change(t["score"], t["score_previous"], decimals)
    questions = [
        f"all {int(now)}" if shared == now and shared == before else f"{int(shared)} of {int(now)}"
        for shared, now, before in zip(t["items_shared"], t["items_now"], t["items_before"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Area": [
                f"{int(n)}. {s}" if k == "standard" and not pd.isna(n) else s
                for k, n, s in zip(t["kind"], t["number"], t["title"], strict=True)
            ],
            "Questions compared": questions,
            f"{trend.previous_year} score": t["score_previous"].astype("Float64"),
            f"{trend.year} score": t["score"].astype("Float64"),
            "Change": shown,
            f"Compared with {trend.previous_year}": [words.get(s, "") if not pd.isna(s) else "" for s in t["significance"]],
        }
    )


def national_change_table(frame: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """England's scores in the latest year of ``national_trend`` and the round before, like for like.

    The same columns as :func:`change_table`; empty when the frame has no comparison. England's
    samples are large, so changes of under a point can be significant: one decimal by default.
    """
    if frame.empty:
        return pd.DataFrame()
    t = frame[frame["year"] == frame["year"].max()]
    if t["previous_year"].isna().all():
        return pd.DataFrame()
    prev, year = int(t["previous_year"].dropna().iloc[0]), int(t["year"].iloc[0])
    words = _VERDICTS
    shown = _shown_change(t["score_compared"], t["score_previous"], decimals)
    return pd.DataFrame(
        {
            "Area": [
                f"{int(n)}. {s}" if k == "standard" and not pd.isna(n) else s
                for k, n, s in zip(t["kind"], t["number"], t["title"], strict=True)
            ],
            "Questions compared": [
                "" if pd.isna(shared) else f"all {int(now)}" if shared == now == before else f"{int(shared)} of {int(now)}"
                for shared, now, before in zip(t["items_shared"], t["items_now"], t["items_before"], strict=True)
            ],
            f"{prev} score": t["score_previous"].astype("Float64").to_numpy(),
            f"{year} score": t["score_compared"].astype("Float64").to_numpy(),
            "Change": shown,
            f"Compared with {prev}": [words.get(s, "") if not pd.isna(s) else "" for s in t["significance"]],
        }
    )


__all__ = [
    "CouncilTrend",
    "build_trends",
    "change_table",
    "comparable_items",
    "compute_trends",
    "council_trend",
    "coverage",
    "ensure_history",
    "item_maps",
    "like_for_like_scores",
    "load_council_trend",
    "load_item_map",
    "history_inputs",
    "load_trends",
    "national_change_table",
    "national_trend",
    "previous_year",
    "question_changes",
    "scored_years",
    "series",
    "update_after_scoring",
    "write_trends",
]
