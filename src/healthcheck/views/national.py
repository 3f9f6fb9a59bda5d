"""The national report of the worker survey: England's view of the scoring tables.

:func:`load_national_view` reads the aggregate scoring tables of ``data/processed/<year>/``
(never the responses). Each table function returns a DataFrame ready for
:func:`healthcheck.publish.display.show_table`: the thirteen areas with England's pooled score,
confidence interval, rating and action; the spread of organisations' scores in each area; every
region's pooled score; the drivers of the wish to stay; the national share agreeing with each
statement. No organisation is named: organisations appear only as counts and as unlabelled
values in the distribution. Its sentences are written by :mod:`healthcheck.findings.national`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from healthcheck.config import Project
from healthcheck.params import Band, ScoringParams
from healthcheck.reference.areas import area_codes, area_label, area_title, load_areas, standard_codes
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import NON_COUNCIL, REGIONS
from healthcheck.views.council import NATIONAL_GROUP
from healthcheck.views.tables import read_meta, read_tables, scored_params

#: Column headings of the distribution columns of ``benchmarks``, as a reader sees them.
DISTRIBUTION_HEADINGS = {
    "min": "Lowest",
    "q1": "Lower quartile",
    "median": "Median",
    "q3": "Upper quartile",
    "max": "Highest",
}


@dataclass
class NationalView:
    """The scoring tables of one year with the parameters and reference data that read them."""

    year: int
    tables: dict[str, pd.DataFrame]
    params: ScoringParams
    areas: pd.DataFrame = field(default_factory=pd.DataFrame)
    codebook: pd.DataFrame = field(default_factory=pd.DataFrame)
    meta: dict[str, Any] = field(default_factory=dict)

    # the parameters under the names the shared sentence helpers (findings.py) read ---------
    @property
    def bands(self) -> list[Band]:
        return list(self.params.bands)

    @property
    def confidence(self) -> float:
        return self.params.confidence

    @property
    def alpha(self) -> float:
        return self.params.alpha

    @property
    def min_respondents(self) -> int:
        return self.params.min_respondents

    @property
    def min_region_orgs(self) -> int:
        return self.params.min_region_orgs

    @property
    def min_item_base(self) -> int:
        return self.params.min_item_base

    # areas --------------------------------------------------------------------------------
    def title(self, area: str) -> str:
        return area_title(self.areas, area)

    def short_title(self, area: str) -> str:
        return area_title(self.areas, area, short=True)

    def label(self, area: str, *, short: bool = False) -> str:
        """'6. Continuing professional development' ('6. CPD' when short); other areas by title alone."""
        return area_label(self.areas, area, short=short)

    def area_order(self) -> list[str]:
        """The areas in report order."""
        return area_codes(self.areas)

    def standards(self) -> list[str]:
        """The standards in report order."""
        return standard_codes(self.areas)

    # tables -------------------------------------------------------------------------------
    def bench(self, level: str, group: str) -> pd.DataFrame:
        """The benchmark rows of one group, one per area in report order."""
        b = self.tables["benchmarks"]
        rows = b[(b["level"] == level) & (b["group"] == group)]
        return _by_area(rows, self.area_order())

    def reporting(self) -> pd.DataFrame:
        """Rows of ``org_scores`` of organisations with at least ``min_respondents`` valid responses."""
        org = self.tables["org_scores"]
        return org[org["reportable"].fillna(False).astype(bool)]


def _by_area(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    rank = {a: i for i, a in enumerate(order)}
    out = frame[frame["area"].isin(rank)].copy()
    out["_o"] = out["area"].map(rank)
    return out.sort_values("_o").drop(columns="_o").reset_index(drop=True)


# --------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------
def load_national_view(project: Project | None = None, year: int | None = None) -> NationalView:
    """The national view of a survey year (the latest when None) from its scoring tables."""
    project = project or Project.default()
    year = project.resolve_year(year)
    tables = read_tables(project, year)
    meta = read_meta(project, year)
    return build_national_view(
        tables,
        year=year,
        params=scored_params(project, year, meta),
        areas=load_areas(project),
        codebook=load_codebook(year, project),
        meta=meta,
    )


def build_national_view(
    tables: dict[str, pd.DataFrame],
    *,
    year: int,
    params: ScoringParams,
    areas: pd.DataFrame,
    codebook: pd.DataFrame,
    meta: dict[str, Any] | None = None,
) -> NationalView:
    """The view from scoring tables already in memory (``load_national_view`` without the files)."""
    return NationalView(
        year=int(year),
        tables=dict(tables),
        params=params,
        areas=areas.reset_index(drop=True),
        codebook=codebook.reset_index(drop=True),
        meta=dict(meta or {}),
    )


# --------------------------------------------------------------------------------------
# counts
# --------------------------------------------------------------------------------------
def participation(view: NationalView, region: str | None = None) -> dict[str, int]:
    """How many took part: responses, organisations (councils, non-councils), reporting, too small.

    With ``region``, only that region's organisations. Counts only: no organisation is named.
    """
    org = view.tables["org_scores"].drop_duplicates("org_code")
    if region is not None:
        org = org[org["region"] == region]
    counts = pd.to_numeric(org["n_responses"], errors="coerce")
    # a suppressed row may have lost its count with its figures: fall back to ranks
    ranks = view.tables["ranks"].drop_duplicates("org_code").set_index("org_code")["n_responses"]
    counts = counts.fillna(org["org_code"].map(pd.to_numeric(ranks, errors="coerce"))).fillna(0)
    taking = org[counts > 0]
    non_councils = int((taking["org_type"] == NON_COUNCIL).sum())
    reporting = int(taking["reportable"].fillna(False).astype(bool).sum())
    return {
        "responses": int(counts.sum()),
        "organisations": len(taking),
        "councils": len(taking) - non_councils,
        "non_councils": non_councils,
        "reporting": reporting,
        "too_small": len(taking) - reporting,
    }


def _rating_counts(view: NationalView, rows: pd.DataFrame) -> pd.DataFrame:
    """Per area, how many organisations were rated in each band (columns 'Rated Green' ...)."""
    order = [b.rating for b in sorted(view.bands, key=lambda b: -b.min)]
    rated = rows.dropna(subset=["rating"])
    if rated.empty:
        counts = pd.DataFrame(0, index=view.area_order(), columns=order)
    else:
        counts = rated.groupby(["area", "rating"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=view.area_order(), columns=order, fill_value=0).fillna(0).astype("int64")
    counts.columns = [f"Rated {r}" for r in order]
    return counts.rename_axis("area").reset_index()


# --------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------
def england_scores(view: NationalView) -> pd.DataFrame:
    """England's benchmark row per area (contract columns of ``benchmarks``), in report order."""
    return view.bench("national", NATIONAL_GROUP)


def area_table(view: NationalView) -> pd.DataFrame:
    """Each standard and other area: England's pooled score, its confidence interval, rating and action."""
    nat = england_scores(view)
    level = f"{view.confidence:.0%}"
    return pd.DataFrame(
        {
            "Area": [view.label(a) for a in nat["area"]],
            "Base (n)": pd.to_numeric(nat["n"], errors="coerce").astype("Int64"),
            "England score": nat["score"].astype("Float64"),
            f"Lower limit ({level})": nat["ci_low"].astype("Float64"),
            f"Upper limit ({level})": nat["ci_high"].astype("Float64"),
            "Rating": nat["rating"].astype(object).where(nat["rating"].notna(), None).tolist(),
            "Action": nat["action"].astype(object).where(nat["action"].notna(), None).tolist(),
        }
    )


def distribution_table(view: NationalView, *, level: str = "national", group: str = NATIONAL_GROUP,
                       org_rows: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """The spread of reporting organisations' scores in each area and how many were rated in each band.

    Lowest, quartiles and highest come from ``benchmarks`` (blank where fewer than
    ``min_region_orgs`` organisations report); the counts by rating from ``org_scores``
    (``org_rows``: the organisations counted, by default every reporting one).
    """
    bench = view.bench(level, group)
    rows = view.reporting() if org_rows is None else org_rows
    counts = _rating_counts(view, rows)
    table = bench[["area", "orgs", *DISTRIBUTION_HEADINGS]].merge(counts, on="area", how="left")
    out = pd.DataFrame({"Area": [view.label(a, short=True) for a in table["area"]],
                        "Organisations": table["orgs"].astype("Int64")})  # fmt: skip
    for col, heading in DISTRIBUTION_HEADINGS.items():
        out[heading] = table[col].astype("Float64")
    for col in counts.columns:
        if col != "area":
            out[col] = table[col].fillna(0).astype("Int64")
    return out


def region_groups(view: NationalView) -> list[str]:
    """The regions with benchmark rows, in the reference order (unknown names last, sorted)."""
    b = view.tables["benchmarks"]
    present = set(b.loc[b["level"] == "region", "group"].dropna())
    return [r for r in REGIONS if r in present] + sorted(present - set(REGIONS))


def regional_scores(view: NationalView) -> pd.DataFrame:
    """Each region's pooled score in each area beside England's (rows: areas; columns: England, regions)."""
    out = pd.DataFrame({"Area": [view.label(a, short=True) for a in view.area_order()]})
    out["England"] = england_scores(view).set_index("area")["score"].reindex(view.area_order()).to_numpy()
    for region in region_groups(view):
        out[region] = view.bench("region", region).set_index("area")["score"].reindex(view.area_order()).to_numpy()
    for col in out.columns[1:]:
        out[col] = out[col].astype("Float64")
    return out


def regional_ratings(view: NationalView) -> pd.DataFrame:
    """The ratings matching :func:`regional_scores` ('Green', 'Amber', 'Red'), same rows and columns."""

    def ratings(level: str, group: str) -> list[object]:
        series = view.bench(level, group).set_index("area")["rating"].reindex(view.area_order())
        return [None if pd.isna(r) else str(r) for r in series]

    out = pd.DataFrame({"Area": [view.label(a, short=True) for a in view.area_order()]})
    out["England"] = ratings("national", NATIONAL_GROUP)
    for region in region_groups(view):
        out[region] = ratings("region", region)
    return out


def national_drivers(view: NationalView) -> pd.DataFrame:
    """The national driver rows of the standards, strongest association first."""
    d = view.tables["drivers"]
    nat = d[(d["level"] == "national") & d["area"].isin(view.standards())].copy()
    nat = nat.sort_values(["rho", "area"], ascending=[False, True], na_position="last")
    return nat.reset_index(drop=True)


def drivers_table(view: NationalView) -> pd.DataFrame:
    """How each standard goes with the desire to stay nationally: rho with its interval and the regression beta."""
    nat = national_drivers(view)
    level = f"{view.confidence:.0%}"
    return pd.DataFrame(
        {
            "Rank": pd.array(range(1, len(nat) + 1), dtype="Int64"),
            "Standard": [view.label(a) for a in nat["area"]],
            "Base (n)": pd.to_numeric(nat["n"], errors="coerce").astype("Int64"),
            "Spearman's rho": nat["rho"].astype("Float64"),
            f"Lower limit ({level})": nat["ci_low"].astype("Float64"),
            f"Upper limit ({level})": nat["ci_high"].astype("Float64"),
            "Standardised coefficient (beta)": nat["beta"].astype("Float64"),
        }
    )


def key_driver_counts(view: NationalView) -> pd.DataFrame:
    """How many organisations have each standard as their key driver from their own responses."""
    key = view.tables["key_drivers"]
    own = key[key["source"] == "own"]
    standards = view.standards()
    counts = own.groupby("area").size().reindex(standards, fill_value=0)
    return pd.DataFrame(
        {"Standard": [view.label(a) for a in standards], "Organisations": counts.astype("Int64").to_numpy()}
    )


def items_table(view: NationalView, area: str | None = None) -> pd.DataFrame:
    """England's share agreeing, neither, and disagreeing with each statement, as asked (not reversed)."""
    items = view.tables["items"]
    nat = items[(items["level"] == "national") & (items["group"] == NATIONAL_GROUP)]
    if area is not None:
        nat = nat[nat["area"] == area]
    book = (
        view.codebook[["item", "wording"]] if "wording" in view.codebook else pd.DataFrame(columns=["item", "wording"])
    )
    nat = nat.merge(book, on="item", how="left")
    order = {item: i for i, item in enumerate(view.codebook["item"])} if "item" in view.codebook else {}
    area_rank = {a: i for i, a in enumerate(view.area_order())}
    nat = nat.assign(_a=nat["area"].map(area_rank), _o=nat["item"].map(order)).sort_values(["_a", "_o", "item"])
    return pd.DataFrame(
        {
            "Area": [view.label(a, short=True) for a in nat["area"]],
            "Statement": [w if isinstance(w, str) else i for w, i in zip(nat["wording"], nat["item"], strict=True)],
            "Base (n)": nat["base"].astype("Int64").to_numpy(),
            "Agree (%)": nat["agree"].astype("Float64").to_numpy(),
            "Neither (%)": nat["neutral"].astype("Float64").to_numpy(),
            "Disagree (%)": nat["disagree"].astype("Float64").to_numpy(),
        }
    )


def overall_spread(view: NationalView, codes: pd.Series | None = None) -> dict[str, float] | None:
    """Lowest, quartiles and highest of ranked organisations' overall scores (None below ``min_region_orgs``)."""
    ranks = view.tables["ranks"]
    ranked = ranks[ranks["ranked"].fillna(False).astype(bool) & ranks["overall"].notna()]
    if codes is not None:
        ranked = ranked[ranked["org_code"].isin(set(codes))]
    if len(ranked) < view.min_region_orgs:
        return None
    values = ranked["overall"].astype(float)
    return {"orgs": float(len(values)), "min": values.min(), "q1": values.quantile(0.25),
            "median": values.median(), "q3": values.quantile(0.75), "max": values.max()}  # fmt: skip


__all__ = [
    "NationalView",
    "area_table",
    "build_national_view",
    "distribution_table",
    "drivers_table",
    "england_scores",
    "items_table",
    "key_driver_counts",
    "load_national_view",
    "national_drivers",
    "overall_spread",
    "participation",
    "region_groups",
    "regional_ratings",
    "regional_scores",
]
