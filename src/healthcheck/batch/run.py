"""Every report of a year in one run: parallel, incremental, atomic, and failure-tolerant.

* **Incremental**: before anything runs, the parent compares each report's manifest with the
  inputs and settings of this run (:func:`healthcheck.batch.manifest.check_current`); a report
  whose inputs, notebook, parameters, package and outputs are all unchanged is skipped, so a
  rerun redoes only what failed or changed. ``force`` redoes everything.
* **Failure-tolerant**: a task never raises (:func:`healthcheck.batch.build.build_report`); a
  failure is recorded with its cause and the others go on.
* **Fast**: workers keep a warm kernel and one Chromium between reports, in a ``spawn``
  process pool or the processes of a Dask cluster (``executor="dask"``;
  :mod:`healthcheck.batch.pool`).
* **One at a time**: a run holds ``reports/<year>/.lock`` (:func:`run_lock`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from healthcheck.batch.build import Task, clean_stale
from healthcheck.batch.execute import DEFAULT_TIMEOUT
from healthcheck.batch.manifest import check_current, read_manifest, report_inputs
from healthcheck.batch.manifest import settings as make_settings
from healthcheck.batch.pool import EXECUTORS, default_workers, run_dask, run_here, run_pool
from healthcheck.batch.targets import (
    KIND_TEXT,
    NOTEBOOKS,
    Result,
    Target,
    notebook_path,
    safe_out_dir,
    target_parameters,
)
from healthcheck.config import Project
from healthcheck.errors import ParameterError
from healthcheck.publish.formats import ENGINES, FORMATS
from healthcheck.publish.render.quarto import quarto_available


def check_options(formats: Sequence[str], engine: str, executor: str, workers: int | None) -> tuple[str, ...]:
    """Validate the batch options (ParameterError, exit code 2); returns the formats in order."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ParameterError(f"unknown format(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}: choose native or quarto")
    if engine == "quarto" and not quarto_available():
        raise ParameterError("--engine quarto needs the quarto command on PATH; install Quarto or use --engine native")
    if executor not in EXECUTORS:
        raise ParameterError(f"unknown executor {executor!r}: choose local or dask")
    if workers is not None and workers < 1:
        raise ParameterError(f"--workers must be at least 1, got {workers}")
    return formats


@contextlib.contextmanager
def run_lock(project: Project, year: int) -> Iterator[None]:
    """Only one run at a time may write ``reports/<year>/`` (its temp folders would collide)."""
    base = project.reports_dir(year)
    base.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(base / ".lock", "w", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ParameterError(f"another healthcheck run is writing {base}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def plan(
    project: Project,
    year: int,
    targets: Sequence[Target],
    *,
    formats: Sequence[str],
    engine: str = "native",
    force: bool = False,
    execute: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    free_text: bool = False,
) -> tuple[list[Task], list[Result]]:
    """Split targets into tasks to run and results for the ones already up to date.

    Each kind of report runs its own notebook (:data:`NOTEBOOKS`) with the inputs
    :func:`healthcheck.batch.manifest.report_inputs` lists for it. A missing council notebook is a
    :class:`ParameterError`; a missing notebook of another kind fails that report alone.
    """
    kinds = {t.kind for t in targets}
    for kind in kinds:
        notebook_path(project, kind)  # an unknown kind: ParameterError
    if execute and "council" in kinds and not notebook_path(project, "council").is_file():
        raise ParameterError(f"the report notebook {notebook_path(project, 'council')} is missing")
    # a file many reports read (the scoring tables, the notebook) is hashed once for all of them
    hashed: dict[Path, str | None] = {}

    def one(target: Target) -> Task | Result:
        notebook = notebook_path(project, target.kind)
        if execute and not notebook.is_file():
            return Result.failed(target, f"ParameterError: the {KIND_TEXT[target.kind]} notebook {notebook} is missing")
        parameters = target_parameters(project, year, target, free_text=free_text)
        inputs = report_inputs(project, year, target.kind, notebook, parameters, cache=hashed) if execute else {}
        settings = make_settings(parameters, formats, engine)
        final = safe_out_dir(project, year, target.slug)
        reason = (
            "render only"
            if not execute
            else "forced"
            if force
            else check_current(final, inputs=inputs, settings=settings)
        )
        if reason is None:
            old = read_manifest(final) or {}
            outputs = {k: f"{target.slug}/{v}" for k, v in (old.get("outputs_index") or {}).items()}
            return Result(
                target.org_code, target.name, target.slug, target.region, status="skipped", reason="up to date",
                outputs=outputs, kind=target.kind,
            )  # fmt: skip
        return Task(
            str(project.root), year, target, tuple(formats), engine, execute, inputs, settings, reason, timeout,
            notebook=NOTEBOOKS[target.kind],
        )  # fmt: skip

    # hashing the outputs of 143 folders is I/O and hashlib, which release the GIL: threads help
    with ThreadPoolExecutor(max_workers=4) as pool:
        planned = list(pool.map(one, targets))
    return [p for p in planned if isinstance(p, Task)], [p for p in planned if isinstance(p, Result)]


def run_batch(
    project: Project,
    year: int,
    targets: Sequence[Target],
    *,
    formats: Sequence[str] = FORMATS,
    workers: int | None = None,
    force: bool = False,
    engine: str = "native",
    executor: str = "local",
    scheduler: str | None = None,
    execute: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    on_result: Callable[[Result], None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    free_text: bool = False,
) -> list[Result]:
    """Build every target's report; returns one :class:`Result` per target, in target order.

    ``workers`` defaults to the number of cores; with one worker and the local executor the
    reports are built in this process. ``on_plan(to_build, up_to_date)`` is called once the
    skip checks are done, ``on_result`` once per target as each finishes. ``free_text`` turns on
    the council reports' redacted comments section (their own respondents' only).
    """
    formats = check_options(formats, engine, executor, workers)
    workers = workers or default_workers()
    slugs = [t.slug for t in targets]
    if len(set(slugs)) != len(slugs):
        twice = sorted({s for s in slugs if slugs.count(s) > 1})
        raise ParameterError(f"two reports would share the folder(s) {', '.join(twice)}")
    results: dict[str, Result] = {}  # by folder: unique within a year, whatever the kind

    def done(result: Result) -> None:
        results[result.slug] = result
        if on_result:
            on_result(result)

    with run_lock(project, year):
        clean_stale(project, year)
        tasks, skipped = plan(
            project, year, targets, formats=formats, engine=engine, force=force, execute=execute, timeout=timeout,
            free_text=free_text,
        )  # fmt: skip
        if on_plan:
            on_plan(len(tasks), len(skipped))
        for result in skipped:
            done(result)
        if tasks:
            if executor == "dask":
                run_dask(tasks, workers, scheduler, done)
            elif workers == 1 or len(tasks) == 1:  # a pool would only add process start-up
                run_here(tasks, done)
            else:
                run_pool(project, year, tasks, workers, done)
        clean_stale(project, year)
    return [results[t.slug] for t in targets]


__all__ = ["check_options", "plan", "run_batch", "run_lock"]
