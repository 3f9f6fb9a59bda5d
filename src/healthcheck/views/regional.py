"""A region's report of the worker survey: the region against England, and its organisations.

Organisations are named only where ``params/consent_to_be_named.csv`` records their consent
and they have at least ``min_respondents`` valid responses. Every other organisation appears
only as an unlabelled value in the region's spread of scores, never with its name, code, or a
label that ties a score to it across tables or areas. The spread itself (lowest, quartiles,
highest, counts by rating and the unlabelled values) is shown only when it cannot point to one
organisation: at least ``min_region_orgs`` organisations report, and the unnamed ones among
them are either none or at least ``min_region_orgs`` (with one or two unnamed beside named
ones, the spread minus the named scores would give the unnamed ones' scores away).

The region is tested against the rest of England (Welch's t-test, as organisations are in
``score.py``) from the pooled figures of ``benchmarks``: each group's standard deviation is
recovered from its confidence interval (half-width = t(n - 1) * sd / sqrt(n)) and the rest of
England's moments are England's less the region's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from healthcheck.config import Project
from healthcheck.errors import ParameterError
from healthcheck.params import Band, ScoringParams
from healthcheck.reference.organisations import REGIONS, normalise
from healthcheck.scoring.stats import sd_from_t_interval, welch
from healthcheck.text.numbers import round_half_up
from healthcheck.text.words import in_region, rating_label
from healthcheck.views.consent import consenting, load_consent
from healthcheck.views.council import NATIONAL_GROUP, SIGNIFICANCE_WORDS
from healthcheck.views.national import NationalView, distribution_table, load_national_view


# --------------------------------------------------------------------------------------
# the view
# --------------------------------------------------------------------------------------
def resolve_region(name: str) -> str:
    """A region's name as the reference data spells it ('north west' -> 'North West')."""
    key = normalise(name)
    for region in REGIONS:
        if normalise(region) in (key, key.removeprefix("the ")):  # 'the East of England' too
            return region
    raise ParameterError(f"no English region is called {name!r}: choose one of {', '.join(REGIONS)}")


@dataclass
class RegionalView:
    """One region's slice of the national view, with the codes of the organisations to name."""

    region: str
    national: NationalView
    named_codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def year(self) -> int:
        return self.national.year

    @property
    def meta(self) -> dict:
        return self.national.meta

    @property
    def bands(self) -> list[Band]:
        return self.national.bands

    @property
    def params(self) -> ScoringParams:
        return self.national.params

    def org_rows(self) -> pd.DataFrame:
        """``org_scores`` rows of the region's reporting organisations (all areas)."""
        rep = self.national.reporting()
        return rep[rep["region"] == self.region]

    def reporting_codes(self) -> list[str]:
        return sorted(set(self.org_rows()["org_code"]))

    def named(self) -> list[str]:
        """Reporting organisations of the region that may be named, by code."""
        return [c for c in self.reporting_codes() if c in self.named_codes]

    def unnamed(self) -> list[str]:
        return [c for c in self.reporting_codes() if c not in self.named_codes]


def build_regional_view(
    national: NationalView, region: str, consent: pd.DataFrame | set[str] | None = None
) -> RegionalView:
    """The view of ``region`` from a national view and the consent table (or a set of codes)."""
    region = resolve_region(region)
    if consent is None:
        codes: set[str] = set()
    elif isinstance(consent, pd.DataFrame):
        codes = consenting(consent)
    else:
        codes = {str(c).upper() for c in consent}
    return RegionalView(region=region, national=national, named_codes=frozenset(codes))


def load_regional_view(
    project: Project | None = None, year: int | None = None, region: str = "North West"
) -> RegionalView:
    """The view of one region for a survey year (the latest when None), with the project's consents."""
    project = project or Project.default()
    region = resolve_region(region)  # a bad name fails before any table is read
    national = load_national_view(project, year)
    return build_regional_view(national, region, load_consent(project))


# --------------------------------------------------------------------------------------
# the region against England
# --------------------------------------------------------------------------------------
def comparison(view: RegionalView) -> pd.DataFrame:
    """Per area: the region's and England's pooled scores, the difference, and the test against the rest of England.

    Columns: area, n, score, ci_low, ci_high, rating, action, england_n, england_score,
    england_rating, england_action, diff_national, t_stat, p_value, significance.
    """
    nat_view = view.national
    conf = nat_view.confidence
    reg = nat_view.bench("region", view.region)
    nat = nat_view.bench("national", NATIONAL_GROUP)
    base = pd.DataFrame({"area": nat_view.area_order()})
    reg = reg[["area", "n", "score", "ci_low", "ci_high", "rating", "action"]]
    nat = nat[["area", "n", "score", "ci_low", "ci_high", "rating", "action"]].rename(
        columns=lambda c: c if c == "area" else f"england_{c}"
    )
    out = base.merge(reg, on="area", how="left").merge(nat, on="area", how="left")
    n = out["n"].astype(float).to_numpy()
    m = out["score"].astype(float).to_numpy()
    big_n = out["england_n"].astype(float).to_numpy()
    big_m = out["england_score"].astype(float).to_numpy()
    sd = sd_from_t_interval(out["ci_low"].astype(float).to_numpy(), out["ci_high"].astype(float).to_numpy(), n, conf)
    big_sd = sd_from_t_interval(
        out["england_ci_low"].astype(float).to_numpy(), out["england_ci_high"].astype(float).to_numpy(), big_n, conf
    )
    # the rest of England: England's count, sum and sum of squares less the region's
    rest_n = big_n - n
    with np.errstate(invalid="ignore", divide="ignore"):
        rest_total = big_n * big_m - n * m
        rest_sumsq = ((big_n - 1) * big_sd**2 + big_n * big_m**2) - ((n - 1) * sd**2 + n * m**2)
        rest_m = rest_total / rest_n
        rest_var = (rest_sumsq - rest_n * rest_m**2) / (rest_n - 1)
    rest_sd = np.sqrt(np.where(rest_n > 1, np.maximum(rest_var, 0.0), np.nan))
    t, p = welch(m, sd, n, rest_m, rest_sd, rest_n)
    out["diff_national"] = m - big_m
    out["t_stat"], out["p_value"] = t, p
    out["significance"] = [
        None if np.isnan(pv) else ("no difference" if pv >= nat_view.alpha else ("above" if tv > 0 else "below"))
        for tv, pv in zip(t, p, strict=True)
    ]
    return out


def comparison_table(view: RegionalView) -> pd.DataFrame:
    """The region beside England in each area, ready to show (scores unrounded; show them with decimals=0)."""
    comp = comparison(view)
    nat_view = view.national
    shown = [
        None if pd.isna(s) or pd.isna(e) else int(round_half_up(s) - round_half_up(e))
        for s, e in zip(comp["score"], comp["england_score"], strict=True)
    ]

    def words(rating: pd.Series, action: pd.Series) -> list[str]:
        return [rating_label(r, a) for r, a in zip(rating, action, strict=True)]

    return pd.DataFrame(
        {
            "Area": [nat_view.label(a, short=True) for a in comp["area"]],
            "Base (n)": pd.to_numeric(comp["n"], errors="coerce").astype("Int64"),
            f"{view.region} score": comp["score"].astype("Float64"),
            f"{view.region} rating": words(comp["rating"], comp["action"]),
            "England score": comp["england_score"].astype("Float64"),
            "England rating": words(comp["england_rating"], comp["england_action"]),
            "Difference from England": pd.array(shown, dtype="Int64"),
            "Compared with the rest of England": [
                SIGNIFICANCE_WORDS.get(s, "") if s else "" for s in comp["significance"]
            ],
        }
    )


# --------------------------------------------------------------------------------------
# the region's organisations
# --------------------------------------------------------------------------------------
def spread_shown(view: RegionalView) -> tuple[bool, str]:
    """Whether the region's spread of organisation scores can be shown, and if not, why (a sentence)."""
    k = view.params.min_region_orgs
    reporting, unnamed = len(view.reporting_codes()), len(view.unnamed())
    if reporting < k:
        return False, (
            f"Fewer than {k} organisations {in_region(view.region)} had enough responses to report "
            f"({reporting}), so the spread of organisation scores is not shown: it would reveal single organisations' scores."
        )
    if 0 < unnamed < k:
        return False, (
            f"Only {unnamed} of the region's reporting organisations {'has' if unnamed == 1 else 'have'} not agreed "
            "to be named, so the spread of organisation scores is not shown: beside the named organisations' scores "
            f"it would reveal {'its' if unnamed == 1 else 'their'} scores."
        )
    return True, ""


def distribution(view: RegionalView) -> pd.DataFrame:
    """The region's spread of organisation scores per area (empty when :func:`spread_shown` says no)."""
    shown, _ = spread_shown(view)
    if not shown:
        return pd.DataFrame()
    return distribution_table(view.national, level="region", group=view.region, org_rows=view.org_rows())


def unlabelled_scores(view: RegionalView) -> dict[str, tuple[float, ...]]:
    """Every reporting organisation's score in each area as bare sorted numbers (empty when not shown)."""
    shown, _ = spread_shown(view)
    if not shown:
        return {}
    rows = view.org_rows()
    return {
        a: tuple(sorted(float(v) for v in rows.loc[rows["area"] == a, "score"].dropna()))
        for a in view.national.area_order()
    }


def named_table(view: RegionalView, areas: list[str] | None = None) -> pd.DataFrame:
    """The named organisations (consent recorded, enough responses) and their scores, alphabetically.

    Columns: Organisation, Overall score (the mean of the standards; only when ``areas``
    is the standards or None) and one score column per area. No counts of responses: beside the
    region's pooled figures they would help to work out the unnamed organisations' scores.
    """
    nat_view = view.national
    standards = nat_view.standards()
    areas = standards if areas is None else list(areas)
    codes = view.named()
    rows = view.org_rows()
    rows = rows[rows["org_code"].isin(codes)]
    wide = rows.pivot_table(index="org_code", columns="area", values="score", aggfunc="first")
    names = rows.drop_duplicates("org_code").set_index("org_code")["org_name"]
    if not codes:
        return pd.DataFrame(columns=["Organisation"])
    out = pd.DataFrame({"Organisation": [str(names[c]) for c in codes]}, index=codes)
    if set(areas) <= set(standards):
        ranks = nat_view.tables["ranks"].set_index("org_code")["overall"]
        out["Overall score"] = [float(ranks[c]) if c in ranks.index and not pd.isna(ranks[c]) else None for c in codes]
    for area in areas:
        col = nat_view.label(area, short=True)
        out[col] = [float(wide.loc[c, area]) if c in wide.index and area in wide.columns and not pd.isna(wide.loc[c, area])
                    else None for c in codes]  # fmt: skip
    out = out.sort_values("Organisation", key=lambda s: s.str.lower()).reset_index(drop=True)
    for col in out.columns[1:]:
        out[col] = pd.array(out[col].tolist(), dtype="Float64")
    return out


def has_responses(view: RegionalView) -> bool:
    """Whether the region has pooled figures at all (some respondent in the year)."""
    return bool(view.national.bench("region", view.region)["score"].notna().any())


__all__ = [
    "RegionalView",
    "build_regional_view",
    "comparison",
    "comparison_table",
    "distribution",
    "has_responses",
    "load_regional_view",
    "named_table",
    "resolve_region",
    "spread_shown",
    "unlabelled_scores",
]
