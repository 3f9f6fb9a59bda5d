"""The worker survey export's fixed columns and categories (docs/data-contracts.md).

Besides one column per codebook item, an export has these meta columns and, optionally, the
free-text comments; ``service`` and ``role`` take these labels. The cleaner checks exports
against them and the sample generator writes them, so both read them from here.
"""

from __future__ import annotations

#: Columns every export has (besides the items of the year's codebook), in contract order.
META_COLUMNS = ["response_id", "submitted", "org_code", "org_name", "service", "role", "completed"]
#: Free-text columns: optional in the export (filled with missing when absent), after the items.
COMMENT_COLUMNS = ["comment_best", "comment_improve"]
SERVICES = ["Adults", "Children", "Both"]
ROLES = ["Social worker", "Senior practitioner", "Team manager", "Principal social worker", "Other"]
