"""The `healthcheck` command line: sample, clean, score, report, render and run.

Exit codes: 0 all done, 1 some councils failed (the rest finished), 2 bad input or parameters.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer
from rich.console import Console

from .config import Project
from .errors import HealthcheckError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Reproducible reporting for the Social Work Health Check.",
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)

YearOpt = Annotated[Optional[int], typer.Option("--year", help="Survey year (default: the latest present).")]


def _project() -> Project:
    return Project.default()


@app.command()
def sample(
    year: Annotated[
        Optional[list[int]], typer.Option("--year", help="Year(s) to write (default: 2020, 2021 and 2022).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bytes.")] = 2020,
    force: Annotated[bool, typer.Option(help="Overwrite an existing raw export.")] = False,
) -> None:
    """Write the realistic, seeded sample raw export(s) and headcounts."""
    from .sample import write_sample

    written = write_sample(_project(), years=year or None, seed=seed, force=force)
    for path in written:
        console.print(f"wrote {path}")


@app.command()
def clean(year: YearOpt = None) -> None:
    """Clean a year's raw export into data/processed/<year>/responses.parquet and the QA log."""
    from .clean import clean_year

    project = _project()
    result = clean_year(project, project.resolve_year(year))
    console.print(result.summary())


@app.command()
def score(year: YearOpt = None) -> None:
    """Score the cleaned responses: areas, ratings, benchmarks, ranks, drivers, items."""
    from .score import score_year

    project = _project()
    paths = score_year(project, project.resolve_year(year))
    for path in paths:
        console.print(f"wrote {path}")


def main() -> None:
    """Entry point: bad input and parameters end with a clear message and exit code 2."""
    try:
        app()
    except HealthcheckError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
