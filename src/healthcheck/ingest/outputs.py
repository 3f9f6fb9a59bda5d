"""Writing the cleaned tables: parquet for the pipeline, a formula-safe CSV QA log for people.

Each file is written atomically (a reader never sees half of one) and byte-for-byte the same for
the same input, so a re-run that changes nothing changes no file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from healthcheck.files import atomic_write
from healthcheck.text.cells import safe_text


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for a CSV file whose text cells cannot start a spreadsheet formula.

    The QA log quotes what was typed in the export (response ids, names, roles), and a person
    opens it in Excel: text starting '=', '+', '-', '@', a tab or a carriage return gets a
    leading apostrophe there (:func:`healthcheck.text.cells.safe_text`). Numbers are untouched.
    """
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(safe_text, na_action="ignore")
    return out


def write_parquet(path: Path, frame: pd.DataFrame) -> Path:
    """``frame`` as a zstd-compressed parquet file, without its index."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def write_qa_csv(path: Path, log: pd.DataFrame) -> Path:
    """A QA log as UTF-8 CSV with LF line ends, its text made formula-safe (:func:`formula_safe`)."""
    safe = formula_safe(log)
    return atomic_write(path, lambda tmp: safe.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8"))
