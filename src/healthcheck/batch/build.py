"""One report, built in a worker: execute, render, record, and move into place atomically.

Each report is one task (:func:`build_report`): execute the report notebook with papermill into
a folder under ``reports/<year>/.tmp/``, render it, write ``manifest.json``, then move the
folder to ``reports/<year>/<slug>/`` by renames (the old folder out of the way first), so a
crash, even ``kill -9``, never leaves a half-written report under its final name. A task never
raises: a failure is recorded with its cause (for a notebook error, the failing cell's exception
name and message from papermill's ``PapermillExecutionError``) and the executed notebook kept as
``_failed/<slug>.ipynb``.

Each worker process keeps one :class:`~healthcheck.batch.execute.WarmKernel` (a Jupyter kernel
reused across councils) and one :class:`~healthcheck.publish.figures.ChartExporter` (one
Chromium) shared by its renderers, in a per-process cache (:func:`worker_state`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthcheck.batch.execute import DEFAULT_TIMEOUT, WarmKernel
from healthcheck.batch.manifest import MANIFEST, read_manifest, write_manifest
from healthcheck.batch.manifest import settings as make_settings
from healthcheck.batch.targets import INDEX, NOTEBOOK, Result, Target, safe_out_dir, target_parameters
from healthcheck.config import Project
from healthcheck.errors import ParameterError
from healthcheck.files import atomic_write
from healthcheck.publish.formats import FORMATS

log = logging.getLogger(__name__)

#: The staging area under ``reports/<year>/``: reports being built, and old folders being replaced.
STAGING = ".tmp"
#: Where the executed notebook of a failed report is kept, under ``reports/<year>/``.
FAILED = "_failed"
#: The executed notebook in a report folder.
EXECUTED = "report.ipynb"


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to build one report (picklable, paths as text)."""

    root: str
    year: int
    target: Target
    formats: tuple[str, ...]
    engine: str = "native"
    execute: bool = True
    inputs: Mapping[str, str | None] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""
    timeout: float = DEFAULT_TIMEOUT
    notebook: str = NOTEBOOK


# ---------------------------------------------------------------------------------------
# worker state: one warm kernel and one Chromium per process
# ---------------------------------------------------------------------------------------
class WorkerState:
    """What a worker process keeps between councils: a warm kernel, a chart exporter, renderers."""

    def __init__(self, *, kernel_name: str = "python3") -> None:
        self.kernel = WarmKernel(kernel_name)
        self._exporter: Any = None
        self._renderers: dict[tuple[tuple[str, ...], str], Any] = {}

    def renderer(self, formats: Sequence[str], engine: str) -> Any:
        """The renderer for these formats; all share one ChartExporter (started on first chart)."""
        key = (tuple(formats), engine)
        if key not in self._renderers:
            from healthcheck.publish.figures import ChartExporter
            from healthcheck.publish.render import Renderer

            if self._exporter is None:
                self._exporter = ChartExporter()
            self._renderers[key] = Renderer(formats=formats, engine=engine, exporter=self._exporter)
        return self._renderers[key]

    def close(self) -> None:
        for renderer in self._renderers.values():
            with contextlib.suppress(Exception):
                renderer.close()
        self._renderers.clear()
        if self._exporter is not None:
            with contextlib.suppress(Exception):
                self._exporter.close()
            self._exporter = None
        with contextlib.suppress(Exception):
            self.kernel.shutdown()


_STATE: WorkerState | None = None
_STATE_LOCK = threading.Lock()


def worker_state() -> WorkerState:
    """This process's :class:`WorkerState`, made on first use and closed when the process ends."""
    global _STATE
    with _STATE_LOCK:
        if _STATE is None:
            from multiprocessing import util

            _STATE = WorkerState()
            # runs at normal exit of pool workers and of the main process alike
            util.Finalize(None, close_worker_state, exitpriority=50)
        return _STATE


def close_worker_state() -> None:
    """Stop this process's kernel and Chromium (Dask calls this when a worker closes)."""
    global _STATE
    with _STATE_LOCK:
        state, _STATE = _STATE, None
    if state is not None:
        state.close()


# ---------------------------------------------------------------------------------------
# the staging area and the failed notebooks
# ---------------------------------------------------------------------------------------
def _staging(project: Project, year: int, slug: str) -> Path:
    folder = project.reports_dir(year) / STAGING / f"build-{slug}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    return folder


def in_flight(project: Project, year: int) -> set[str]:
    """Slugs whose staging folders exist: the tasks that were running when a worker died."""
    staging = project.reports_dir(year) / STAGING
    if not staging.is_dir():
        return set()
    return {p.name[len("build-") :].rsplit("-", 1)[0] for p in staging.iterdir() if p.name.startswith("build-")}


def clean_stale(project: Project, year: int) -> list[Path]:
    """Remove temporary folders left by a run that crashed or was killed; returns what went."""
    staging = project.reports_dir(year) / STAGING
    removed = sorted(staging.iterdir()) if staging.is_dir() else []
    shutil.rmtree(staging, ignore_errors=True)
    return removed


def swap_into_place(tmp: Path, final: Path) -> None:
    """Put the finished folder ``tmp`` at ``final`` by renames: a reader sees old or new, never half.

    The old folder (if any) is first renamed into the staging area, then ``tmp`` renamed to
    ``final`` (``os.replace`` of a folder cannot overwrite a non-empty one), then the old removed.
    """
    old = tmp.parent / f"old-{final.name}-{uuid.uuid4().hex[:8]}"
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def _link_tree(src: Path, dst: Path, *, skip: Sequence[str] = ()) -> None:
    """Copy ``src`` into ``dst`` by hard links (plain copies where links are not possible)."""
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if rel.parts[0] in skip or any(part.startswith(".") for part in rel.parts):
            continue
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def _keep_failed(project: Project, year: int, slug: str, notebook: Path) -> str | None:
    """Copy a failed run's notebook to ``_failed/<slug>.ipynb``; returns it relative to reports/<year>."""
    if not slug or not notebook.is_file():
        return None
    atomic_write(project.reports_dir(year) / FAILED / f"{slug}.ipynb", lambda tmp: shutil.copy2(notebook, tmp))
    return f"{FAILED}/{slug}.ipynb"


# ---------------------------------------------------------------------------------------
# one task (runs in a worker process)
# ---------------------------------------------------------------------------------------
def describe(exc: BaseException) -> str:
    """A failure's cause in one line: for a notebook error, the cell's exception and message."""
    try:
        from papermill import PapermillExecutionError
    except ImportError:  # pragma: no cover - papermill is a dependency
        PapermillExecutionError = ()  # type: ignore[assignment]
    if isinstance(exc, PapermillExecutionError):
        message = " ".join(str(exc.evalue).split())
        if len(message) > 400:
            message = message[:397] + "..."
        return f"{exc.ename}: {message} (notebook cell In [{exc.exec_count}])"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def build_report(task: Task, state: WorkerState | None = None) -> Result:
    """Execute (unless ``task.execute`` is false) and render one organisation's report. Never raises.

    ``state`` defaults to this process's cached :func:`worker_state`.
    """
    started = time.perf_counter()
    target = task.target
    project = Project(Path(task.root))
    result = Result(target.org_code, target.name, target.slug, target.region, reason=task.reason, kind=target.kind)
    tmp: Path | None = None
    try:
        state = state or worker_state()
        final = safe_out_dir(project, task.year, target.slug)
        tmp = _staging(project, task.year, target.slug)
        executed = tmp / EXECUTED
        parameters = dict(task.settings.get("parameters") or target_parameters(project, task.year, target))
        inputs = dict(task.inputs)
        formats: list[str] = list(task.formats)
        if task.execute:
            stats = state.kernel.execute(
                project.notebooks_dir / task.notebook, executed, parameters, timeout=task.timeout
            )
            result.retries += stats.retries
            result.timings["kernel start"] = stats.kernel_start
            result.timings["execute"] = stats.execute
        else:
            if not (final / EXECUTED).is_file():
                how = {
                    "council": f"--council {target.org_code}",
                    "national": "--national",
                    "return": "--org-return",
                    "region": f"--region {target.region!r}",
                }.get(target.kind, "")
                raise ParameterError(
                    f"no executed notebook at {final / EXECUTED}: run `healthcheck report {how}` first"
                )
            old = read_manifest(final) or {}
            # the documents of other formats stay: link them in, then render over the copy
            _link_tree(final, tmp, skip=(MANIFEST,))
            inputs = dict(old.get("inputs") or {})
            old_settings = old.get("settings") or {}
            parameters = dict(old_settings.get("parameters") or parameters)
            if old_settings.get("engine", task.engine) == task.engine:
                formats = sorted(set(formats) | set(old_settings.get("formats") or ()))
        renderer = state.renderer(task.formats, task.engine)
        # the web page links back to the year's index of reports and to the folder's other documents
        rendered = renderer.render(
            executed, tmp, stem="report", index=(f"../{INDEX}", f"All reports of {task.year}"), formats=formats
        )
        for step, seconds in getattr(renderer, "timings", {}).items():
            if step != "total":
                result.timings[step] = seconds
        t = time.perf_counter()
        index = {"ipynb": EXECUTED}
        for fmt in (*FORMATS, "figures"):
            path = tmp / f"report.{fmt}" if fmt != "figures" else tmp / "figures"
            if fmt in rendered or (fmt in formats and path.exists()):
                index[fmt] = Path(rendered.get(fmt, path)).resolve().relative_to(tmp.resolve()).as_posix()
        settings = make_settings(parameters, formats, task.engine)
        if task.execute and task.settings.get("package"):
            # the package as the run planned it: the next plan compares against the same
            # fingerprint even if a source file changed while this report was being built
            settings["package"] = task.settings["package"]
        write_manifest(
            tmp, org_code=target.org_code, name=target.name, year=task.year, inputs=inputs,
            settings=settings, outputs_index=index, timings=result.timings, kind=target.kind,
        )  # fmt: skip
        swap_into_place(tmp, final)
        tmp = None
        with contextlib.suppress(OSError):
            (project.reports_dir(task.year) / FAILED / f"{target.slug}.ipynb").unlink()
        result.timings["manifest and move"] = time.perf_counter() - t
        result.outputs = {k: f"{target.slug}/{v}" for k, v in index.items()}
    except BaseException as exc:
        result.status = "failed"
        result.cause = describe(exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                result.failed_notebook = _keep_failed(project, task.year, target.slug, tmp / EXECUTED)
        log.debug("report for %s failed", target.org_code, exc_info=True)
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: stop after tidying up
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        result.seconds = time.perf_counter() - started
    return result


__all__ = [
    "EXECUTED", "FAILED", "STAGING", "Task", "WorkerState", "build_report", "clean_stale", "close_worker_state",
    "describe", "in_flight", "swap_into_place", "worker_state",
]  # fmt: skip
