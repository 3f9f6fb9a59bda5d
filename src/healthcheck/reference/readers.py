"""Reading the committed reference files: CSV text, required columns checked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from healthcheck.errors import InputError


def read_reference_csv(path: Path, required: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError("reference file is missing", file=path)
    # utf-8-sig: a file saved from Excel as "CSV UTF-8" starts with a byte-order mark
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}", file=path, column=missing[0])
    return frame
