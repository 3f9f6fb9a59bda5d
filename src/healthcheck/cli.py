"""The `healthcheck` command line: sample, clean, score, report, render and run.

Exit codes: 0 all done, 1 some councils failed (the rest finished), 2 bad input or parameters.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from .config import Project
from .errors import HealthcheckError, ParameterError

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
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds one notebook may run before it is stopped.")]
ALL_FORMATS = "html,docx,pdf,xlsx"


def _exits(func: Callable[..., None]) -> Callable[..., None]:
    """Bad input or parameters end the command with a clear message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except HealthcheckError as exc:
            console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(2) from None

    return wrapper


def _formats(text: str) -> tuple[str, ...]:
    return tuple(f.strip().lower() for f in text.split(",") if f.strip())


def _ensure_scored(project: Project, year: int) -> None:
    """Clean and score the year only if its scoring tables are missing."""
    from .council import scoring_complete

    if scoring_complete(project, year):
        return
    from .clean import clean_year
    from .score import score_year

    if not (project.processed_dir(year) / "responses.parquet").is_file():
        console.print(clean_year(project, year).summary())
    score_year(project, year)
    console.print(f"scored {year}")


def _batch(
    project: Project, year: int, councils: list[str] | None, formats: tuple[str, ...], *, workers: int | None,
    force: bool, engine: str, executor: str = "local", scheduler: str | None = None, execute: bool = True,
    timeout: float = 600.0,
) -> int:  # fmt: skip
    """Run the batch with a progress bar, write the run record and index, print failures; the exit code."""
    from datetime import datetime, timezone

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from .batch import check_options, default_workers, resolve_targets, run_batch, write_run_record
    from .index import write_index

    formats = check_options(formats, engine, executor, workers)
    targets, unknown = resolve_targets(project, year, councils)
    for result in unknown:
        console.print(f"[red]{result.name}:[/] {result.cause}")
    tally = {"ok": 0, "skipped": 0, "failed": len(unknown)}
    began, started = datetime.now(timezone.utc), time.perf_counter()
    columns = [
        TextColumn("[bold]reports {task.fields[year]}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("done {task.fields[ok]} · skipped {task.fields[skipped]} · [red]failed {task.fields[failed]}[/]"),
        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
    ]  # fmt: skip
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task("reports", total=len(targets), year=year, **tally)

        def on_plan(to_build: int, up_to_date: int) -> None:
            # skipped reports take no time: count them out of the estimate of time left
            progress.update(bar, total=to_build, skipped=up_to_date)

        def on_result(result: Any) -> None:
            tally[result.status] += 1
            progress.update(bar, advance=0 if result.status == "skipped" else 1, **tally)

        results = run_batch(
            project, year, targets, formats=formats, workers=workers, force=force, engine=engine,
            executor=executor, scheduler=scheduler, execute=execute, timeout=timeout,
            on_result=on_result, on_plan=on_plan,
        )  # fmt: skip
    results = [*unknown, *results]
    seconds = time.perf_counter() - started
    options = {
        "command": "render" if not execute else "run", "councils": councils or "all", "formats": list(formats),
        "workers": workers or default_workers(), "executor": executor, "engine": engine, "force": force,
    }  # fmt: skip
    record = write_run_record(project, year, results, seconds=seconds, options=options, started=began)
    index = write_index(project, year, results, seconds=seconds)
    return _summary(project, year, results, seconds=seconds, index=index, record=record)


def _summary(project: Project, year: int, results: list, *, seconds: float, index: Path, record: Path) -> int:
    """Print the counts, a table of failures with their causes, and any retries; the exit code."""
    from rich.table import Table

    tally = {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed")}
    console.print(
        f"{tally['ok']} built, {tally['skipped']} up to date, {tally['failed']} failed in {seconds:.0f} s\n"
        f"index: {index}\nrun record: {record}"
    )
    retried = [(r, note) for r in results for note in r.retries]
    if retried:
        table = Table(title="Retried (transient kernel problems)", show_lines=True)
        table.add_column("Organisation")
        table.add_column("What happened")
        for r, note in retried:
            table.add_row(f"{r.name} ({r.org_code})", note)
        console.print(table)
    failures = [r for r in results if r.status == "failed"]
    if not failures:
        return 0
    table = Table(title=f"{len(failures)} report(s) failed", show_lines=True)
    table.add_column("Organisation")
    table.add_column("Code")
    table.add_column("Cause")
    table.add_column("Executed notebook")
    base = project.reports_dir(year)
    for r in failures:
        table.add_row(r.name, r.org_code or "-", r.cause, str(base / r.failed_notebook) if r.failed_notebook else "-")
    console.print(table)
    return 1


@app.command()
@_exits
def report(
    council: CouncilOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Every organisation in the scoring tables.")] = False,
    year: YearOpt = None,
    formats: FormatsOpt = ALL_FORMATS,
    workers: WorkersOpt = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when nothing changed.")] = False,
    engine: EngineOpt = "native",
    timeout: TimeoutOpt = 600.0,
) -> None:
    """Execute and render the report of the named councils (or --all); cleans and scores only if needed."""
    if not council and not all_:
        raise ParameterError("name a council with --council (ONS code or name, repeatable), or pass --all")
    project = _project()
    year = project.resolve_year(year)
    _ensure_scored(project, year)
    code = _batch(
        project, year, None if all_ else council, _formats(formats), workers=workers, force=force,
        engine=engine, timeout=timeout,
    )  # fmt: skip
    raise typer.Exit(code)


@app.command()
@_exits
def render(
    council: CouncilOpt = None,
    year: YearOpt = None,
    formats: FormatsOpt = ALL_FORMATS,
    workers: WorkersOpt = None,
    engine: EngineOpt = "native",
) -> None:
    """Re-render already executed report notebooks (reports/<year>/<slug>/report.ipynb) without executing."""
    project = _project()
    year = project.resolve_year(year)
    code = _batch(project, year, council, _formats(formats), workers=workers, force=True, engine=engine, execute=False)
    raise typer.Exit(code)


@app.command()
@_exits
def run(
    council: CouncilOpt = None,
    year: YearOpt = None,
    formats: FormatsOpt = ALL_FORMATS,
    workers: WorkersOpt = None,
    force: Annotated[bool, typer.Option(help="Rebuild every report even when nothing changed.")] = False,
    executor: Annotated[str, typer.Option(help="local (process pool) or dask.")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (default: a local cluster).")] = None,
    engine: EngineOpt = "native",
    timeout: TimeoutOpt = 600.0,
) -> None:
    """The whole pipeline: sample (if there is no raw data), clean, score, every report, index page."""
    from .batch import check_options
    from .clean import clean_year
    from .sample import write_sample
    from .score import score_year

    check_options(_formats(formats), engine, executor, workers)  # before minutes of work, not after
    project = _project()
    if not project.raw_years():
        for path in write_sample(project):
            console.print(f"wrote {path}")
    year = project.resolve_year(year)
    console.print(clean_year(project, year).summary())
    score_year(project, year)
    console.print(f"scored {year}")
    code = _batch(
        project, year, council, _formats(formats), workers=workers, force=force, engine=engine,
        executor=executor, scheduler=scheduler, timeout=timeout,
    )  # fmt: skip
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
