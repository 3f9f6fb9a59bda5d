"""One base exception for the project, with specific subclasses.

Every message says what went wrong, where (file, row, column) and what to do next.
"""

from __future__ import annotations

from pathlib import Path


class HealthcheckError(Exception):
    """Base class for every error the pipeline raises on purpose."""


class InputError(HealthcheckError):
    """Bad input data: names the file and, where it applies, the row and column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.hint = hint
        self.reason = message
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column '{column}'")
        text = f"{', '.join(where)}: {message}" if where else message
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class ParameterError(HealthcheckError):
    """A parameter (council, year, option or params/ file) is invalid."""


class UnknownOrganisationError(ParameterError):
    """A council was named that the reference data does not know."""


class RenderError(HealthcheckError):
    """Turning an executed notebook into a document failed."""


class ReportError(HealthcheckError):
    """Executing a report notebook failed."""
