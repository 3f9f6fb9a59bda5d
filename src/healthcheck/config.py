"""Every path the pipeline reads or writes, defined once.

A :class:`Project` is anchored on a root folder (the repository by default, or the
``HEALTHCHECK_ROOT`` environment variable, which tests use to work in a temporary copy).
Nothing builds paths from the current directory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from healthcheck.errors import ParameterError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]

_YEAR = re.compile(r"^(19|20)\d{2}$")


def default_root() -> Path:
    """The project root: ``$HEALTHCHECK_ROOT`` if set, else the repository holding this package."""
    env = os.environ.get("HEALTHCHECK_ROOT")
    return Path(env).resolve() if env else REPO_ROOT


@dataclass(frozen=True)
class Project:
    """The folders of one project checkout."""

    root: Path

    @classmethod
    def default(cls) -> Project:
        return cls(default_root())

    # inputs -------------------------------------------------------------
    @property
    def reference_dir(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def params_dir(self) -> Path:
        return self.root / "params"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    def raw_dir(self, year: int) -> Path:
        return self.root / "data" / "raw" / str(year)

    def year_params_dir(self, year: int) -> Path:
        return self.params_dir / str(year)

    # outputs ------------------------------------------------------------
    def processed_dir(self, year: int) -> Path:
        return self.root / "data" / "processed" / str(year)

    @property
    def reports_root(self) -> Path:
        return self.root / "reports"

    def reports_dir(self, year: int) -> Path:
        return self.reports_root / str(year)

    def key(self, path: Path) -> str:
        """A path as records name it: relative to the root with forward slashes (absolute if outside)."""
        path = Path(path)
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    # years --------------------------------------------------------------
    def raw_years(self) -> list[int]:
        """Survey years that have a raw export folder, oldest first."""
        base = self.root / "data" / "raw"
        if not base.is_dir():
            return []
        return sorted(int(p.name) for p in base.iterdir() if p.is_dir() and _YEAR.match(p.name))

    def processed_years(self) -> list[int]:
        base = self.root / "data" / "processed"
        if not base.is_dir():
            return []
        return sorted(int(p.name) for p in base.iterdir() if p.is_dir() and _YEAR.match(p.name))

    def latest_year(self) -> int:
        """The latest year with raw data, else with processed data."""
        years = self.raw_years() or self.processed_years()
        if not years:
            raise ParameterError(
                f"no survey year found under {self.root / 'data' / 'raw'}; "
                "run `healthcheck sample` to create the sample data, or pass --year"
            )
        return years[-1]

    def resolve_year(self, year: int | None) -> int:
        """``year`` if given (validated), else the latest year present."""
        if year is None:
            return self.latest_year()
        if not _YEAR.match(str(year)):
            raise ParameterError(f"--year must be a four-digit year, got {year!r}")
        return int(year)


#: Default sample survey year; the 2020 round is the one the Halton paper reports.
SAMPLE_YEARS = (2020, 2021, 2022)
