"""Every organisation's report in one run: parallel, incremental, atomic, and failure-tolerant.

Each organisation is one task: execute the report notebook with papermill into a temporary
folder, render it (one :class:`~healthcheck.render.Renderer`, so one Chromium, per worker
process), write a manifest, then move the folder into ``reports/<year>/<slug>/`` in one
rename. A task whose inputs are unchanged since its last good run is skipped. One failure never
stops the others: its cause is recorded and the partly executed notebook kept in ``_failed/``.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from . import __version__
from .config import Project
from .errors import HealthcheckError, ParameterError
from .files import atomic_write_text
from .manifest import file_sha256, input_hashes, outputs_match, read_manifest, write_manifest
from .organisations import OrganisationIndex, slug
from .reference import load_organisations

NOTEBOOK = "03-council-report.ipynb"
FORMATS = ("html", "docx", "pdf", "xlsx")
KERNEL_RETRIES = 2
_KERNEL_ERRORS = ("Address already in use", "Kernel didn't respond", "Kernel died before replying", "ZMQError")


@dataclass(frozen=True)
class Target:
    """One organisation to report on."""

    org_code: str
    name: str
    region: str | None
    slug: str


@dataclass
class Result:
    """What happened to one target."""

    org_code: str
    name: str
    slug: str
    region: str | None = None
    status: str = "ok"  # ok / failed / skipped
    cause: str = ""
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# targets and paths
# ---------------------------------------------------------------------------------------
def safe_out_dir(project: Project, year: int, name: str) -> Path:
    """``reports/<year>/<name>``, refusing anything that would resolve outside it."""
    base = project.reports_dir(year).resolve()
    candidate = (base / name).resolve()
    if candidate.parent != base or not name or name.startswith("."):
        raise ParameterError(f"refusing to write outside {base}: {name!r}")
    return candidate


def resolve_targets(project: Project, year: int, councils: Sequence[str] | None) -> tuple[list[Target], list[Result]]:
    """Targets for the named councils (or every organisation scored), and failures for unknown names."""
    orgs = load_organisations(project)
    index = OrganisationIndex.build(orgs)
    if councils:
        codes, unknown = [], []
        for council in councils:
            code, _ = index.resolve(council, council)
            (codes.append(code) if code else unknown.append(council))
    else:
        ranks = pd.read_parquet(project.processed_dir(year) / "ranks.parquet", columns=["org_code"])
        codes, unknown = ranks["org_code"].tolist(), []
    targets, seen = [], set()
    for code in codes:
        if code in seen:
            continue
        seen.add(code)
        row = index.orgs.loc[code]
        region = None if pd.isna(row["region"]) else str(row["region"])
        name = slug(str(row["name"]))
        safe_out_dir(project, year, name)
        targets.append(Target(code, str(row["name"]), region, name))
    failures = [
        Result(org_code="", name=str(c), slug="", status="failed",
               cause=f"unknown council {c!r}: give an ONS code such as E06000006 or a name such as 'Halton'")
        for c in unknown
    ]  # fmt: skip
    return targets, failures


# ---------------------------------------------------------------------------------------
# one task (runs in a worker process)
# ---------------------------------------------------------------------------------------
_RENDERERS: dict[tuple, object] = {}


def _renderer(formats: tuple[str, ...], engine: str):
    """The worker's renderer for these formats: created once, reused for every council."""
    key = (formats, engine)
    if key not in _RENDERERS:
        from .render import Renderer

        renderer = Renderer(formats=formats, engine=engine)
        renderer.__enter__()
        _RENDERERS[key] = renderer
        atexit.register(renderer.__exit__, None, None, None)
    return _RENDERERS[key]


_KERNEL: dict[str, object] = {}
#: Restart a worker's kernel after this many notebooks, so no state can build up for long.
KERNEL_REUSE = 25
_RESET = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import healthcheck.display as _d; _d.reset(); del _d"
)


def _warm_kernel(cwd: Path):
    """The worker's kernel: started once, restarted after an error or every KERNEL_REUSE notebooks."""
    from jupyter_client.manager import KernelManager

    km = _KERNEL.get("km")
    if km is not None and (not km.is_alive() or _KERNEL.get("uses", 0) >= KERNEL_REUSE):
        _stop_kernel()
        km = None
    if km is None:
        km = KernelManager(kernel_name="python3")
        km.start_kernel(cwd=str(cwd))
        _KERNEL.update(km=km, uses=0)
        atexit.register(_stop_kernel)
    _KERNEL["uses"] = _KERNEL.get("uses", 0) + 1
    return km


def _stop_kernel() -> None:
    km = _KERNEL.pop("km", None)
    if km is not None:
        try:
            km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - already gone
            pass


def _execute_warm(source: Path, output: Path, parameters: dict, cwd: Path) -> float:
    """Papermill's parameterisation, executed in a kernel the worker keeps between councils.

    The user namespace is cleared and the display state reset before each council, so nothing
    of one council can reach the next; imported modules stay loaded, which is the point.
    """
    import nbformat
    from nbclient import NotebookClient
    from papermill.parameterize import parameterize_notebook

    start = time.perf_counter()
    nb = nbformat.read(source, as_version=4)
    nb.metadata.setdefault("papermill", {})
    for cell in nb.cells:  # papermill expects every cell to carry a tags list
        cell.metadata.setdefault("tags", [])
    nb = parameterize_notebook(nb, parameters, report_mode=True)
    reset = nbformat.v4.new_code_cell(_RESET)
    nb.cells.insert(0, reset)
    km = _warm_kernel(cwd)
    client = NotebookClient(nb, km=km, timeout=600, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})  # fmt: skip
    try:
        client.execute()
    except BaseException:
        _stop_kernel()  # never reuse a kernel that failed
        nb.cells.pop(0)
        nbformat.write(nb, output)
        raise
    nb.cells.pop(0)
    nbformat.write(nb, output)
    return time.perf_counter() - start


def _execute(source: Path, output: Path, parameters: dict, cwd: Path) -> float:
    """Run the notebook (warm kernel unless HEALTHCHECK_WARM=0), retrying kernel start-up races."""
    import papermill as pm

    warm = os.environ.get("HEALTHCHECK_WARM", "1") != "0"
    start = time.perf_counter()
    for attempt in range(KERNEL_RETRIES + 1):
        try:
            if warm:
                return _execute_warm(source, output, parameters, cwd)
            pm.execute_notebook(
                str(source), str(output), parameters=parameters, kernel_name="python3",
                cwd=str(cwd), progress_bar=False, log_output=False,
                start_timeout=120, execution_timeout=600, report_mode=True,
            )  # fmt: skip
            return time.perf_counter() - start
        except Exception as exc:  # kernel start races in parallel runs: retry, then give up clearly
            if attempt < KERNEL_RETRIES and any(s in str(exc) or s in type(exc).__name__ for s in _KERNEL_ERRORS):
                time.sleep(0.5 * (attempt + 1))
                continue
            raise
    raise AssertionError("unreachable")


def _cause(exc: BaseException) -> str:
    import papermill as pm

    from nbclient.exceptions import CellExecutionError

    if isinstance(exc, pm.PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    if isinstance(exc, CellExecutionError):
        return f"{exc.ename}: {exc.evalue}"
    if isinstance(exc, HealthcheckError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` so that a reader sees the old folder or the new, never half."""
    old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def build_report(
    root: str, year: int, target: Target, formats: tuple[str, ...], engine: str = "native", force: bool = False,
    execute: bool = True,
) -> Result:  # fmt: skip
    """Execute (unless ``execute`` is false) and render one organisation's report. Never raises."""
    project = Project(Path(root))
    started = time.perf_counter()
    result = Result(org_code=target.org_code, name=target.name, slug=target.slug, region=target.region)
    tmp: Path | None = None
    try:
        final = safe_out_dir(project, year, target.slug)
        notebook = project.notebooks_dir / NOTEBOOK
        parameters = {"council": target.org_code, "year": year, "project_root": str(project.root)}
        inputs = input_hashes(project, year, target.org_code, notebook)
        settings = {"parameters": parameters, "formats": list(formats), "engine": engine, "version": __version__}
        old = read_manifest(final)
        if execute and not force and old and old.get("inputs") == inputs and old.get("settings") == settings and outputs_match(final, old):
            result.status = "skipped"
            result.outputs = {k: str(final / v) for k, v in old.get("outputs_index", {}).items()}
            return result
        staging = project.reports_dir(year) / ".tmp"
        staging.mkdir(parents=True, exist_ok=True)
        tmp = staging / f"{target.slug}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        executed = tmp / "report.ipynb"
        if execute:
            result.timings["execute"] = _execute(notebook, executed, parameters, project.notebooks_dir)
        else:
            if not (final / "report.ipynb").is_file():
                raise ParameterError(f"no executed notebook at {final / 'report.ipynb'}: run `healthcheck report` first")
            shutil.copy2(final / "report.ipynb", executed)
        t = time.perf_counter()
        rendered = _renderer(formats, engine).render(executed, tmp, stem="report", title=None)
        result.timings["render"] = time.perf_counter() - t
        index = {k: Path(v).relative_to(tmp).as_posix() for k, v in rendered.items()}
        index["ipynb"] = "report.ipynb"
        write_manifest(tmp, inputs=inputs, settings=settings, outputs_index=index)
        _swap_into_place(tmp, final)
        tmp = None
        result.outputs = {k: str(final / v) for k, v in index.items()}
    except BaseException as exc:  # noqa: BLE001 - one council's failure must never stop the others
        result.status = "failed"
        result.cause = _cause(exc)
        if tmp is not None and (tmp / "report.ipynb").is_file():
            failed = project.reports_dir(year) / "_failed"
            failed.mkdir(parents=True, exist_ok=True)
            shutil.copy2(tmp / "report.ipynb", failed / f"{target.slug}.ipynb")
        if not isinstance(exc, Exception):
            raise
        if os.environ.get("HEALTHCHECK_DEBUG"):
            traceback.print_exc()
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------------------
def clean_stale(project: Project, year: int) -> None:
    """Remove temporary folders left by a run that was killed."""
    base = project.reports_dir(year)
    shutil.rmtree(base / ".tmp", ignore_errors=True)
    for old in base.glob(".old-*"):
        shutil.rmtree(old, ignore_errors=True)


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
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Build every target's report; returns one :class:`Result` per target, in target order."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ParameterError(f"unknown format(s) {', '.join(sorted(unknown))}; choose from {', '.join(FORMATS)}")
    clean_stale(project, year)
    project.reports_dir(year).mkdir(parents=True, exist_ok=True)
    workers = max(1, workers or os.cpu_count() or 1)
    args = [(str(project.root), year, t, tuple(formats), engine, force, execute) for t in targets]
    results: dict[str, Result] = {}

    def done(result: Result) -> None:
        results[result.org_code] = result
        if on_result:
            on_result(result)

    if executor == "dask":
        _run_dask(args, workers, scheduler, done)
    elif executor == "local" and workers == 1:
        for a in args:
            done(build_report(*a))
    elif executor == "local":
        with ProcessPoolExecutor(max_workers=min(workers, max(1, len(args))), mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(build_report, *a): a[2] for a in args}
            for future in as_completed(futures):
                try:
                    done(future.result())
                except Exception as exc:  # a worker process died (e.g. killed): record, go on
                    t = futures[future]
                    done(Result(t.org_code, t.name, t.slug, t.region, status="failed", cause=f"worker died: {exc}"))
    else:
        raise ParameterError(f"unknown executor {executor!r}: choose local or dask")
    return [results[t.org_code] for t in targets]


def _run_dask(args: list[tuple], workers: int, scheduler: str | None, done: Callable[[Result], None]) -> None:
    from distributed import Client, LocalCluster, as_completed as dask_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [client.submit(build_report, *a, pure=False, key=f"report-{a[2].slug}-{uuid.uuid4().hex[:6]}") for a in args]
        for future in dask_completed(futures):
            done(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def write_run_record(project: Project, year: int, results: Iterable[Result], *, seconds: float, formats: Sequence[str]) -> Path:
    results = list(results)
    record = {
        "version": __version__,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "formats": list(formats),
        "params_sha256": file_sha256(project.params_dir / "scoring.yaml"),
        "counts": {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed")},
        "failures": [{"org_code": r.org_code, "name": r.name, "cause": r.cause} for r in results if r.status == "failed"],
        "results": [asdict(r) for r in results],
    }
    return atomic_write_text(project.reports_dir(year) / "run-record.json", json.dumps(record, indent=2))
