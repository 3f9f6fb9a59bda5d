"""What the reports show of change over time: one council's trend, England's, and the series behind the charts.

Read-only: the comparison itself is made by :mod:`healthcheck.scoring.trends` (the pipeline's
``trends`` stage) and the published scores of each year by scoring; this module reads
``trends.parquet`` and each year's ``org_scores`` and ``benchmarks``. docs/trends.md describes
every rule.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pandas as pd

from healthcheck import catalogue as cat
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.params import Band, ScoringParams
from healthcheck.reference.areas import area_codes, area_order, load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import organisation_index, same_service_successors, succession
from healthcheck.reference.services import Service, parse_service
from healthcheck.scoring.comparable import comparable_items, coverage, item_maps
from healthcheck.scoring.trends import COMPARED, DECLINED, IMPROVED, NEW, NO_CHANGE, SUPPRESSED, load_trends
from healthcheck.text.numbers import round_half_up
from healthcheck.views.tables import read_table, scored_params


# ---------------------------------------------------------------------------------------
# series over every year, for the charts
# ---------------------------------------------------------------------------------------
def question_changes(project: Project, years: list[int]) -> pd.DataFrame:
    """year, area, questions_changed: whether an area's questions differ from the year before it in ``years``."""
    rows = []
    areas = area_codes(load_areas(project))
    for before, now in itertools.pairwise(years):
        items = comparable_items(
            load_codebook(before, project), load_codebook(now, project), item_maps(project, before, now)
        )
        cov = coverage(items, areas)
        changed = (cov["items_shared"] < cov["items_now"]) | (cov["items_shared"] < cov["items_before"])
        rows.append(pd.DataFrame({"year": now, "area": cov["area"], "questions_changed": changed.to_numpy()}))
    if not rows:
        return pd.DataFrame({"year": pd.Series(dtype="int64"), "area": pd.Series(dtype="string"),
                             "questions_changed": pd.Series(dtype=bool)})  # fmt: skip
    return pd.concat(rows, ignore_index=True)


SERIES_COLUMNS = [
    "level",
    "group",
    "year",
    "area",
    "score",
    "n",
    "ci_low",
    "ci_high",
    "rating",
    "action",
    "questions_changed",
]


def series(
    project: Project, year: int, *, org_code: str | None = None, region: str | None = None, service: Service = "all"
) -> pd.DataFrame:
    """Published scores over every scored year up to ``year``: England, and the region and organisation asked for.

    Of one service: an adults' service's series sits beside adults' services in its region and England.

    An organisation's score is null in a year when it was not reportable (or absent).
    ``questions_changed`` marks a year in which the area's questions differ from the year before.
    """
    years = cat.series_years(project, year)
    areas = load_areas(project)
    parts = []
    for y in years:
        bench = read_table(project, y, cat.BENCHMARKS, service=service)
        parts.append(bench[bench["level"] == "national"].assign(year=y))
        if region:
            parts.append(bench[(bench["level"] == "region") & (bench["group"] == region)].assign(year=y))
        if org_code:
            scores = read_table(project, y, cat.ORG_SCORES, service=service)
            # the same service under an earlier code (a county before its unitary council) is the same series
            earlier = {old for old, now in same_service_successors(project, y, year).items() if now == org_code}
            own = scores[scores["org_code"].isin({org_code, *earlier})]
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
        grid = grid.merge(pd.DataFrame({"area": area_codes(areas)}), how="cross")
        out = grid.merge(out, on=["level", "group", "year", "area"], how="left")
    out = out.merge(question_changes(project, years), on=["year", "area"], how="left")
    out["questions_changed"] = out["questions_changed"].astype("boolean").fillna(False).astype(bool)
    for col in ("score", "ci_low", "ci_high"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out["n"] = pd.to_numeric(out["n"], errors="coerce").astype("Int64")
    out["year"] = out["year"].astype("int64")
    for col in ("level", "group", "area", "rating", "action"):
        out[col] = out[col].astype("string")
    out = out.assign(_l=out["level"].map({"org": 0, "region": 1, "national": 2}), _o=out["area"].map(area_order(areas)))
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
    params: ScoringParams
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    national: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: How the council came to be since the previous round (reference.organisations.succession), or None.
    succession: dict | None = None

    @property
    def min_respondents(self) -> int:
        return self.params.min_respondents

    @property
    def alpha(self) -> float:
        return self.params.alpha

    @property
    def bands(self) -> list[Band]:
        return list(self.params.bands)

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
    base = dict(year=int(year), code=code, name=str(org["name"]), region=region, params=params,
                areas=areas.reset_index(drop=True))  # fmt: skip
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


def load_council_trend(
    project: Project | None, year: int | None, council: str, service: Service | str = "all"
) -> CouncilTrend:
    """The trend of one council (ONS code or name) for a year and service, from ``trends.parquet`` and the tables.

    When there is no previous round the trend says so (``status`` ``no previous year``); when
    there is one but the trends stage has not run, that is an error saying how to run it.
    """
    project = project or Project.default()
    year = project.resolve_year(year)
    org = organisation_index(project, year).lookup(council)
    params = scored_params(project, year)
    service = parse_service(service)
    table = load_trends(project, year, service)
    previous = int(table["previous_year"].iloc[0]) if table is not None and len(table) else None
    prev = cat.previous_survey_year(project, year)
    if table is None and prev is not None:
        raise InputError(
            f"{year} has not been compared with {prev} yet",
            file=cat.TRENDS.path(project, year),
            hint=f"run `healthcheck score --year {year}` (or `healthcheck run`), which compares the two rounds",
        )
    region = org.get("region")
    region = None if region is None or pd.isna(region) else str(region)
    frame = (
        series(project, year, org_code=str(org["org_code"]), region=region, service=service)
        if table is not None
        else pd.DataFrame()
    )
    trend = council_trend(table, frame, org=org, year=year, previous=previous, areas=load_areas(project), params=params)
    trend.succession = succession(project, trend.code, year)
    return trend


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
            f"Compared with {trend.previous_year}": [
                words.get(s, "") if not pd.isna(s) else "" for s in t["significance"]
            ],
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
                ""
                if pd.isna(shared)
                else f"all {int(now)}"
                if shared == now == before
                else f"{int(shared)} of {int(now)}"
                for shared, now, before in zip(t["items_shared"], t["items_now"], t["items_before"], strict=True)
            ],
            f"{prev} score": t["score_previous"].astype("Float64").to_numpy(),
            f"{year} score": t["score_compared"].astype("Float64").to_numpy(),
            "Change": shown,
            f"Compared with {prev}": [words.get(s, "") if not pd.isna(s) else "" for s in t["significance"]],
        }
    )
