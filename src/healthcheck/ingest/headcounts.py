"""Headcounts: how many social workers each organisation has (``params/<year>/headcounts.csv``).

The response rate of an organisation is its valid responses against this headcount. The file is
optional: without it every rate is unknown, never guessed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError


def no_headcounts() -> pd.DataFrame:
    """The empty headcounts table: no organisation's headcount is known."""
    return pd.DataFrame({"org_code": pd.Series(dtype="string"), "headcount": pd.Series(dtype="Int64")})


def read_headcounts(path: Path) -> pd.DataFrame:
    """``org_code,headcount``; an absent file gives an empty table (rates are then unknown)."""
    if not path.is_file():
        return no_headcounts()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in ("org_code", "headcount"):
        if col not in frame.columns:
            raise InputError("missing required column", file=path, column=col)
    frame["org_code"] = frame["org_code"].str.strip().str.upper()
    counts = pd.to_numeric(frame["headcount"].str.strip(), errors="coerce")
    bad = counts.isna() & (frame["headcount"].str.strip() != "") | (counts < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"headcount must be a whole number, got {frame['headcount'].iloc[row]!r}",
                         file=path, row=row + 2, column="headcount")  # fmt: skip
    frame["headcount"] = counts.astype("Int64")
    return frame[["org_code", "headcount"]]


def load_headcounts(project: Project, year: int) -> pd.DataFrame:
    """A year's headcounts (:func:`read_headcounts` of ``params/<year>/headcounts.csv``)."""
    return read_headcounts(catalogue.HEADCOUNTS.path(project, year))
