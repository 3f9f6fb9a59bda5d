"""Every report of a year in one run: parallel, incremental, atomic, and failure-tolerant.

Four kinds of report (:data:`NOTEBOOKS`), each a parameterised notebook: one per council (and
non-council employer) from ``03-council-report``, the national worker-survey report
(``06-national-report``, folder ``england``), one per region (``07-regional-report``, folder
``region-<name>``) and the national report of the organisational return
(``05-national-return-report``, folder ``england-organisational-return``). Those folder names
cannot be a council's: a council whose name would read the same gets its code added.

Each report is one task (:func:`build_report`): execute the report notebook with
papermill into a folder under ``reports/<year>/.tmp/``, render it, write ``manifest.json``, then
move the folder to ``reports/<year>/<slug>/`` by renames (the old folder out of the way first),
so a crash, even ``kill -9``, never leaves a half-written report under its final name.

* **Incremental**: before anything runs, the parent compares each organisation's manifest with
  the inputs and settings of this run (:func:`healthcheck.batch.manifest.check_current`); an
  organisation whose inputs, notebook, parameters, package and outputs are all unchanged is
  skipped, so a rerun redoes only what failed or changed. ``force`` redoes everything.
* **Failure-tolerant**: a task never raises. A failure is recorded with its cause (for a
  notebook error, the failing cell's exception name and message from papermill's
  ``PapermillExecutionError``) and the executed notebook kept as ``_failed/<slug>.ipynb``.
* **Fast**: each worker process keeps one :class:`~healthcheck.batch.execute.WarmKernel` (a Jupyter
  kernel reused across councils) and one :class:`~healthcheck.publish.figures.ChartExporter` (one
  Chromium) shared by its renderers, in a per-process cache (:func:`worker_state`). Workers are
  a ``spawn`` process pool, or the processes of a Dask cluster (``executor="dask"``), where the
  same cache lives in each Dask worker process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from healthcheck import __version__
from healthcheck.config import Project
from healthcheck.errors import ParameterError, UnknownOrganisationError
from healthcheck.batch.execute import DEFAULT_TIMEOUT, WarmKernel
from healthcheck.batch.manifest import check_current, kind_inputs, own_inputs, package_fingerprint, params_sha256, read_manifest, settings as make_settings, write_manifest
from healthcheck.reference.organisations import OrganisationIndex, slug as make_slug
from healthcheck.reference.organisations import ENGLAND_CODE, REGION_CODES, load_organisations

log = logging.getLogger(__name__)

NOTEBOOK = "03-council-report.ipynb"
#: The kinds of report and their notebooks, in the order a run lists them.
KINDS = ("national", "return", "region", "council")
NOTEBOOKS = {
    "council": NOTEBOOK,
    "national": "06-national-report.ipynb",
    "region": "07-regional-report.ipynb",
    "return": "05-national-return-report.ipynb",
}
KIND_TEXT = {
    "council": "council report",
    "national": "national report",
    "region": "regional report",
    "return": "national report of the organisational return",
}
NATIONAL_SLUG = "england"
RETURN_SLUG = "england-organisational-return"
REGION_PREFIX = "region-"
#: ONS codes of England and its regions (ONS Register of Geographic Codes): the code a
#: national or regional report is listed under, as a council's report is under the council's.
FORMATS = ("html", "docx", "pdf", "xlsx")
ENGINES = ("native", "quarto")
EXECUTORS = ("local", "dask")
STAGING = ".tmp"
FAILED = "_failed"
RUN_RECORD = "run-record.json"
#: A task whose worker process died this many times is given up (the others are retried).
MAX_ATTEMPTS = 2
#: Pool restarts after worker deaths before the remaining tasks are given up.
MAX_POOL_RESTARTS = 4
_SLUG_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


# ---------------------------------------------------------------------------------------
# what to build
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One report to build: a council's (``kind`` "council"), England's, a region's or the return's.

    For a national or regional report ``org_code`` is the ONS code of England or the region,
    ``name`` what the index shows and ``region`` the region (the notebook's parameter).
    """

    org_code: str
    name: str
    region: str | None
    slug: str
    kind: str = "council"


@dataclass
class Result:
    """What happened to one target. ``outputs`` are paths relative to ``reports/<year>/``."""

    org_code: str
    name: str
    slug: str
    region: str | None = None
    status: str = "ok"  # ok / failed / skipped
    cause: str = ""  # why it failed
    reason: str = ""  # why it was built (or "up to date")
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    retries: list[str] = field(default_factory=list)
    failed_notebook: str | None = None
    kind: str = "council"

    @classmethod
    def failed(cls, target: Target, cause: str, **kwargs: Any) -> Result:
        return cls(
            target.org_code, target.name, target.slug, target.region, status="failed", cause=cause, kind=target.kind, **kwargs
        )


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


def safe_out_dir(project: Project, year: int, name: str) -> Path:
    """``reports/<year>/<name>``, refusing any name that is not a plain slug inside that folder."""
    base = project.reports_dir(year).resolve()
    text = str(name)
    if not text or not set(text) <= _SLUG_OK or text.startswith("-"):
        raise ParameterError(f"refusing {text!r} as a report folder name: only a-z, 0-9 and '-' are allowed")
    candidate = (base / text).resolve()
    if candidate.parent != base:
        raise ParameterError(f"refusing to write outside {base}: {text!r}")
    return candidate


def report_parameters(project: Project, year: int, org_code: str, *, free_text: bool = False) -> dict[str, Any]:
    """The report notebook's parameters for one organisation (free text off unless asked for)."""
    return {"council": org_code, "year": year, "project_root": str(project.root), "show_free_text": bool(free_text)}


def target_parameters(project: Project, year: int, target: Target, *, free_text: bool = False) -> dict[str, Any]:
    """The parameters of a target's notebook: a council's, or ``year``, ``project_root`` (and ``region``)."""
    if target.kind == "council":
        return report_parameters(project, year, target.org_code, free_text=free_text)
    parameters: dict[str, Any] = {"year": year, "project_root": str(project.root)}
    if target.kind == "region":
        parameters = {"region": target.region, **parameters}
    return parameters


def notebook_path(project: Project, kind: str) -> Path:
    """The notebook of a kind of report."""
    if kind not in NOTEBOOKS:
        raise ParameterError(f"unknown kind of report {kind!r}: choose from {', '.join(KINDS)}")
    return project.notebooks_dir / NOTEBOOKS[kind]


def region_slug(region: str) -> str:
    """``region-north-west``: the folder of a region's report."""
    return f"{REGION_PREFIX}{make_slug(region)}"


def _reserved(folder: str) -> bool:
    """A folder name kept for the national and regional reports."""
    return folder == NATIONAL_SLUG or folder.startswith((f"{NATIONAL_SLUG}-", REGION_PREFIX))


def scored_regions(project: Project, year: int) -> list[str]:
    """The regions of the organisations in the year's scoring tables, sorted."""
    path = project.processed_dir(year) / "org_scores.parquet"
    if not path.is_file():
        raise ParameterError(f"no scoring tables for {year} ({path} is missing): run `healthcheck score --year {year}`")
    regions = pd.read_parquet(path, columns=["region"])["region"].dropna().astype(str).unique().tolist()
    return sorted(regions)


def has_return(project: Project, year: int) -> bool:
    """Whether the year has an organisational return (raw or cleaned)."""
    from healthcheck.ingest.returns import return_path

    return return_path(project, year) is not None or (project.processed_dir(year) / "org_return.parquet").is_file()


def special_targets(
    project: Project,
    year: int,
    *,
    national: bool = True,
    regions: bool | Sequence[str] = True,
    org_return: bool = True,
    need_notebooks: bool = True,
) -> tuple[list[Target], list[str]]:
    """Targets of the national, regional and return reports, and a message for each one left out.

    ``regions`` is True (every region with a scored organisation), False, or region names
    (matched ignoring case; an unknown name is a :class:`ParameterError`). A kind whose notebook
    is missing (when ``need_notebooks``), a national or regional report without scoring tables,
    and the return report of a year with no return are left out, each with a message.
    """
    targets: list[Target] = []
    notes: list[str] = []

    def notebook_ok(kind: str) -> bool:
        path = notebook_path(project, kind)
        if need_notebooks and not path.is_file():
            what = "regional reports are" if kind == "region" else f"{KIND_TEXT[kind]} is"
            notes.append(f"{path.relative_to(project.root).as_posix()} is missing: the {what} skipped")
            return False
        return True

    if national and notebook_ok("national"):
        if (project.processed_dir(year) / "org_scores.parquet").is_file():
            targets.append(Target(ENGLAND_CODE, "England", None, NATIONAL_SLUG, "national"))
        else:
            notes.append(f"no scoring tables for {year}: the national report is skipped")
    if org_return and notebook_ok("return"):
        if has_return(project, year):
            targets.append(Target(ENGLAND_CODE, "England: organisational return", None, RETURN_SLUG, "return"))
        else:
            notes.append(f"no organisational return for {year}: its national report is skipped")
    if regions and notebook_ok("region"):
        try:
            known = scored_regions(project, year)
        except ParameterError:
            known = []
            notes.append(f"no scoring tables for {year}: the regional reports are skipped")
        if regions is True:
            chosen = known
        else:
            by_key = {r.lower(): r for r in known}
            wanted = [str(r).strip() for r in regions]  # type: ignore[union-attr]
            unknown = [r for r in wanted if r.lower() not in by_key]
            if unknown and known:
                raise ParameterError(
                    f"no organisation scored for {year} is in region(s) {', '.join(map(repr, unknown))}: "
                    f"choose from {', '.join(known)}"
                )
            chosen = list(dict.fromkeys(by_key[r.lower()] for r in wanted if r.lower() in by_key))
        for region in chosen:
            folder = region_slug(region)
            safe_out_dir(project, year, folder)
            targets.append(Target(REGION_CODES.get(region, folder), region, region, folder, "region"))
    return targets, notes


def scored_codes(project: Project, year: int) -> list[str]:
    """Every organisation in the year's scoring tables (reportable and suppressed), sorted."""
    path = project.processed_dir(year) / "org_scores.parquet"
    if not path.is_file():
        raise ParameterError(f"no scoring tables for {year} ({path} is missing): run `healthcheck score --year {year}`")
    return sorted(pd.read_parquet(path, columns=["org_code"])["org_code"].astype(str).unique().tolist())


def resolve_targets(
    project: Project, year: int, councils: Sequence[str] | None = None
) -> tuple[list[Target], list[Result]]:
    """Targets for the named councils (codes or names), or every organisation scored.

    Names that match no organisation come back as failed results (the others still run).
    """
    orgs = load_organisations(project)
    index = OrganisationIndex.build(orgs)
    unknown: list[Result] = []
    if councils:
        codes = []
        for council in councils:
            code, _ = index.resolve(council, council)
            if code is None:
                try:
                    index.lookup(council)
                except UnknownOrganisationError as exc:
                    unknown.append(Result("", str(council), "", status="failed", cause=f"UnknownOrganisationError: {exc}"))
            else:
                codes.append(code)
    else:
        codes = scored_codes(project, year)
    targets: list[Target] = []
    seen_codes: set[str] = set()
    seen_slugs: set[str] = set()
    for code in codes:
        if code in seen_codes:
            continue
        seen_codes.add(code)
        if code in index.orgs.index:
            row = index.orgs.loc[code]
            name, region = str(row["name"]), None if pd.isna(row["region"]) else str(row["region"])
        else:  # scored but not in the reference data: keep the code as its name
            name, region = code, None
        folder = make_slug(name)
        if folder in seen_slugs or _reserved(folder):  # two names that read the same: the code tells them apart
            folder = f"{folder}-{code.lower()}"
        seen_slugs.add(folder)
        safe_out_dir(project, year, folder)
        targets.append(Target(code, name, region, folder))
    return targets, unknown


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


def _init_worker() -> None:
    """Pool worker set-up: quiet the libraries that log every notebook, and watch the parent."""
    for name in ("papermill", "traitlets", "nbclient", "jupyter_client"):
        logging.getLogger(name).setLevel(logging.ERROR)
    parent = os.getppid()

    def watch() -> None:
        # a pool worker waits for work forever: if the parent is killed (kill -9), stop the
        # kernel and Chromium and leave, rather than live on as an orphan
        while os.getppid() == parent:
            time.sleep(1.0)
        closer = threading.Thread(target=close_worker_state, daemon=True)
        closer.start()
        closer.join(10)
        os._exit(1)

    threading.Thread(target=watch, name="healthcheck-parent-watch", daemon=True).start()


# ---------------------------------------------------------------------------------------
# one task (runs in a worker process)
# ---------------------------------------------------------------------------------------
def describe(exc: BaseException) -> str:
    """A failure's cause in one line: for a notebook error, the cell's exception and message."""
    try:
        from papermill import PapermillExecutionError
    except ImportError:  # pragma: no cover - papermill is a dependency
        PapermillExecutionError = ()  # type: ignore[assignment]  # noqa: N806
    if isinstance(exc, PapermillExecutionError):
        message = " ".join(str(exc.evalue).split())
        if len(message) > 400:
            message = message[:397] + "..."
        return f"{exc.ename}: {message} (notebook cell In [{exc.exec_count}])"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def _staging(project: Project, year: int, slug: str) -> Path:
    folder = project.reports_dir(year) / STAGING / f"build-{slug}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    return folder


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
    folder = project.reports_dir(year) / FAILED
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{slug}.{uuid.uuid4().hex[:8]}.tmp"
    shutil.copy2(notebook, tmp)
    os.replace(tmp, folder / f"{slug}.ipynb")
    return f"{FAILED}/{slug}.ipynb"


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
        executed = tmp / "report.ipynb"
        parameters = dict(task.settings.get("parameters") or target_parameters(project, task.year, target))
        inputs = dict(task.inputs)
        formats: list[str] = list(task.formats)
        if task.execute:
            stats = state.kernel.execute(project.notebooks_dir / task.notebook, executed, parameters, timeout=task.timeout)
            result.retries += stats.retries
            result.timings["kernel start"] = stats.kernel_start
            result.timings["execute"] = stats.execute
        else:
            if not (final / "report.ipynb").is_file():
                how = {
                    "council": f"--council {target.org_code}",
                    "national": "--national",
                    "return": "--org-return",
                    "region": f"--region {target.region!r}",
                }.get(target.kind, "")
                raise ParameterError(f"no executed notebook at {final / 'report.ipynb'}: run `healthcheck report {how}` first")
            old = read_manifest(final) or {}
            # the documents of other formats stay: link them in, then render over the copy
            _link_tree(final, tmp, skip=("manifest.json",))
            inputs = dict(old.get("inputs") or {})
            old_settings = old.get("settings") or {}
            parameters = dict(old_settings.get("parameters") or parameters)
            if old_settings.get("engine", task.engine) == task.engine:
                formats = sorted(set(formats) | set(old_settings.get("formats") or ()))
        renderer = state.renderer(task.formats, task.engine)
        rendered = renderer.render(executed, tmp, stem="report")
        for step, seconds in getattr(renderer, "timings", {}).items():
            if step != "total":
                result.timings[step] = seconds
        t = time.perf_counter()
        index = {"ipynb": "report.ipynb"}
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
    except BaseException as exc:  # noqa: BLE001 - one council's failure must never stop the others
        result.status = "failed"
        result.cause = describe(exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                result.failed_notebook = _keep_failed(project, task.year, target.slug, tmp / "report.ipynb")
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


# ---------------------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------------------
def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def check_options(formats: Sequence[str], engine: str, executor: str, workers: int | None) -> tuple[str, ...]:
    """Validate the batch options (ParameterError, exit code 2); returns the formats in order."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ParameterError(f"unknown format(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}: choose native or quarto")
    if engine == "quarto":
        from healthcheck.publish.render import quarto_available

        if not quarto_available():
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


def clean_stale(project: Project, year: int) -> list[Path]:
    """Remove temporary folders left by a run that crashed or was killed; returns what went."""
    staging = project.reports_dir(year) / STAGING
    removed = sorted(staging.iterdir()) if staging.is_dir() else []
    shutil.rmtree(staging, ignore_errors=True)
    return removed


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
    # the inputs every report of a kind shares, hashed once per kind
    shared = {kind: kind_inputs(project, year, kind, notebook_path(project, kind)) if execute else {} for kind in kinds}

    def one(target: Target) -> Task | Result:
        notebook = notebook_path(project, target.kind)
        if execute and not notebook.is_file():
            return Result.failed(target, f"ParameterError: the {KIND_TEXT[target.kind]} notebook {notebook} is missing")
        parameters = target_parameters(project, year, target, free_text=free_text)
        inputs = {**shared[target.kind], **own_inputs(project, target.kind, target.org_code)} if execute else {}
        settings = make_settings(parameters, formats, engine)
        final = safe_out_dir(project, year, target.slug)
        reason = "render only" if not execute else "forced" if force else check_current(final, inputs=inputs, settings=settings)
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
                _run_dask(tasks, workers, scheduler, done)
            elif workers == 1 or len(tasks) == 1:  # a pool would only add process start-up
                _run_here(tasks, done)
            else:
                _run_pool(project, year, tasks, workers, done)
        clean_stale(project, year)
    return [results[t.slug] for t in targets]


def _run_here(tasks: Sequence[Task], done: Callable[[Result], None]) -> None:
    """Build in this process, with a worker state of its own closed at the end."""
    state = WorkerState()
    try:
        for task in tasks:
            done(build_report(task, state))
    finally:
        state.close()


def _in_flight(project: Project, year: int) -> set[str]:
    """Slugs whose staging folders exist: the tasks that were running when a worker died."""
    staging = project.reports_dir(year) / STAGING
    if not staging.is_dir():
        return set()
    return {p.name[len("build-") :].rsplit("-", 1)[0] for p in staging.iterdir() if p.name.startswith("build-")}


def _run_pool(project: Project, year: int, tasks: Sequence[Task], workers: int, done: Callable[[Result], None]) -> None:
    """A spawn process pool; if a worker process dies the pool is rebuilt and the rest go on."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    pending = {t.target.slug: t for t in tasks}
    deaths: dict[str, int] = {}
    for _restart in range(MAX_POOL_RESTARTS + 1):
        broken = False
        size = min(workers, len(pending))
        with ProcessPoolExecutor(max_workers=size, mp_context=get_context("spawn"), initializer=_init_worker) as pool:
            futures = {pool.submit(build_report, task): task for task in pending.values()}
            for future in as_completed(futures):
                task = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:  # noqa: BLE001 - e.g. a result that could not be sent back
                    result = Result.failed(task.target, f"worker error: {describe(exc)}")
                pending.pop(task.target.slug, None)
                done(result)
        if not broken or not pending:
            return
        # a worker process died (killed, out of memory, a crash in a library): blame the
        # councils that were being built, retry them once, and go on with the others
        suspects = _in_flight(project, year)
        clean_stale(project, year)
        for slug, task in list(pending.items()):
            if slug in suspects:
                deaths[slug] = deaths.get(slug, 0) + 1
                if deaths[slug] >= MAX_ATTEMPTS:
                    pending.pop(slug)
                    done(Result.failed(task.target, f"the worker process died {deaths[slug]} times while building this report"))
        log.warning("a worker process died; restarting the pool for %d remaining report(s)", len(pending))
        if not pending:
            return
    for task in pending.values():
        done(Result.failed(task.target, "worker processes kept dying; gave up (see the log)"))


def _worker_plugin() -> Any:
    from distributed.diagnostics.plugin import WorkerPlugin

    class CloseWorkerState(WorkerPlugin):
        """Stops a Dask worker's warm kernel and Chromium when the worker closes."""

        name = "healthcheck-worker-state"

        def teardown(self, worker: Any) -> None:
            close_worker_state()

    return CloseWorkerState()


def _run_dask(tasks: Sequence[Task], workers: int, scheduler: str | None, done: Callable[[Result], None]) -> None:
    """The same tasks on a Dask cluster: ``scheduler``'s, or a local one of ``workers`` processes."""
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=30)
        else:
            cluster = LocalCluster(
                n_workers=min(workers, len(tasks)), threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            )  # fmt: skip
            client = Client(cluster)
    except OSError as exc:
        raise ParameterError(f"could not connect to the Dask scheduler {scheduler!r}: {exc}") from exc
    try:
        client.register_plugin(_worker_plugin())
        run = uuid.uuid4().hex[:8]
        futures = {
            client.submit(build_report, task, pure=False, key=f"healthcheck-{task.target.slug}-{run}"): task
            for task in tasks
        }  # fmt: skip
        for future in dask_completed(list(futures)):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: record it, go on
                result = Result.failed(task.target, f"Dask worker failed: {describe(exc)}")
            done(result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------------------------
# the run record
# ---------------------------------------------------------------------------------------
def counts(results: Sequence[Result]) -> dict[str, int]:
    return {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed")}


def write_run_record(
    project: Project,
    year: int,
    results: Sequence[Result],
    *,
    seconds: float,
    options: Mapping[str, Any] | None = None,
    started: datetime | None = None,
) -> Path:
    """Write ``reports/<year>/run-record.json``: tool version, time, params hash, counts, failures."""
    record = {
        "tool": "healthcheck",
        "version": __version__,
        "package": package_fingerprint(),
        "year": year,
        "started": (started or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "options": dict(options or {}),
        "params_sha256": params_sha256(project),
        "counts": counts(results),
        "failures": [
            {"org_code": r.org_code, "name": r.name, "cause": r.cause, "notebook": r.failed_notebook}
            for r in results
            if r.status == "failed"
        ],
        "retries": [{"org_code": r.org_code, "note": note} for r in results for note in r.retries],
        "results": [asdict(r) for r in results],
    }
    path = project.reports_dir(year) / RUN_RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{RUN_RECORD}.tmp")
    tmp.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_run_record(project: Project, year: int) -> dict[str, Any] | None:
    path = project.reports_dir(year) / RUN_RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None

