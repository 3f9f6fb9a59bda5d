"""Running one report notebook with papermill, on a Jupyter kernel kept warm between councils.

A fresh ``papermill`` run starts a kernel and imports pandas, plotly and the package every
time: seconds of work that is the same for every council. :class:`WarmKernel` starts one
kernel per worker process and keeps it: each notebook still goes through
``papermill.execute_notebook`` (so papermill injects the parameters, records them in the
notebook metadata, marks the failing cell and raises ``PapermillExecutionError``), but through
the ``healthcheck-warm`` engine, which runs the cells on the kept kernel instead of a new one.

Between notebooks the engine clears the kernel (``%reset -f``, :func:`healthcheck.publish.display.reset`,
back to the notebook's folder), so nothing one council defined is seen by the next; the
injected parameters cell then sets the new council's values. Modules stay imported: that is
the saving. The kernel is restarted after any failure and every ``restart_every`` notebooks.

Parallel pitfalls handled here: the kernel talks over Unix sockets (``transport="ipc"``) where
available, so there are no TCP ports for two workers to race for (``ZMQError: Address already
in use``); kernel start and "Kernel didn't respond in N seconds" are retried a bounded number
of times, each retry noted in :attr:`ExecutionStats.retries`; every notebook has a deadline
(``timeout`` seconds in all), after which the kernel is restarted and :class:`NotebookTimeout`
raised, so no worker hangs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthcheck.errors import ReportError

log = logging.getLogger(__name__)

ENGINE_NAME = "healthcheck-warm"
#: Seconds a whole notebook may take before it is stopped (the kernel is then restarted).
DEFAULT_TIMEOUT = 600.0
DEFAULT_STARTUP_TIMEOUT = 60.0
#: Kernel starts tried before giving up (port races, a kernel that does not answer).
START_ATTEMPTS = 3
#: A notebook whose kernel stopped answering before it started is run again this many times.
RUN_RETRIES = 1
#: Restart the kernel after this many notebooks, so that memory cannot creep up over a long run.
RESTART_EVERY = 40
#: Imports the report notebook makes, done once when the kernel starts (counted as start-up).
REPORT_WARMUP = (
    "try:\n"
    "    import pandas, numpy, plotly.graph_objects, plotly.io\n"
    "    import healthcheck.views.council, healthcheck.views.trend, healthcheck.views.selfassess, healthcheck.views.workforce\n"
    "    import healthcheck.charts.council, healthcheck.charts.trends, healthcheck.findings.council\n"
    "    import healthcheck.findings.trends, healthcheck.findings.notes, healthcheck.publish.display\n"
    "except Exception:\n"  # a kernel without the package: the notebook will say so itself
    "    pass\n"
)
#: Messages of the transient, start-up errors worth another try.
TRANSIENT = ("Address already in use", "Kernel didn't respond", "Kernel died before replying", "ZMQError")


class KernelStartError(ReportError):
    """The Jupyter kernel could not be started (after retries)."""


class NotebookTimeout(ReportError):
    """A notebook ran past its deadline and was stopped."""


@dataclass
class ExecutionStats:
    """Where one notebook's time went, and what had to be retried."""

    kernel_start: float = 0.0  # seconds starting (or restarting) the kernel for this notebook
    execute: float = 0.0  # seconds running the cells
    retries: list[str] = field(default_factory=list)  # one line per retried failure


def is_transient(exc: BaseException) -> bool:
    """True for the kernel start-up races worth another try."""
    text = f"{type(exc).__name__}: {exc}"
    return any(marker in text for marker in TRANSIENT)


def reset_code(cwd: Path | None) -> str:
    """Code run silently before each notebook: an empty namespace, fresh display state, its folder.

    The same as ``%reset -f`` (every name the notebook made, and the output history, go) without
    the full garbage collection ``%reset`` forces, which costs half a second in a kernel holding
    pandas and plotly; the kernel's own collector and the periodic restart look after memory.
    """
    chdir = f"    os.chdir({str(cwd)!r})\n" if cwd is not None else ""
    return (
        "def _hc_reset():\n"
        "    import os, re, sys\n"
        "    ip = get_ipython()\n"
        "    ns, hidden = ip.user_ns, ip.user_ns_hidden\n"
        "    keep = {'__builtin__', '__builtins__', '__name__', '__doc__', '__loader__', '__package__', '__spec__'}\n"
        "    for name in list(ns):\n"
        "        if (name not in hidden and name not in keep) or re.fullmatch(r'_\\d+', name):\n"
        "            del ns[name]\n"
        "    ip.history_manager.output_hist.clear()\n"
        "    ns.update({'_': '', '__': '', '___': ''})\n"
        # plotly.js is inlined by the first chart of a notebook: forget that the last one did
        "    if 'healthcheck.publish.display' in sys.modules:\n"
        "        sys.modules['healthcheck.publish.display'].reset()\n"
        f"{chdir}"
        "_hc_reset()\n"
    )


# --------------------------------------------------------------------------------------
# the papermill engine
# --------------------------------------------------------------------------------------
def _client_class() -> type:
    """papermill's notebook client, plus a silent reset first and tidy execution counts after."""
    from papermill.clientwrap import PapermillNotebookClient
    from traitlets import Unicode

    class WarmClient(PapermillNotebookClient):
        prelude = Unicode("")

        def papermill_execute_cells(self) -> None:
            if self.prelude:
                reply = self.wait_for_reply(self.kc.execute(self.prelude, silent=True, store_history=False))
                if reply is None or reply["content"].get("status") != "ok":
                    content = (reply or {}).get("content", {})
                    raise ReportError(f"could not reset the kernel: {content.get('ename')}: {content.get('evalue')}")
            try:
                super().papermill_execute_cells()
            finally:
                renumber(self.nb)
                drop_default_parameters(self.nb)

    return WarmClient


def renumber(nb: Any) -> None:
    """Number executed code cells 1, 2, 3 ... as a fresh kernel would (a warm one counts on)."""
    count = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell["execution_count"] = count
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count


#: What the template's parameters cell says in an executed notebook (see drop_default_parameters).
DEFAULTS_DROPPED = "# Parameters: the values this notebook ran with are in the injected cell below."


def drop_default_parameters(nb: Any) -> None:
    """Blank the template's default parameter values once papermill has injected the real ones.

    The template's defaults name an example council (``council = "E06000006"``); kept in every
    other council's executed notebook, they would name an organisation that report is not about.
    The cell has run (a parameter not passed keeps its default), so only its text goes.
    """
    tags = [cell.get("metadata", {}).get("tags", []) for cell in nb.cells]
    if not any("injected-parameters" in t for t in tags):
        return
    for cell, cell_tags in zip(nb.cells, tags, strict=False):
        if "parameters" in cell_tags and cell.get("cell_type") == "code":
            cell["source"] = DEFAULTS_DROPPED


_ENGINE_LOCK = threading.Lock()
_ENGINE_REGISTERED = False


def register_engine() -> None:
    """Register the ``healthcheck-warm`` papermill engine (once per process)."""
    global _ENGINE_REGISTERED
    with _ENGINE_LOCK:
        if _ENGINE_REGISTERED:
            return
        from papermill.engines import NBClientEngine, papermill_engines
        from papermill.log import logger as pm_logger
        from papermill.utils import remove_args

        class WarmEngine(NBClientEngine):
            """Runs the cells on :class:`WarmKernel`'s kernel; papermill does everything else."""

            @classmethod
            def execute_managed_notebook(
                cls, nb_man: Any, kernel_name: str, log_output: bool = False, stdout_file: Any = None,
                stderr_file: Any = None, start_timeout: float = 60, execution_timeout: float | None = None,
                warm: WarmKernel | None = None, deadline: float | None = None, **kwargs: Any,
            ) -> Any:  # fmt: skip
                if warm is None:  # no warm kernel: papermill's own behaviour
                    return super().execute_managed_notebook(
                        nb_man, kernel_name, log_output=log_output, stdout_file=stdout_file,
                        stderr_file=stderr_file, start_timeout=start_timeout,
                        execution_timeout=execution_timeout, **kwargs,
                    )  # fmt: skip
                kwargs = remove_args(["input_path", "timeout", "startup_timeout", "km", "cwd"], **kwargs)
                end = deadline if deadline is not None else time.monotonic() + (execution_timeout or DEFAULT_TIMEOUT)

                def time_left(cell: Any) -> int:
                    # never 0 or less: nbclient reads that as "no limit"
                    return max(1, int(end - time.monotonic() + 0.999))

                client = _client_class()(
                    nb_man, km=warm.km, timeout_func=time_left, startup_timeout=int(start_timeout),
                    kernel_name=kernel_name, log=pm_logger, log_output=log_output, stdout_file=stdout_file,
                    stderr_file=stderr_file, prelude=warm.prelude, **kwargs,
                )  # fmt: skip
                # the kernel's connected client: a new one waits 0.2 s for the kernel to go quiet
                client.kc = warm.client()
                return client.execute()

        papermill_engines.register(ENGINE_NAME, WarmEngine)
        _ENGINE_REGISTERED = True


# --------------------------------------------------------------------------------------
# the warm kernel
# --------------------------------------------------------------------------------------
def _run_sync(coro_fn: Callable[..., Any]) -> Callable[..., Any]:
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)


class WarmKernel:
    """One Jupyter kernel reused for many notebooks in this process.

    Use as a context manager (or call :meth:`shutdown`). :meth:`execute` runs one notebook
    through papermill; it starts the kernel on first use.
    """

    def __init__(
        self,
        kernel_name: str = "python3",
        *,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
        restart_every: int = RESTART_EVERY,
        warmup: str | None = REPORT_WARMUP,
        transport: str | None = None,
        start_attempts: int = START_ATTEMPTS,
    ) -> None:
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.restart_every = max(1, restart_every)
        self.warmup = warmup
        # Unix sockets: nothing for parallel workers to race for (TCP ports are picked, then bound)
        self.transport = transport or ("ipc" if os.name == "posix" else "tcp")
        self.start_attempts = max(1, start_attempts)
        self.km: Any = None
        self.prelude = reset_code(None)
        self.save_each_cell = False  # papermill's save after every cell: 5 MB of JSON each time
        self.runs = 0  # notebooks run since the kernel (re)started
        self.starts = 0  # kernels started by this object
        self._log: Any = None
        self._sockets: str | None = None
        self._kc: Any = None
        self._kc_thread: int | None = None
        self._lock = threading.Lock()

    # lifecycle -----------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.km is not None and bool(_run_sync(self.km.is_alive)())

    def start(self, retries: list[str] | None = None) -> float:
        """Start the kernel (retrying start-up races); returns the seconds it took."""
        started = time.perf_counter()
        last: BaseException | None = None
        for attempt in range(1, self.start_attempts + 1):
            try:
                self._start_once()
                return time.perf_counter() - started
            except Exception as exc:  # noqa: BLE001 - every start failure is retried, then reported
                last = exc
                self._stop()
                note = f"kernel start attempt {attempt} of {self.start_attempts} failed: {type(exc).__name__}: {exc}"
                log.warning(note)
                if retries is not None:
                    retries.append(note)
                time.sleep(0.5 * attempt)
        raise KernelStartError(
            f"could not start the Jupyter kernel {self.kernel_name!r} after {self.start_attempts} attempts: "
            f"{type(last).__name__}: {last} (check `jupyter kernelspec list` and free memory)"
        ) from last

    def _start_once(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        # open for the kernel's whole life (closed in _stop), so not a with block
        self._log = tempfile.TemporaryFile(prefix="healthcheck-kernel-", suffix=".log")  # noqa: SIM115
        options: dict[str, Any] = {}
        if self.transport == "ipc":
            # an absolute socket path of our own: a relative one would be resolved from each
            # side's working folder, and a shared one would be taken by two kernels
            self._sockets = tempfile.mkdtemp(prefix="hck-")
            options = {"transport": "ipc", "ip": os.path.join(self._sockets, "k")}
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, **options)
        _run_sync(self.km.start_kernel)(stdout=subprocess.DEVNULL, stderr=self._log, cwd=tempfile.gettempdir())
        self.starts += 1
        self.runs = 0
        if self.warmup:
            self.run_code(self.warmup, timeout=self.startup_timeout * 2)
        else:
            self.run_code("pass", timeout=self.startup_timeout)

    def client(self) -> Any:
        """The kernel's client, connected and ready, kept for the next notebook.

        Its sockets belong to the asyncio loop of the thread that made it, so a call from
        another thread (a Dask worker may change threads) gets a client of its own.
        """
        thread = threading.get_ident()
        if self._kc is not None and self._kc_thread == thread:
            return self._kc
        self._close_client()
        kc = self.km.client()
        kc.start_channels()
        try:
            _run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
        except BaseException:
            kc.stop_channels()
            raise
        self._kc, self._kc_thread = kc, thread
        return kc

    def _close_client(self) -> None:
        kc, self._kc = self._kc, None
        if kc is not None:
            with contextlib.suppress(Exception):  # closing a client of a dead kernel: nothing to report
                kc.stop_channels()

    def run_code(self, code: str, *, timeout: float = 60) -> None:
        """Run ``code`` silently on the kernel; ReportError if it fails."""
        kc = self.client()

        async def run() -> dict:
            return await kc.execute_interactive(
                code, silent=True, store_history=False, timeout=timeout, output_hook=lambda msg: None
            )

        reply = _run_sync(run)()
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise ReportError(f"kernel code failed: {content.get('ename')}: {content.get('evalue')}")

    def _stop(self) -> None:
        self._close_client()
        km, self.km = self.km, None
        if km is not None:
            try:
                _run_sync(km.shutdown_kernel)(now=True)
            except Exception as exc:  # noqa: BLE001 - a kernel that will not stop is killed below
                log.debug("kernel shutdown failed: %s", exc)
                with contextlib.suppress(Exception):  # already gone: the kill had nothing left to do
                    _run_sync(km.kill_kernel)()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None

    def restart(self, retries: list[str] | None = None) -> float:
        """A new kernel in place of the old one; returns the seconds it took."""
        self._stop()
        return self.start(retries)

    def shutdown(self) -> None:
        with self._lock:
            self._stop()

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def stderr_tail(self, lines: int = 5) -> str:
        """The last lines the kernel wrote to stderr (for a kernel that died)."""
        if self._log is None:
            return ""
        try:
            self._log.seek(0)
            text = self._log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    # running a notebook ------------------------------------------------------------------
    def execute(
        self,
        source: Path,
        output: Path,
        parameters: Mapping[str, Any],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        report_mode: bool = True,
    ) -> ExecutionStats:
        """Execute ``source`` with ``parameters`` into ``output``; raises papermill's errors.

        ``PapermillExecutionError`` (a cell failed: the executed notebook is still written to
        ``output``), :class:`NotebookTimeout`, :class:`KernelStartError` or ReportError (the
        kernel died). The kernel is restarted after any of them.
        """
        with self._lock:  # one notebook at a time on one kernel
            return self._execute(Path(source), Path(output), dict(parameters), timeout, report_mode)

    def _execute(
        self, source: Path, output: Path, parameters: dict, timeout: float, report_mode: bool
    ) -> ExecutionStats:
        import papermill as pm
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        register_engine()
        stats = ExecutionStats()
        if self.km is None or not self.alive:
            stats.kernel_start += self.start(stats.retries)
        elif self.runs >= self.restart_every:
            stats.kernel_start += self.restart(stats.retries)
        self.prelude = reset_code(source.parent.resolve())
        for attempt in range(RUN_RETRIES + 1):
            started = time.perf_counter()
            deadline = time.monotonic() + timeout
            try:
                self.runs += 1
                pm.execute_notebook(
                    str(source), str(output), parameters=parameters, engine_name=ENGINE_NAME,
                    kernel_name=self.kernel_name, progress_bar=False, log_output=False,
                    start_timeout=int(self.startup_timeout), report_mode=report_mode,
                    warm=self, deadline=deadline, request_save_on_cell_execute=self.save_each_cell,
                )  # fmt: skip
                stats.execute += time.perf_counter() - started
                return stats
            except pm.PapermillExecutionError:
                stats.execute += time.perf_counter() - started
                stats.kernel_start += self._restart_quietly(stats)
                raise
            except (CellTimeoutError, TimeoutError) as exc:
                stats.kernel_start += self._restart_quietly(stats)
                raise NotebookTimeout(
                    f"the notebook did not finish within {timeout:.0f} s and was stopped ({exc})"
                ) from exc
            except DeadKernelError as exc:
                tail = self.stderr_tail()
                stats.kernel_start += self._restart_quietly(stats)
                raise ReportError(
                    f"the Jupyter kernel died while running the notebook (out of memory?){': ' + tail if tail else ''}"
                ) from exc
            except Exception as exc:
                stats.execute += time.perf_counter() - started
                if not is_transient(exc) or attempt >= RUN_RETRIES:
                    stats.kernel_start += self._restart_quietly(stats)
                    raise
                note = f"kernel did not answer ({type(exc).__name__}: {exc}); restarted it and ran the notebook again"
                log.warning(note)
                stats.retries.append(note)
                stats.kernel_start += self.restart(stats.retries)
        raise AssertionError("unreachable")

    def _restart_quietly(self, stats: ExecutionStats) -> float:
        """Restart after a failure; a failed restart is left for the next notebook to retry."""
        try:
            return self.restart(stats.retries)
        except KernelStartError as exc:
            stats.retries.append(str(exc))
            return 0.0


def run_fresh(source: Path, output: Path, parameters: Mapping[str, Any], *, timeout: float = DEFAULT_TIMEOUT) -> float:
    """papermill's default way (a new kernel for this notebook alone); returns seconds. For comparisons."""
    import papermill as pm

    started = time.perf_counter()
    pm.execute_notebook(
        str(source), str(output), parameters=dict(parameters), kernel_name="python3", progress_bar=False,
        log_output=False, execution_timeout=int(timeout), report_mode=True, cwd=str(Path(source).parent),
    )  # fmt: skip
    return time.perf_counter() - started
