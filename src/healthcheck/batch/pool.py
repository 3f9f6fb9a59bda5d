"""Where the tasks run: in this process, a local ``spawn`` process pool, or a Dask cluster.

Each worker process keeps its warm kernel and Chromium between reports
(:func:`healthcheck.batch.build.worker_state`); on Dask the same cache lives in each Dask
worker process and is closed by a worker plugin. A local pool whose worker process dies (killed,
out of memory, a crash in a library) is rebuilt and the remaining reports go on; the reports
that were being built are retried once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from healthcheck.batch.build import (
    Task,
    WorkerState,
    build_report,
    clean_stale,
    close_worker_state,
    describe,
    in_flight,
)
from healthcheck.batch.targets import Result
from healthcheck.config import Project
from healthcheck.errors import ParameterError

log = logging.getLogger(__name__)

EXECUTORS = ("local", "dask")
#: A task whose worker process died this many times is given up (the others are retried).
MAX_ATTEMPTS = 2
#: Pool restarts after worker deaths before the remaining tasks are given up.
MAX_POOL_RESTARTS = 4


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


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


def run_here(tasks: Sequence[Task], done: Callable[[Result], None]) -> None:
    """Build in this process, with a worker state of its own closed at the end."""
    state = WorkerState()
    try:
        for task in tasks:
            done(build_report(task, state))
    finally:
        state.close()


def run_pool(project: Project, year: int, tasks: Sequence[Task], workers: int, done: Callable[[Result], None]) -> None:
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
        suspects = in_flight(project, year)
        clean_stale(project, year)
        for slug, task in list(pending.items()):
            if slug in suspects:
                deaths[slug] = deaths.get(slug, 0) + 1
                if deaths[slug] >= MAX_ATTEMPTS:
                    pending.pop(slug)
                    done(
                        Result.failed(
                            task.target, f"the worker process died {deaths[slug]} times while building this report"
                        )
                    )
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


def run_dask(tasks: Sequence[Task], workers: int, scheduler: str | None, done: Callable[[Result], None]) -> None:
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


__all__ = ["EXECUTORS", "MAX_ATTEMPTS", "MAX_POOL_RESTARTS", "default_workers", "run_dask", "run_here", "run_pool"]
