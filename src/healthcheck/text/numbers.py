"""Numbers as a reader sees them, rounded by one rule everywhere.

Ratings are given to the score *as printed*, so the rating and the number beside it must be
rounded the same way: :func:`round_half_up` is the only rounding function in the package, used
by scoring (the rating bands), every table, sentence, chart label and spreadsheet.

The rule: halves go away from zero (74.5 -> 75, 2.5 -> 3, -2.5 -> -3), as Excel's ROUND and
the LGA's published reports do, not to even as Python's ``round`` does. A score is a mean of
many floats, so a score of exactly 50.5 can arrive as 50.49999999999999: the value is first
snapped to 9 decimal places (at the precision asked for), so binary noise on either side of a
half reads as the half.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import pandas as pd

#: Decimal places a value is snapped to before rounding: float noise below this is not a difference.
SNAP_DECIMALS = 9


@overload
def round_half_up(value: float | None, digits: int = 0) -> float: ...
@overload
def round_half_up(value: np.ndarray | pd.Series, digits: int = 0) -> np.ndarray: ...
def round_half_up(value, digits=0):  # type: ignore[no-untyped-def]
    """``value`` rounded half away from zero to ``digits`` places; NaN (or None, NA) stays NaN.

    A scalar gives a float, an array or Series a NumPy array of floats.
    """
    if isinstance(value, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        arr = value.to_numpy(dtype=float, na_value=np.nan)
    elif np.ndim(value) == 0:
        if value is None or pd.isna(value):
            return float("nan")
        arr = np.asarray(float(value))
    else:
        arr = np.asarray(value, dtype=float)
    scale = 10.0**digits
    snapped = np.round(arr * scale, SNAP_DECIMALS)
    out = np.sign(snapped) * np.floor(np.abs(snapped) + 0.5) / scale
    out = out + 0.0  # -0.0 reads as 0
    return float(out) if out.ndim == 0 else out


def whole_number(value: float | None) -> int | None:
    """``value`` rounded half up to an int; None when missing."""
    rounded = round_half_up(value)
    return None if np.isnan(rounded) else int(rounded)


def format_number(value: float | None, digits: int = 0, *, thousands: bool = True) -> str:
    """``value`` rounded half up and printed with ``digits`` places ('1,234.5'); '' when missing."""
    rounded = round_half_up(value, digits)
    if np.isnan(rounded):
        return ""
    return f"{rounded:{',' if thousands else ''}.{digits}f}"


def fmt_score(value: float | None) -> str:
    """A 0-100 score as the whole number its rating was given to ('' when missing)."""
    return format_number(value, 0, thousands=False)


def fmt_rho(value: float | None) -> str:
    """A correlation to two decimals ('' when missing)."""
    return format_number(value, 2, thousands=False)


def fmt_percent(value: float | None, digits: int = 0) -> str:
    """A per cent with its sign ('45%', '11.3%'); '' when missing."""
    text = format_number(value, digits)
    return f"{text}%" if text else ""
