"""Which questions carry over between two survey rounds, so that change is measured like for like.

A question carries over when it has the same id, area, scoring direction and wording in both
codebooks, or when the year's item map (``params/<year>/item_map.csv``) says so for a renamed or
reworded question; docs/trends.md gives every rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from healthcheck import catalogue as cat
from healthcheck.config import Project
from healthcheck.errors import InputError

ITEM_COLUMNS = ["area", "item", "wording", "previous_area", "previous_item", "previous_wording", "status", "shared"]
COVERAGE_COLUMNS = ["area", "items_now", "items_before", "items_shared"]


def _true_false(text: str) -> bool | None:
    value = str(text).strip().lower()
    return {"true": True, "false": False}.get(value)


def load_item_map(project: Project, year: int) -> pd.DataFrame:
    """``params/<year>/item_map.csv``: how that year's questions relate to earlier rounds' (may be absent).

    Columns ``item`` (the id in the year's codebook), ``previous_item`` (its id in earlier
    rounds), ``carried_over`` (true: comparable despite a new id or wording; false: not
    comparable even if id and wording match) and an optional ``note``; a ``year`` column is added.
    """
    path = cat.ITEM_MAP.path(project, year)
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
    flags = frame["carried_over"].map(_true_false)
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


def comparable_items(
    previous: pd.DataFrame, current: pd.DataFrame, item_map: pd.DataFrame | None = None
) -> pd.DataFrame:
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


def coverage(items: pd.DataFrame, areas: Sequence[str]) -> pd.DataFrame:
    """Per area of ``areas`` (every one, in order): questions asked now, asked before, and shared by both years."""
    now = items[items["item"].notna()].groupby("area").size()
    before = items[items["previous_item"].notna()].groupby("previous_area").size()
    shared = items[items["shared"]].groupby("area").size()
    out = pd.DataFrame({"area": list(areas)})
    for col, counts in (("items_now", now), ("items_before", before), ("items_shared", shared)):
        out[col] = out["area"].map(counts).fillna(0).astype("int64")
    return out[COVERAGE_COLUMNS]
