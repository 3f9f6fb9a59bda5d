"""Every chart's figures as a table: what a reader who cannot see a chart (or wants its numbers) reads.

The statement-by-statement tables give each statement's whole wording, its base and the shares
agreeing, neither agreeing nor disagreeing and disagreeing, for the council (or region) and
England; the trend tables every year's published score of the council, its region and England;
the others the figures of the council's area, distribution and drivers charts. Scores stay
unrounded (the documents round them half up, the spreadsheet keeps them whole). A statement
share withheld because too few people answered is :data:`CONFIDENTIAL` ('[c]'), the
Analysis Function's shorthand, which every document explains.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthcheck.reference.areas import area_label, area_order, standard_codes
from healthcheck.views.council import CouncilView
from healthcheck.views.regional import RegionalView
from healthcheck.views.trend import CouncilTrend

#: A figure withheld because it rests on too few answers (Analysis Function shorthand).
CONFIDENTIAL = "[c]"
SHARES = {"agree": "agree (%)", "neutral": "neither (%)", "disagree": "disagree (%)"}


def _shares(rows: pd.DataFrame, who: str, *, base: bool = True) -> dict[str, list[object]]:
    """``who``'s base and shares of each statement, '[c]' where a share was withheld."""
    out: dict[str, list[object]] = {}
    if base:
        out[f"{who} base (n)"] = [None if pd.isna(b) else int(b) for b in rows["base"]]
    for share, words in SHARES.items():
        out[f"{who} {words}"] = [CONFIDENTIAL if pd.isna(v) else float(v) for v in rows[share]]
    return out


def _statements(
    items: pd.DataFrame, codebook: pd.DataFrame, areas: pd.DataFrame, level: str, group: str
) -> pd.DataFrame:
    """One group's statement rows in the codebook's order, every statement of the codebook."""
    rows = items[(items["level"] == level) & (items["group"] == group)].drop(columns=["wording"], errors="ignore")
    book = codebook[["item", "area", "wording"]].copy()
    book = book[book["area"].isin(area_order(areas))]
    return book.merge(rows.drop(columns=["area"], errors="ignore"), on="item", how="left")


def statement_table(view: CouncilView, areas: list[str] | None = None) -> pd.DataFrame:
    """The council's and England's base and shares for each statement it has figures for, whole wording."""
    if view.suppressed or view.items.empty:
        return pd.DataFrame()
    shown = view.items[view.items["level"] == "org"]["item"]
    book = view.codebook[view.codebook["item"].isin(set(shown))]
    if areas is not None:
        book = book[book["area"].isin(areas)]
    own = _statements(view.items, book, view.areas, "org", view.code)
    nat = _statements(view.items, book, view.areas, "national", "England")
    out = pd.DataFrame(
        {
            "Area": [area_label(view.areas, a, short=True) for a in own["area"]],
            "Statement": own["wording"].astype(str).tolist(),
            **_shares(own, view.name),
            **_shares(nat, "England"),
        }
    )
    return out


def regional_statement_table(view: RegionalView) -> pd.DataFrame:
    """The region's and England's base and shares for each statement, whole wording."""
    nat_view = view.national
    items = nat_view.tables["items"]
    book = nat_view.codebook
    reg = _statements(items, book, nat_view.areas, "region", view.region)
    nat = _statements(items, book, nat_view.areas, "national", "England")
    keep = reg["base"].notna() | nat["base"].notna()
    reg, nat = reg[keep].reset_index(drop=True), nat[keep].reset_index(drop=True)
    return pd.DataFrame(
        {
            "Area": [nat_view.label(a, short=True) for a in reg["area"]],
            "Statement": reg["wording"].astype(str).tolist(),
            **_shares(reg, view.region),
            **_shares(nat, "England"),
        }
    )


def area_interval_table(view: CouncilView) -> pd.DataFrame:
    """The area comparison chart's figures: the council's score with its interval, its region's and England's."""
    if view.suppressed:
        return pd.DataFrame()
    table = view.comparison()
    level = f"{view.confidence:.0%}"
    out = pd.DataFrame(
        {
            "Area": [area_label(view.areas, a, short=True) for a in table["area"]],
            "Base (n)": pd.to_numeric(table["n"], errors="coerce").astype("Int64"),
            f"{view.name} score": pd.to_numeric(table["score"], errors="coerce").astype("Float64"),
            f"Lower limit ({level})": pd.to_numeric(table["ci_low"], errors="coerce").astype("Float64"),
            f"Upper limit ({level})": pd.to_numeric(table["ci_high"], errors="coerce").astype("Float64"),
        }
    )
    if view.region:
        out[f"{view.region} score"] = pd.to_numeric(table["region_score"], errors="coerce").astype("Float64")
    out["England score"] = pd.to_numeric(table["england_score"], errors="coerce").astype("Float64")
    return out


def spread_table(view: CouncilView) -> pd.DataFrame:
    """The distribution chart's figures: the council's score and the spread of every reporting organisation's.

    Quartiles by linear interpolation between the organisations' scores (the council's included);
    no other organisation is named or can be picked out.
    """
    if view.suppressed:
        return pd.DataFrame()
    own = view.scores.set_index("area")["score"]
    rows = [("Overall score", view.overall, view.others_overall)]
    rows += [
        (area_label(view.areas, a, short=True), own.get(a), view.others_by_area.get(a, ()))
        for a in area_order(view.areas)
    ]
    records = []
    for label, mine, others in rows:
        mine = None if mine is None or pd.isna(mine) else float(mine)
        values = np.asarray([*others, *([mine] if mine is not None else [])], dtype=float)
        q = np.percentile(values, [0, 25, 50, 75, 100]) if len(values) else [np.nan] * 5
        records.append(
            {
                "Area": label,
                f"{view.name} score": mine,
                "Organisations": len(values),
                "Lowest": q[0], "Lower quartile": q[1], "Median": q[2], "Upper quartile": q[3], "Highest": q[4],
                f"Organisations scoring above {view.name}": None if mine is None else int((np.asarray(others) > mine).sum()),
            }
        )  # fmt: skip
    out = pd.DataFrame(records)
    out["Organisations"] = out["Organisations"].astype("Int64")
    out[f"Organisations scoring above {view.name}"] = out[f"Organisations scoring above {view.name}"].astype("Int64")
    for col in (f"{view.name} score", "Lowest", "Lower quartile", "Median", "Upper quartile", "Highest"):
        out[col] = out[col].astype("Float64")
    return out


def drivers_figures(view: CouncilView) -> pd.DataFrame:
    """The drivers chart's figures: England's rho with its interval and base, and the council's own where it has one."""
    if view.suppressed:
        return pd.DataFrame()
    level = f"{view.confidence:.0%}"
    standards = standard_codes(view.areas)
    nat = pd.DataFrame({"area": standards}).merge(view.drivers_national, on="area", how="left")
    out = pd.DataFrame(
        {
            "Standard": [area_label(view.areas, a) for a in standards],
            "England rho": nat["rho"].astype("Float64").to_numpy(),
            f"England lower limit ({level})": nat["ci_low"].astype("Float64").to_numpy(),
            f"England upper limit ({level})": nat["ci_high"].astype("Float64").to_numpy(),
            "England base (n)": pd.to_numeric(nat["n"], errors="coerce").astype("Int64").to_numpy(),
        }
    )
    own = view.drivers_own[view.drivers_own["rho"].notna()] if not view.drivers_own.empty else view.drivers_own
    if not own.empty:
        mine = pd.DataFrame({"area": standards}).merge(own, on="area", how="left")
        out[f"{view.name} rho"] = mine["rho"].astype("Float64").to_numpy()
        out[f"{view.name} lower limit ({level})"] = mine["ci_low"].astype("Float64").to_numpy()
        out[f"{view.name} upper limit ({level})"] = mine["ci_high"].astype("Float64").to_numpy()
        out[f"{view.name} base (n)"] = pd.to_numeric(mine["n"], errors="coerce").astype("Int64").to_numpy()
    return out


def _years_table(series: pd.DataFrame, areas: pd.DataFrame, columns: dict[tuple[str, str | None], str]) -> pd.DataFrame:
    """One row per area and year, a column of published scores per (level, group)."""
    order = area_order(areas)
    frame = series.assign(_o=series["area"].map(order)).dropna(subset=["_o"])
    keys = frame[["area", "year", "_o"]].drop_duplicates().sort_values(["_o", "year"])
    out = pd.DataFrame(
        {
            "Area": [area_label(areas, a, short=True) for a in keys["area"]],
            "Year": keys["year"].astype("int64").to_numpy(),
        }
    )
    for (level, group), heading in columns.items():
        part = frame[(frame["level"] == level) & ((frame["group"] == group) if group is not None else True)]
        scores = part.set_index(["area", "year"])["score"]
        out[heading] = pd.array(
            [scores.get((a, y), np.nan) for a, y in zip(keys["area"], keys["year"], strict=True)], dtype="Float64"
        )
    changed = frame[frame["questions_changed"].astype(bool)][["area", "year"]].drop_duplicates()
    flagged = set(zip(changed["area"], changed["year"], strict=True))
    out["Questions changed that year"] = [
        "Yes" if (a, y) in flagged else "" for a, y in zip(keys["area"], keys["year"], strict=True)
    ]
    return out


def trend_table(trend: CouncilTrend) -> pd.DataFrame:
    """The trend chart's figures: each year's published score of the council, its region and England."""
    if not trend.has_trend:
        return pd.DataFrame()
    columns: dict[tuple[str, str | None], str] = {("org", None): trend.name}
    if trend.region:
        columns[("region", trend.region)] = trend.region
    columns[("national", None)] = "England"
    return _years_table(trend.series, trend.areas, columns)


def national_trend_table(frame: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """England's trend chart's figures: its published score in each area and year."""
    if frame.empty:
        return pd.DataFrame()
    series = frame.assign(level="national", group="England")
    return _years_table(series, areas, {("national", None): "England"})


__all__ = [
    "CONFIDENTIAL", "area_interval_table", "drivers_figures", "national_trend_table", "regional_statement_table",
    "spread_table", "statement_table", "trend_table",
]  # fmt: skip
