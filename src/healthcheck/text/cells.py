"""Text bound for a spreadsheet cell or a CSV file, made safe to open.

A person opens QA logs and workbooks in Excel, where text starting ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return would be taken for a formula. Such text gets a leading apostrophe, so
it is shown and never evaluated; numbers pass through (a negative number is data).
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """``value`` made safe for a cell: text that looks like a formula gets a leading apostrophe.

    Numbers and None pass through unchanged (a negative number is data, not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
