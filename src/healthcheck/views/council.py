"""One council's view of the scoring tables: everything its local report shows, nothing more.

:func:`load_council_view` reads only the aggregate scoring tables of ``data/processed/<year>/``
(never the responses) and keeps the council's own figures, its region's and England's
benchmarks, the drivers of the wish to stay, item shares, ranks and response rate. Other
organisations appear only as bare sorted scores for the distribution chart, with no code or
name, so nothing in the view can be tied to another organisation. A council below the
minimum number of respondents gets a *suppressed* view: its count and the threshold only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from healthcheck.config import Project
from healthcheck.params import Band, ScoringParams
from healthcheck.reference.areas import AREA_COLUMNS, area_codes, area_order, area_title, load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import organisation_index
from healthcheck.reference.services import PLURAL, SINGULAR, Service, parse_service
from healthcheck.text.numbers import round_half_up
from healthcheck.text.words import rating_label
from healthcheck.views.tables import read_meta, read_tables, scored_params

NATIONAL_GROUP = "England"


# --------------------------------------------------------------------------------------
# the view
# --------------------------------------------------------------------------------------
def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


SCORE_COLUMNS = [
    "area", "n", "score", "sd", "ci_low", "ci_high", "rating", "action", "national_score",
    "diff_national", "t_stat", "p_value", "significance",
]  # fmt: skip
BENCH_COLUMNS = [
    "area",
    "score",
    "n",
    "ci_low",
    "ci_high",
    "rating",
    "action",
    "orgs",
    "min",
    "q1",
    "median",
    "q3",
    "max",
]
DRIVER_COLUMNS = ["area", "n", "rho", "ci_low", "ci_high", "p_value", "beta"]
ITEM_COLUMNS = ["level", "group", "item", "area", "wording", "base", "agree", "neutral", "disagree"]


@dataclass
class CouncilView:
    """Everything one council's report shows, as small frames and values.

    ``scores`` holds the council's row per area (contract columns of ``org_scores``),
    ``region`` and ``national`` the matching benchmark rows. ``others_overall`` and
    ``others_by_area`` are the other reportable organisations' scores, sorted, with no labels.
    """

    year: int
    code: str
    name: str
    region: str | None
    n_responses: int
    suppressed: bool
    params: ScoringParams  # what the tables were scored with
    official_name: str = ""
    org_type: str = ""
    areas: pd.DataFrame = field(default_factory=lambda: _empty(AREA_COLUMNS))
    codebook: pd.DataFrame = field(default_factory=lambda: _empty(["item", "area", "reverse", "wording"]))
    scores: pd.DataFrame = field(default_factory=lambda: _empty(SCORE_COLUMNS))
    region_scores: pd.DataFrame = field(default_factory=lambda: _empty(BENCH_COLUMNS))
    national_scores: pd.DataFrame = field(default_factory=lambda: _empty(BENCH_COLUMNS))
    overall: float | None = None
    ranked: bool = False
    national_rank: int | None = None
    national_of: int | None = None
    regional_rank: int | None = None
    regional_of: int | None = None
    headcount: int | None = None
    response_rate: float | None = None
    drivers_national: pd.DataFrame = field(default_factory=lambda: _empty(DRIVER_COLUMNS))
    drivers_own: pd.DataFrame = field(default_factory=lambda: _empty(DRIVER_COLUMNS))
    key_driver_area: str | None = None
    key_driver_rho: float | None = None
    key_driver_source: str | None = None
    items: pd.DataFrame = field(default_factory=lambda: _empty(ITEM_COLUMNS))
    others_overall: tuple[float, ...] = ()
    others_by_area: dict[str, tuple[float, ...]] = field(default_factory=dict)
    national_councils: int | None = None
    national_non_councils: int | None = None
    national_responses: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    service: Service = "all"  # the respondents it covers (healthcheck.reference.services)

    @property
    def service_phrase(self) -> str | None:
        """ "adults' services" for a service's report, None for all services (titles, headlines)."""
        return None if self.service == "all" else SINGULAR[self.service]

    @property
    def label(self) -> str:
        """Its name in table and chart titles: 'Halton', or "Halton adults' services"."""
        return self.name if self.service == "all" else f"{self.name} {SINGULAR[self.service]}"

    @property
    def peers(self) -> str:
        """What its ranks count: 'organisations', or "adults' services" for a service's report."""
        return PLURAL[self.service]

    # -- the parameters, under the names the sentences and charts read ----------------------
    @property
    def min_respondents(self) -> int:
        return self.params.min_respondents

    @property
    def bands(self) -> list[Band]:
        return list(self.params.bands)

    @property
    def alpha(self) -> float:
        return self.params.alpha

    @property
    def confidence(self) -> float:
        return self.params.confidence

    @property
    def min_driver_respondents(self) -> int:
        return self.params.min_driver_respondents

    @property
    def min_item_base(self) -> int:
        return self.params.min_item_base

    @property
    def min_region_orgs(self) -> int:
        return self.params.min_region_orgs

    @property
    def min_answered_share(self) -> float:
        return self.params.min_answered_share

    @property
    def answer_points(self) -> dict[int, float]:
        return dict(self.params.answer_points)

    @property
    def driver_area(self) -> str:
        return self.params.driver_area

    # -- convenience -------------------------------------------------------------------
    def title(self, area: str) -> str:
        """The area's full title ('Continuing professional development')."""
        return area_title(self.areas, area)

    def short_title(self, area: str) -> str:
        """The area's short title ('CPD'), the one sentences use."""
        return area_title(self.areas, area, short=True)

    def item_wordings(self, area: str) -> list[str]:
        """The wording of each item of an area in this year's codebook."""
        return self.codebook.loc[self.codebook["area"] == area, "wording"].tolist()

    def comparison(self) -> pd.DataFrame:
        """One row per area in report order: council, region and England side by side.

        Columns: area, kind, number, title, short_title, n, score, ci_low, ci_high, rating,
        action, diff_national, p_value, significance, region_score, region_rating,
        region_action, england_score, england_rating, england_action.
        """
        base = self.areas[["area", "kind", "number", "title", "short_title", "order"]]
        own = self.scores.reindex(columns=SCORE_COLUMNS)[
            ["area", "n", "score", "ci_low", "ci_high", "rating", "action", "diff_national", "p_value", "significance"]
        ]
        reg = self.region_scores.reindex(columns=BENCH_COLUMNS)[["area", "score", "rating", "action"]]
        reg = reg.rename(columns={"score": "region_score", "rating": "region_rating", "action": "region_action"})
        nat = self.national_scores.reindex(columns=BENCH_COLUMNS)[["area", "score", "rating", "action"]]
        nat = nat.rename(columns={"score": "england_score", "rating": "england_rating", "action": "england_action"})
        out = base.merge(own, on="area", how="left").merge(reg, on="area", how="left").merge(nat, on="area", how="left")
        return out.sort_values("order").drop(columns="order").reset_index(drop=True)

    def rated(self) -> pd.DataFrame:
        """:meth:`comparison` restricted to the areas the council has a rating for."""
        table = self.comparison()
        return table[table["rating"].notna()].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------
def _int(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _sorted_scores(values: pd.Series) -> tuple[float, ...]:
    return tuple(sorted(float(v) for v in values.dropna()))


def load_council_view(
    project: Project | None, year: int | None, council: str, service: Service | str = "all"
) -> CouncilView:
    """The view of one council (ONS code or name) for a survey year and service from its scoring tables.

    A service's view ('adults', 'children') holds that service's respondents only, benchmarked
    against the same service in its region and England.

    Raises :class:`~healthcheck.errors.UnknownOrganisationError` for a council the reference
    data does not know and :class:`~healthcheck.errors.InputError` when a table is missing.
    """
    project = project or Project.default()
    year = project.resolve_year(year)
    org = organisation_index(project, year).lookup(council)  # as of the year: its councils, and older names
    service = parse_service(service)
    tables = read_tables(project, year, service=service)
    meta = read_meta(project, year)
    params = scored_params(project, year, meta)
    return build_view(
        tables,
        org=org,
        year=year,
        params=params,
        areas=load_areas(project),
        codebook=load_codebook(year, project),
        meta=meta,
        service=service,
    )


def build_view(
    tables: dict[str, pd.DataFrame],
    *,
    org: pd.Series,
    year: int,
    params: ScoringParams,
    areas: pd.DataFrame,
    codebook: pd.DataFrame,
    meta: dict[str, Any] | None = None,
    service: Service = "all",
) -> CouncilView:
    """The view from scoring tables already in memory (``load_council_view`` without the files)."""
    code = str(org["org_code"])
    region = org.get("region")
    region = None if region is None or pd.isna(region) or str(region) == "" else str(region)
    org_scores = tables["org_scores"]
    own = org_scores[org_scores["org_code"] == code]
    ranks = tables["ranks"]
    rank_row = ranks[ranks["org_code"] == code]

    # the count may be blanked with the other figures of an unreportable row: fall back to ranks
    counts = pd.concat([own["n_responses"], rank_row["n_responses"]]).dropna()
    n_responses = int(counts.max()) if not counts.empty else 0  # 0: no valid response at all
    reportable = bool(not own.empty and own["reportable"].fillna(False).astype(bool).all())
    suppressed = not reportable or n_responses < params.min_respondents

    view = CouncilView(
        year=int(year),
        code=code,
        name=str(org["name"]),
        official_name=str(org.get("official_name", "") or ""),
        org_type=str(org.get("org_type", "") or ""),
        region=region,
        n_responses=n_responses,
        suppressed=suppressed,
        params=params,
        areas=areas.reset_index(drop=True),
        codebook=codebook[["item", "area", "reverse", "wording"]].reset_index(drop=True),
        meta=dict(meta or {}),
        service=service,
    )
    if suppressed:
        return view  # no figures at all: only the count and the threshold

    order = area_order(areas)

    def by_area(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        out = frame.reindex(columns=columns).copy()
        out["_o"] = out["area"].map(order)
        return out.sort_values("_o").drop(columns="_o").reset_index(drop=True)

    view.scores = by_area(own, SCORE_COLUMNS)

    bench = tables["benchmarks"]
    view.national_scores = by_area(
        bench[(bench["level"] == "national") & (bench["group"] == NATIONAL_GROUP)], BENCH_COLUMNS
    )
    if region is not None:
        view.region_scores = by_area(bench[(bench["level"] == "region") & (bench["group"] == region)], BENCH_COLUMNS)

    if not rank_row.empty:
        r = rank_row.iloc[0]
        view.overall = _float(r["overall"])
        view.ranked = bool(r["ranked"]) if not pd.isna(r["ranked"]) else False
        if view.ranked:
            view.national_rank, view.national_of = _int(r["national_rank"]), _int(r["national_of"])
            view.regional_rank, view.regional_of = _int(r["regional_rank"]), _int(r["regional_of"])

    rates = tables["response_rates"]
    rate_row = rates[rates["org_code"] == code]
    if not rate_row.empty:
        view.headcount = _int(rate_row["headcount"].iloc[0])
        view.response_rate = _float(rate_row["response_rate"].iloc[0])
        if view.headcount is not None and view.headcount < n_responses:  # over 100%: not available (QA log)
            view.response_rate = None

    drivers = tables["drivers"]
    view.drivers_national = by_area(drivers[drivers["level"] == "national"], DRIVER_COLUMNS)
    view.drivers_own = by_area(drivers[(drivers["level"] == "org") & (drivers["org_code"] == code)], DRIVER_COLUMNS)
    key = tables["key_drivers"]
    key_row = key[key["org_code"] == code]
    if not key_row.empty:
        k = key_row.iloc[0]
        view.key_driver_area = str(k["area"])
        view.key_driver_rho = _float(k["rho"])
        view.key_driver_source = str(k["source"])

    items = tables["items"]
    groups = [("org", code), ("national", NATIONAL_GROUP)] + ([("region", region)] if region else [])
    mask = pd.Series(False, index=items.index)
    for level, group in groups:
        mask |= (items["level"] == level) & (items["group"] == group)
    chosen = items[mask].merge(codebook[["item", "wording"]], on="item", how="left")
    item_order = {item: i for i, item in enumerate(codebook["item"])}
    chosen = chosen.reindex(columns=ITEM_COLUMNS)
    chosen["_o"] = chosen["item"].map(item_order)
    view.items = chosen.sort_values(["_o", "level"]).drop(columns="_o").reset_index(drop=True)

    # the other organisations: bare numbers only, so no score can be tied to a name
    others = org_scores[(org_scores["org_code"] != code) & org_scores["reportable"].astype(bool)]
    view.others_by_area = {a: _sorted_scores(others.loc[others["area"] == a, "score"]) for a in area_codes(areas)}
    other_ranks = ranks[(ranks["org_code"] != code) & ranks["org_code"].isin(others["org_code"].unique())]
    view.others_overall = _sorted_scores(other_ranks["overall"])

    # national participation: counts only
    taking_part = ranks[ranks["n_responses"].fillna(0) > 0]
    orgs = org_scores.drop_duplicates("org_code")[["org_code", "org_type"]]
    types = taking_part[["org_code"]].merge(orgs, on="org_code", how="left")["org_type"]
    view.national_non_councils = int((types == "Non-council").sum())
    view.national_councils = int(len(types) - view.national_non_councils)
    view.national_responses = int(taking_part["n_responses"].sum())
    return view


# --------------------------------------------------------------------------------------
# tables for the report
# --------------------------------------------------------------------------------------
SIGNIFICANCE_WORDS = {
    "above": "Significantly above",
    "below": "Significantly below",
    "no difference": "No significant difference",
}


def rating_table(view: CouncilView) -> pd.DataFrame:
    """Each standard and other area: council, region and England scores and ratings.

    Scores stay unrounded numbers (a spreadsheet keeps them whole; documents show them rounded
    half up: pass ``decimals=0`` to ``show_table``). Each rating is written out with its action
    ('Green (sustain)') in a column of its own. The difference from England is that of the
    scores as shown, so that the table adds up for its reader.
    """
    if view.suppressed:
        return pd.DataFrame()
    table = view.comparison()
    name = view.name

    def number(values: pd.Series) -> pd.Series:
        return pd.to_numeric(values, errors="coerce").astype("Float64")

    def labels(ratings: pd.Series, actions: pd.Series) -> list[str]:
        return [rating_label(r, a) for r, a in zip(ratings, actions, strict=True)]

    out = pd.DataFrame(
        {
            "Area": [
                f"{int(n)}. {t}" if k == "standard" and not pd.isna(n) else t
                for k, n, t in zip(table["kind"], table["number"], table["title"], strict=True)
            ],
            "Base (n)": pd.to_numeric(table["n"], errors="coerce").astype("Int64"),
            f"{name} score": number(table["score"]),
            f"{name} rating": labels(table["rating"], table["action"]),
        }
    )
    if view.region:
        out[f"{view.region} score"] = number(table["region_score"])
        out[f"{view.region} rating"] = labels(table["region_rating"], table["region_action"])
    out["England score"] = number(table["england_score"])
    out["England rating"] = labels(table["england_rating"], table["england_action"])
    shown = [
        round_half_up(s) - round_half_up(e) if not (pd.isna(s) or pd.isna(e)) else math.nan
        for s, e in zip(table["score"], table["england_score"], strict=True)
    ]
    out["Difference from England"] = pd.array([None if pd.isna(v) else int(v) for v in shown], dtype="Int64")
    out["Compared with England"] = [
        SIGNIFICANCE_WORDS.get(s, "") if not pd.isna(s) else "" for s in table["significance"]
    ]
    return out


__all__ = [
    "CouncilView",
    "build_view",
    "load_council_view",
    "rating_table",
]
