"""The `healthcheck` command line: sample, clean, score, report, render and run.

Exit codes: 0 all done, 1 some reports failed (the rest finished), 2 bad input or parameters.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from healthcheck.config import SAMPLE_YEARS, Project
from healthcheck.errors import HealthcheckError, ParameterError
from healthcheck.reference.services import parse_service

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


def _print_step(step: Any) -> None:
    """What a pipeline step did, as the user reads it: a cleaning summary, 'scored 2022', or nothing."""
    if step.status == "skipped":
        if step.stage == "clean_return":
            console.print(f"{step.year}: no organisational return ({step.reason})")
        elif step.stage == "clean":
            console.print(f"{step.year}: no worker survey ({step.reason}): only the organisational return is reported")
        return
    if step.status != "built":
        return
    if step.stage in ("clean", "clean_return"):
        console.print(step.result.summary() if step.result else step.result.message)
    elif step.stage == "score":
        console.print(f"scored {step.year}")
    elif step.stage == "trends" and step.result:
        console.print(f"{step.year}: compared with the previous round")


@app.command()
@_exits
def sample(
    year: Annotated[
        Optional[list[int]], typer.Option("--year", help="Year(s) to write (default: 2020, 2021 and 2022).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bytes.")] = 2020,
    force: Annotated[bool, typer.Option(help="Overwrite an existing raw export.")] = False,
) -> None:
    """Write the realistic, seeded sample raw export(s), headcounts and organisational return(s)."""
    from healthcheck import pipeline
    from healthcheck.catalogue import ORG_RETURN_RAW

    project = _project()
    kept = [y for y in (year or SAMPLE_YEARS) if not force and ORG_RETURN_RAW.exists(project, y)]
    survey, returns = pipeline.write_sample(project, year or None, seed=seed, force=force)
    for path in survey:
        console.print(f"wrote {path}")
    for y in kept:
        console.print(
            f"kept the existing organisational return {ORG_RETURN_RAW.path(project, y)} (--force replaces it)"
        )
    for path in returns:
        console.print(f"wrote {path}")


@app.command()
@_exits
def clean(year: YearOpt = None) -> None:
    """Clean a year's worker survey export and organisational return into data/processed/<year>/."""
    from healthcheck import pipeline

    project = _project()
    year = project.resolve_year(year)
    # each instrument from whichever of the two files the year has (the 2018 round had the return alone)
    _print_step(pipeline.run(project, year, "clean", force=pipeline.has_survey(project, year)))
    _print_step(pipeline.run(project, year, "clean_return", force=True))


@app.command()
@_exits
def score(year: YearOpt = None) -> None:
    """Score the cleaned responses (areas, ratings, benchmarks, ranks, drivers, items) and compare with last year."""
    from healthcheck import pipeline

    project = _project()
    year = project.resolve_year(year)
    if not pipeline.has_survey(project, year):
        raise ParameterError(f"no worker survey for {year}: there is nothing to score (its return needs no scoring)")
    for stage in ("score", "trends"):
        step = pipeline.run(project, year, stage, force=True)
        for path in step.result or []:
            console.print(f"wrote {path}")


def _ensure(project: Project, year: int) -> None:
    """Build whatever the year's reports need that is missing or stale (earlier years first)."""
    from healthcheck import pipeline

    pipeline.ensure(project, year, on_step=_print_step)


CouncilOpt = Annotated[
    Optional[list[str]], typer.Option("--council", help="ONS code or name; repeat for several (default: all).")
]
FormatsOpt = Annotated[str, typer.Option("--formats", help="Comma-separated: html,docx,pdf,xlsx.")]
WorkersOpt = Annotated[Optional[int], typer.Option("--workers", help="Parallel workers (default: number of cores).")]
EngineOpt = Annotated[str, typer.Option("--engine", help="native (default) or quarto (when on PATH).")]
FreeTextOpt = Annotated[
    bool,
    typer.Option(
        "--free-text/--no-free-text",
        help="Council reports show their own respondents' comments, redacted (default: off).",
    ),
]
ServiceOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--service",
        help="all, adults or children; repeat for several (default: all). A service's report is built where "
        "a council has enough respondents in it.",
    ),
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds one notebook may run before it is stopped.")]
NationalOpt = Annotated[
    Optional[bool],
    typer.Option("--national/--no-national", help="The national worker-survey report (default: on unless --council)."),
]
RegionalOpt = Annotated[
    Optional[bool],
    typer.Option("--regional/--no-regional", help="One report per region (default: on unless --council)."),
]
RegionOpt = Annotated[
    Optional[list[str]], typer.Option("--region", help="Only this region's report, e.g. 'North West'; repeatable.")
]
OrgReturnOpt = Annotated[
    Optional[bool],
    typer.Option(
        "--org-return/--no-org-return",
        help="The national report of the organisational return (default: on unless --council).",
    ),
]
ALL_FORMATS = "html,docx,pdf,xlsx"


def _formats(text: str) -> tuple[str, ...]:
    return tuple(f.strip().lower() for f in text.split(",") if f.strip())


def _selection(
    councils: list[str] | None, national: bool | None, regional: bool | None, regions: list[str] | None,
    org_return: bool | None, *, default: bool,
) -> dict[str, Any]:  # fmt: skip
    """Which national and regional reports to build: as asked, else ``default`` (off when councils are named)."""
    on = default and not councils
    return {
        "national": on if national is None else national,
        "regions": list(regions) if regions else (on if regional is None else regional),
        "org_return": on if org_return is None else org_return,
    }


def _batch(
    project: Project, year: int, councils: list[str] | None, formats: tuple[str, ...], *, workers: int | None,
    force: bool, engine: str, executor: str = "local", scheduler: str | None = None, execute: bool = True,
    timeout: float = 600.0, include_councils: bool = True, selection: dict[str, Any] | None = None,
    explicit: bool = True, free_text: bool = False, services: list[str] | None = None,
) -> int:  # fmt: skip
    """Run the batch with a progress bar, write the run record and index, print failures; the exit code.

    ``selection`` (from :func:`_selection`) adds the national, regional and return reports; a
    kind whose notebook is missing is skipped with a message. With ``execute`` false and
    ``explicit`` false, only those already executed are re-rendered.
    """
    from datetime import datetime

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from healthcheck.batch import (
        check_options,
        default_workers,
        resolve_targets,
        run_batch,
        special_targets,
        write_run_record,
    )
    from healthcheck.batch.index import write_index

    formats = check_options(formats, engine, executor, workers)
    selection = selection or {"national": False, "regions": False, "org_return": False}
    specials, notes = special_targets(project, year, **selection, need_notebooks=execute)
    if not execute and not explicit:  # render: only what has been executed before
        specials = [t for t in specials if (project.reports_dir(year) / t.slug / "report.ipynb").is_file()]
    from healthcheck.pipeline import has_survey

    if include_councils and not has_survey(project, year):
        notes.append(f"no worker survey for {year}: the council reports are skipped")
        include_councils = False
    for note in notes:
        console.print(f"[yellow]skipped:[/] {note}")
    units = [parse_service(s) for s in services] if services else None  # None: all services
    targets, unknown = resolve_targets(project, year, councils, units) if include_councils else ([], [])
    targets = [*specials, *targets]
    for result in unknown:
        console.print(f"[red]{result.name}:[/] {result.cause}")
    tally = {"ok": 0, "skipped": 0, "failed": len(unknown)}
    began, started = datetime.now(UTC), time.perf_counter()
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
            on_result=on_result, on_plan=on_plan, free_text=free_text,
        )  # fmt: skip
    results = [*unknown, *results]
    seconds = time.perf_counter() - started
    options = {
        "command": "render" if not execute else "run",
        "councils": (councils or "all") if include_councils else "none", "formats": list(formats),
        "workers": workers or default_workers(), "executor": executor, "engine": engine, "force": force,
        "free_text": free_text, "services": services or "default", **selection, "skipped_kinds": notes,
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
    table.add_column("Report")
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
    national: NationalOpt = None,
    regional: RegionalOpt = None,
    region: RegionOpt = None,
    org_return: OrgReturnOpt = None,
    free_text: FreeTextOpt = False,
    service: ServiceOpt = None,
) -> None:
    """Execute and render the named councils' reports (or --all), and any national or regional ones asked for.

    Cleans, scores and compares with earlier years first, where their tables are missing or stale.
    """
    selection = _selection(council, national, regional, region, org_return, default=False)
    if not council and not all_ and not any(selection.values()):
        raise ParameterError(
            "name a council with --council (ONS code or name, repeatable), or pass --all, "
            "--national, --regional, --region or --org-return"
        )
    project = _project()
    year = project.resolve_year(year)
    _ensure(project, year)
    code = _batch(
        project, year, None if all_ else council, _formats(formats), workers=workers, force=force,
        engine=engine, timeout=timeout, include_councils=bool(council or all_), selection=selection,
        free_text=free_text, services=service,
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
    national: NationalOpt = None,
    regional: RegionalOpt = None,
    region: RegionOpt = None,
    org_return: OrgReturnOpt = None,
) -> None:
    """Re-render already executed report notebooks (reports/<year>/<slug>/report.ipynb) without executing.

    Without --council: every council's, and the national and regional reports already executed.
    """
    project = _project()
    year = project.resolve_year(year)
    selection = _selection(council, national, regional, region, org_return, default=True)
    explicit = any(v is not None for v in (national, regional, org_return)) or bool(region)
    code = _batch(
        project, year, council, _formats(formats), workers=workers, force=True, engine=engine, execute=False,
        selection=selection, explicit=explicit,
    )  # fmt: skip
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
    national: NationalOpt = None,
    regional: RegionalOpt = None,
    region: RegionOpt = None,
    org_return: OrgReturnOpt = None,
    free_text: FreeTextOpt = False,
    service: ServiceOpt = None,
) -> None:
    """The whole pipeline: sample (if there is no raw data), clean, score, trends, every report, index pages.

    Every council's report, the national and regional reports and the national report of the
    organisational return; with --council only the councils named, unless asked for the others.
    """
    from healthcheck import pipeline
    from healthcheck.batch import check_options

    check_options(_formats(formats), engine, executor, workers)  # before minutes of work, not after
    selection = _selection(council, national, regional, region, org_return, default=True)
    project = _project()
    survey, returns = pipeline.sample_if_empty(project)
    for path in [*survey, *returns]:
        console.print(f"wrote {path}")
    year = project.resolve_year(year)
    _ensure(project, year)
    code = _batch(
        project, year, council, _formats(formats), workers=workers, force=force, engine=engine,
        executor=executor, scheduler=scheduler, timeout=timeout, selection=selection, free_text=free_text,
        services=service,
    )  # fmt: skip
    raise typer.Exit(code)


@app.command("quarto-filter", hidden=True)
def quarto_filter() -> None:
    """Quarto's ipynb filter (named in _quarto.yml): an executed report notebook in, Quarto's form of it out.

    Quarto runs it in the notebook's folder, with the notebook's JSON on standard input.
    """
    from healthcheck.errors import RenderError
    from healthcheck.publish.render.quarto import filter_notebook

    try:
        sys.stdout.write(filter_notebook(sys.stdin.read(), Path.cwd()))
    except RenderError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from None


@app.command()
@_exits
def paper(
    council: Annotated[str, typer.Option("--council", help="ONS code or name of the council, e.g. Halton.")],
    service: Annotated[str, typer.Option("--service", help="adults (default), children or both.")] = "adults",
    year: YearOpt = None,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", help="Where to write the .docx (default: reports/<year>/committee-papers/)."),
    ] = None,
    appendix: Annotated[
        bool, typer.Option("--appendix/--no-appendix", help="Append the local report as Appendix 1 (default: on).")
    ] = True,
    workers: WorkersOpt = None,
) -> None:
    """Write a committee paper draft for one council (Word), with its local report as Appendix 1.

    Builds what is missing first (cleaning, scoring, the local report's Word file). The figures and
    findings come from the data; the council's boiler plate from params/paper/<code>.yaml; its Word
    house style from params/house_style/<code>.docx when there is one.
    """
    from healthcheck.batch import resolve_targets, run_batch
    from healthcheck.paper import SERVICES, make_paper
    from healthcheck.pipeline import has_survey

    if service not in SERVICES:
        raise ParameterError(f"--service must be one of {', '.join(SERVICES)}, got {service!r}")
    project = _project()
    year = project.resolve_year(year)
    _ensure(project, year)
    if not has_survey(project, year):
        raise ParameterError(
            f"no worker survey for {year}: a committee paper reports the survey; choose another --year"
        )
    targets, unknown = resolve_targets(project, year, [council])
    if unknown:
        raise ParameterError(unknown[0].cause.split(": ", 1)[-1])
    target = targets[0]
    local = None
    if appendix:
        result = run_batch(project, year, [target], formats=("docx",), workers=workers or 1)[0]
        if result.status == "failed":
            raise ParameterError(f"the local report of {target.name} could not be built: {result.cause}")
        local = project.reports_dir(year) / result.outputs["docx"]
        console.print(f"local report ({'reused' if result.status == 'skipped' else 'built'}): {local}")
    path, made = make_paper(project, year, target.org_code, service=service, appendix=local, out=out)
    boxes = sum(
        text.count("[To be completed")
        for section in made.sections
        for block in section.blocks
        for text in [block.text, *block.items]
    ) + sum(value.count("[To be completed") for _, value in made.header)
    console.print(f"wrote {path}")
    console.print(f"{boxes} highlighted box(es) to complete before the paper is tabled (see docs/committee-paper.md)")


@app.command()
@_exits
def index(year: YearOpt = None) -> None:
    """Write the reader's index pages again from the report folders on disk, building nothing.

    ``reports/<year>/index.html`` lists the year's published reports and ``reports/index.html``
    the years that still have some (after a year's folder was deleted or copied in by hand).
    """
    from healthcheck.batch.index import BUILD_RECORD
    from healthcheck.batch.reader import write_reader_index, write_root_index

    project = _project()
    year = project.resolve_year(year)
    if project.reports_dir(year).is_dir():
        record = BUILD_RECORD if (project.reports_dir(year) / BUILD_RECORD).is_file() else None
        console.print(f"index: {write_reader_index(project, year, build_record=record)}")
    console.print(f"years: {write_root_index(project)}")


def main() -> None:
    """Entry point: bad input and parameters end with a clear message and exit code 2."""
    try:
        app()
    except HealthcheckError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
