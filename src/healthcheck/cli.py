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


CouncilOpt = Annotated[
    Optional[list[str]], typer.Option("--council", help="ONS code or name; repeat for several (default: all).")
]
FormatsOpt = Annotated[str, typer.Option("--formats", help="Comma-separated: html,docx,pdf,xlsx.")]
WorkersOpt = Annotated[Optional[int], typer.Option("--workers", help="Parallel workers (default: number of cores).")]
EngineOpt = Annotated[str, typer.Option("--engine", help="native (default) or quarto (when on PATH).")]


def _formats(text: str) -> tuple[str, ...]:
    return tuple(f.strip().lower() for f in text.split(",") if f.strip())


def _ensure_scored(project: Project, year: int) -> None:
    from .manifest import SCORING_FILES

    folder = project.processed_dir(year)
    if all((folder / name).is_file() for name in SCORING_FILES):
        return
    from .clean import clean_year
    from .score import score_year

    if not (folder / "responses.parquet").is_file():
        console.print(clean_year(project, year).summary())
    score_year(project, year)
    console.print(f"scored {year}")


def _batch(
    project: Project, year: int, councils: list[str] | None, formats: tuple[str, ...], workers: int | None,
    force: bool, engine: str, executor: str, scheduler: str | None, execute: bool = True,
) -> int:  # fmt: skip
    """Run the batch with a progress bar, write the index and run record, print failures; exit code."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Table

    from .batch import resolve_targets, run_batch, write_run_record
    from .index import write_index

    targets, unknown = resolve_targets(project, year, councils)
    counts = {"ok": 0, "skipped": 0, "failed": len(unknown)}
    started = time.perf_counter()
    columns = [
        TextColumn("[bold]reports {task.fields[year]}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("done {task.fields[ok]} · skipped {task.fields[skipped]} · [red]failed {task.fields[failed]}"),
        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
    ]  # fmt: skip
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("reports", total=len(targets), year=year, **counts)

        def on_result(result) -> None:
            counts[result.status] += 1
            progress.update(task, advance=1, **counts)

        results = run_batch(
            project, year, targets, formats=formats, workers=workers, force=force, engine=engine,
            executor=executor, scheduler=scheduler, execute=execute, on_result=on_result,
        )  # fmt: skip
    results = unknown + results
    seconds = time.perf_counter() - started
    write_run_record(project, year, results, seconds=seconds, formats=formats)
    index = write_index(project, year, results, seconds=seconds)
    console.print(
        f"{counts['ok']} built, {counts['skipped']} up to date, {counts['failed']} failed in {seconds:.0f} s; index: {index}"
    )
    failures = [r for r in results if r.status == "failed"]
    if failures:
        table = Table(title="Failures", show_lines=True)
        table.add_column("Organisation")
        table.add_column("Cause")
        for r in failures:
            table.add_row(f"{r.name} ({r.org_code})" if r.org_code else r.name, r.cause)
        console.print(table)
        console.print(f"failed notebooks are kept in {project.reports_dir(year) / '_failed'}")
        return 1
    return 0


@app.command()
def report(
    council: CouncilOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Every organisation in the scoring tables.")] = False,
    year: YearOpt = None,
    formats: FormatsOpt = "html,docx,pdf,xlsx",
    workers: WorkersOpt = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when nothing changed.")] = False,
    engine: EngineOpt = "native",
) -> None:
    """Execute and render the report of the named councils (or --all)."""
    project = _project()
    if not council and not all_:
        raise typer.BadParameter("name a council with --council (code or name), or pass --all")
    year = project.resolve_year(year)
    _ensure_scored(project, year)
    code = _batch(project, year, None if all_ else council, _formats(formats), workers, force, engine, "local", None)
    raise typer.Exit(code)


@app.command()
def render(
    council: CouncilOpt = None,
    year: YearOpt = None,
    formats: FormatsOpt = "html,docx,pdf,xlsx",
    workers: WorkersOpt = None,
    engine: EngineOpt = "native",
) -> None:
    """Re-render already executed report notebooks, without executing them again."""
    project = _project()
    year = project.resolve_year(year)
    code = _batch(project, year, council, _formats(formats), workers, True, engine, "local", None, execute=False)
    raise typer.Exit(code)


@app.command()
def run(
    council: CouncilOpt = None,
    year: YearOpt = None,
    formats: FormatsOpt = "html,docx,pdf,xlsx",
    workers: WorkersOpt = None,
    force: Annotated[bool, typer.Option(help="Rebuild every report even when nothing changed.")] = False,
    engine: EngineOpt = "native",
    executor: Annotated[str, typer.Option(help="local (process pool) or dask.")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (default: a local cluster).")] = None,
) -> None:
    """The whole pipeline: sample (if no raw data), clean, score, every report, index page."""
    from .clean import clean_year
    from .sample import write_sample
    from .score import score_year

    project = _project()
    if not project.raw_years():
        for path in write_sample(project):
            console.print(f"wrote {path}")
    year = project.resolve_year(year)
    console.print(clean_year(project, year).summary())
    score_year(project, year)
    console.print(f"scored {year}")
    code = _batch(project, year, council, _formats(formats), workers, force, engine, executor, scheduler)
    raise typer.Exit(code)


def main() -> None:
    """Entry point: bad input and parameters end with a clear message and exit code 2."""
    try:
        app()
    except HealthcheckError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
