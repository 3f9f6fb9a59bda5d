"""Plain English for reports: ratings in words, lists, plurals and possessives."""

from __future__ import annotations

import pandas as pd


def rating_label(rating: object, action: object) -> str:
    """'Green (sustain)': the rating always with its word and action, never colour alone."""
    if rating is None or pd.isna(rating):
        return ""
    if action is None or pd.isna(action):
        return str(rating)
    return f"{rating} ({action})"
