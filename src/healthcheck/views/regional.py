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

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from healthcheck.config import Project
from healthcheck.text.numbers import round_half_up
from healthcheck.text.words import rating_label
from healthcheck.views.council import NATIONAL_GROUP, SIGNIFICANCE_WORDS
from healthcheck.errors import InputError, ParameterError
from healthcheck.findings.council import in_region, join_list, plural, possessive, the_region
from healthcheck.views.national import NationalView, distribution_table, highest_lowest_sentence, load_national_view, participation, ratings_sentence
from healthcheck.views.national import notes as national_notes
from healthcheck.reference.organisations import normalise
from healthcheck.params import Band, ScoringParams
from healthcheck.reference.areas import AREAS, OTHER_AREAS, STANDARDS
from healthcheck.reference.organisations import REGIONS, load_organisations
from healthcheck.scoring.score import welch

CONSENT_FILE = "consent_to_be_named.csv"
CONSENT_COLUMNS = ["org_code", "consent", "date", "source"]
_YES, _NO = {"yes", "y"}, {"no", "n"}


# --------------------------------------------------------------------------------------
# consent to be named
# --------------------------------------------------------------------------------------
def _parse_date(text: str) -> date | None:
    """ISO 8601 (2021-01-12) or day first (12/01/2021); None when it is neither."""
    text = text.strip()
    for pattern, dayfirst in ((r"^\d{4}-\d{2}-\d{2}$", False), (r"^\d{1,2}/\d{1,2}/\d{4}$", True)):
        if re.match(pattern, text):
            try:
                return pd.to_datetime(text, dayfirst=dayfirst, format="%Y-%m-%d" if not dayfirst else "%d/%m/%Y").date()
            except (ValueError, TypeError):
                return None
    return None


def read_consent(path: Path, orgs: pd.DataFrame) -> pd.DataFrame:
    """``params/consent_to_be_named.csv``, checked: columns ``org_code, consent, date, source``.

    One row per organisation (a known code, any case); ``consent`` is yes or no; a yes needs a
    ``date`` (2021-01-12 or 12/01/2021) or a ``source`` saying where the consent is recorded.
    Blank lines are skipped, extra columns ignored. A missing file means nobody has consented.
    Every mistake is an :class:`InputError` naming the file, row (header = row 1) and column.
    Returns ``org_code, consent (bool), date, source``.
    """
    empty = pd.DataFrame({"org_code": pd.Series(dtype="str"), "consent": pd.Series(dtype="bool"),
                          "date": pd.Series(dtype="object"), "source": pd.Series(dtype="str")})  # fmt: skip
    if not path.is_file():
        return empty
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty: it needs the header org_code,consent,date,source", file=path, row=1) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV file: {exc}", file=path) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for col in ("org_code", "consent"):
        if col not in frame.columns:
            raise InputError(f"missing required column '{col}' (expected {','.join(CONSENT_COLUMNS)})", file=path, row=1, column=col)
    if "date" not in frame.columns and "source" not in frame.columns:
        raise InputError("needs a 'date' or a 'source' column to record where each consent comes from", file=path, row=1)
    for col in ("date", "source"):
        if col not in frame.columns:
            frame[col] = ""
    known = set(orgs["org_code"].str.upper())
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + 2  # the header is row 1
        cells = {k: str(v).strip() for k, v in rec.items()}
        if not any(cells.values()):
            continue
        code = cells["org_code"].upper()
        if not code:
            raise InputError("org_code is blank", file=path, row=row, column="org_code")
        if code not in known:
            raise InputError(
                f"unknown organisation code {cells['org_code']!r}", file=path, row=row, column="org_code",
                hint="use an ONS code from data/reference/organisations.csv or an NC code from params/organisations_extra.csv",
            )  # fmt: skip
        if code in seen:
            raise InputError(f"organisation {code} is listed twice (first on row {seen[code]})", file=path, row=row, column="org_code")
        seen[code] = row
        answer = cells["consent"].lower()
        if answer not in _YES | _NO:
            raise InputError(f"consent must be yes or no, got {cells['consent']!r}", file=path, row=row, column="consent")
        when = None
        if cells["date"]:
            when = _parse_date(cells["date"])
            if when is None:
                raise InputError(
                    f"date must be a date such as 2021-01-12 or 12/01/2021, got {cells['date']!r}",
                    file=path, row=row, column="date",
                )  # fmt: skip
        consent = answer in _YES
        if consent and when is None and not cells["source"]:
            raise InputError(
                "a consent needs a date or a source (where it is recorded)", file=path, row=row, column="date"
            )
        rows.append({"org_code": code, "consent": consent, "date": when, "source": cells["source"]})
    if not rows:
        return empty
    out = pd.DataFrame(rows).astype({"consent": "bool"})
    out["date"] = pd.Series([r["date"] for r in rows], dtype=object)  # None stays None, not NaN
    return out


def load_consent(project: Project | None = None, orgs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The project's consent file, checked against its organisations."""
    project = project or Project.default()
    orgs = load_organisations(project) if orgs is None else orgs
    return read_consent(project.params_dir / CONSENT_FILE, orgs)


def consenting(consent: pd.DataFrame) -> set[str]:
    """The codes of the organisations that have agreed to be named."""
    return set(consent.loc[consent["consent"].astype(bool), "org_code"])


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


def build_regional_view(national: NationalView, region: str, consent: pd.DataFrame | set[str] | None = None) -> RegionalView:
    """The view of ``region`` from a national view and the consent table (or a set of codes)."""
    region = resolve_region(region)
    if consent is None:
        codes: set[str] = set()
    elif isinstance(consent, pd.DataFrame):
        codes = consenting(consent)
    else:
        codes = {str(c).upper() for c in consent}
    return RegionalView(region=region, national=national, named_codes=frozenset(codes))


def load_regional_view(project: Project | None = None, year: int | None = None, region: str = "North West") -> RegionalView:
    """The view of one region for a survey year (the latest when None), with the project's consents."""
    project = project or Project.default()
    region = resolve_region(region)  # a bad name fails before any table is read
    national = load_national_view(project, year)
    return build_regional_view(national, region, load_consent(project))


# --------------------------------------------------------------------------------------
# the region against England
# --------------------------------------------------------------------------------------
def _sd_from_ci(ci_low: np.ndarray, ci_high: np.ndarray, n: np.ndarray, confidence: float) -> np.ndarray:
    """The standard deviation behind a t-interval: half-width * sqrt(n) / t(confidence, n - 1)."""
    n = n.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        tcrit = stats.t.ppf((1 + confidence) / 2, n - 1)
        return (ci_high - ci_low) / 2 * np.sqrt(n) / tcrit


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
    sd = _sd_from_ci(out["ci_low"].astype(float).to_numpy(), out["ci_high"].astype(float).to_numpy(), n, conf)
    big_sd = _sd_from_ci(out["england_ci_low"].astype(float).to_numpy(), out["england_ci_high"].astype(float).to_numpy(), big_n, conf)
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
            "Compared with the rest of England": [SIGNIFICANCE_WORDS.get(s, "") if s else "" for s in comp["significance"]],
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
    return {a: tuple(sorted(float(v) for v in rows.loc[rows["area"] == a, "score"].dropna())) for a in AREAS}


def named_table(view: RegionalView, areas: list[str] | None = None) -> pd.DataFrame:
    """The named organisations (consent recorded, enough responses) and their scores, alphabetically.

    Columns: Organisation, Overall score (the mean of the eight standards; only when ``areas``
    is the standards or None) and one score column per area. No counts of responses: beside the
    region's pooled figures they would help to work out the unnamed organisations' scores.
    """
    nat_view = view.national
    areas = list(STANDARDS) if areas is None else list(areas)
    codes = view.named()
    rows = view.org_rows()
    rows = rows[rows["org_code"].isin(codes)]
    wide = rows.pivot_table(index="org_code", columns="area", values="score", aggfunc="first")
    names = rows.drop_duplicates("org_code").set_index("org_code")["org_name"]
    if not codes:
        return pd.DataFrame(columns=["Organisation"])
    out = pd.DataFrame({"Organisation": [str(names[c]) for c in codes]}, index=codes)
    if set(areas) <= set(STANDARDS):
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


# --------------------------------------------------------------------------------------
# sentences
# --------------------------------------------------------------------------------------
def has_responses(view: RegionalView) -> bool:
    """Whether the region has pooled figures at all (some respondent in the year)."""
    return bool(view.national.bench("region", view.region)["score"].notna().any())


def headline(view: RegionalView) -> list[str]:
    """The opening sentences: who responded in the region, its ratings, highest and lowest, differences."""
    nat_view = view.national
    part = participation(nat_view, view.region)
    where = the_region(view.region)
    if not has_responses(view):
        return [
            f"No valid responses were received from organisations {in_region(view.region)} in the {view.year} "
            "Social Work Health Check, so there are no regional figures."
        ]
    who = [plural(part["councils"], "council")]
    if part["non_councils"]:
        who.append(plural(part["non_councils"], "non-council employer"))
    national = participation(nat_view)
    sentences = [
        f"In {where}, "
        f"{plural(part['responses'], 'social worker')} from {plural(part['organisations'], 'organisation')} "
        f"({join_list(who)}) responded to the {view.year} Social Work Health Check, out of "
        f"{national['responses']:,} across England."
    ]
    bench = nat_view.bench("region", view.region)
    if text := ratings_sentence(nat_view, bench, "Across the region"):
        sentences.append(text)
    if text := highest_lowest_sentence(nat_view, bench, _capital(where)):
        sentences.append(text)
    comp = comparison(view)
    above = [nat_view.short_title(a) for a in comp.loc[comp["significance"] == "above", "area"]]
    below = [nat_view.short_title(a) for a in comp.loc[comp["significance"] == "below", "area"]]
    if above or below:
        parts = []
        if above:
            parts.append(f"significantly above the rest of England on {join_list(above)}")
        if below:
            parts.append(f"significantly below {'it' if above else 'the rest of England'} on {join_list(below)}")
        sentences.append(f"{_capital(where)} scored {' and '.join(parts)}.")
    elif comp["significance"].notna().any():
        sentences.append(f"None of {possessive(where)} scores differed significantly from the rest of England.")
    named, unnamed = len(view.named()), len(view.unnamed())
    if part["reporting"]:
        sentences.append(
            f"Of the {plural(part['reporting'], 'organisation')} with enough responses to report, "
            f"{named} agreed to be named in this report"
            + (f"; the other {unnamed} appear only as unnamed values." if unnamed else ".")
        )
    return sentences


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def unnamed_note(view: RegionalView) -> str:
    """What the report says about organisations it does not name."""
    nat_view = view.national
    part = participation(nat_view, view.region)
    lines = []
    unnamed = len(view.unnamed())
    if unnamed:
        lines.append(
            f"Of the region's organisations with enough responses to report, {unnamed} "
            f"{'has' if unnamed == 1 else 'have'} not agreed to be named: "
            f"{'its' if unnamed == 1 else 'their'} scores count in the regional figures and the spread of scores, "
            "but are not shown against a name."
        )
    if part["too_small"]:
        lines.append(
            f"A further {plural(part['too_small'], 'organisation')} had fewer than {nat_view.min_respondents} valid "
            "responses and {} not reported on {} own; {} respondents count in the regional figures.".format(
                "is" if part["too_small"] == 1 else "are",
                "its" if part["too_small"] == 1 else "their",
                "its" if part["too_small"] == 1 else "their",
            )
        )
    return " ".join(lines)


def notes(view: RegionalView) -> str:
    """The regional report's notes: the national ones and the rule for naming organisations."""
    k = view.params.min_region_orgs
    naming = (
        "- **Naming organisations.** An organisation is named only where params/consent_to_be_named.csv records "
        f"its consent and it has at least {view.params.min_respondents} valid responses. Any other organisation "
        "appears only as an unnamed value in the spread of scores, which is shown only when at least "
        f"{k} organisations report and the unnamed ones are none or at least {k}. Named organisations' numbers "
        "of responses are not shown, so that the unnamed ones' scores cannot be worked out from the regional figures."
    )
    return national_notes(view.national) + "\n" + naming


__all__ = [
    "CONSENT_FILE",
    "OTHER_AREAS",
    "in_region",
    "notes",
    "RegionalView",
    "build_regional_view",
    "comparison",
    "comparison_table",
    "consenting",
    "distribution",
    "has_responses",
    "headline",
    "load_consent",
    "load_regional_view",
    "named_table",
    "read_consent",
    "resolve_region",
    "spread_shown",
    "unlabelled_scores",
    "unnamed_note",
]
