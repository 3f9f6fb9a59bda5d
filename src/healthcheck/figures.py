"""Static chart images (PNG and SVG) from plotly figures, with one Chromium for a whole run.

plotly's own export goes through kaleido 1.x, which drives a headless Chromium over a pipe.
Starting Chromium takes a few seconds, so :class:`ChartExporter` starts kaleido's persistent
sync server once (``kaleido.start_sync_server(mathjax=False)``) and every ``pio.to_image`` call
in the process reuses it; ``kaleido.stop_sync_server()`` closes it. Measured here: about 4.5 s
for the first image (browser start), then about 0.2 s per PNG or SVG.

The browser is Debian's ``/usr/bin/chromium``, found by choreographer's browser lookup
(``BROWSER_PATH``, then ``PATH``, then the usual install paths); nothing is ever downloaded.
choreographer starts it with ``--headless --no-sandbox --disable-gpu`` (sandboxing is off by
default, which running as root needs) plus ``--disable-component-update`` and
``--disable-sync``. It takes no extra flags, so on Linux the exporter hands it a two-line
launcher that adds :data:`OFFLINE_FLAGS` (no background networking: the machine is offline).
kaleido's page loads plotly.js from the plotly package and MathJax is switched off, so nothing
is fetched from the network.

kaleido's server is one per process and not thread-safe, so calls are serialised with a lock
and each is watched: if the browser thread dies, the caller gets a :class:`RenderError`
instead of waiting forever.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RenderError
from .files import atomic_write_bytes

if TYPE_CHECKING:
    import plotly.graph_objects as go

INSTALL_HINT = "install Debian's Chromium with `apt-get install chromium` (or `make system`), or set BROWSER_PATH"
# kaleido's server is a process-wide singleton: one lock for every exporter in the process
_SERVER_LOCK = threading.Lock()
#: Added to choreographer's flags: nothing in the background may try the network.
OFFLINE_FLAGS = ("--disable-background-networking", "--disable-default-apps", "--disable-domain-reliability")
# first image includes the browser start; later ones take well under a second
_FIRST_TIMEOUT = 120.0
_TIMEOUT = 60.0


def find_chromium() -> str | None:
    """The browser kaleido would use (choreographer's own lookup), or None."""
    try:
        from choreographer.browsers.chromium import Chromium

        return Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001 - an unusual platform: let kaleido report it
        import shutil

        return os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _launcher(browser: str, folder: Path) -> Path:
    """A shell script that starts ``browser`` with choreographer's flags plus :data:`OFFLINE_FLAGS`."""
    import shlex

    script = folder / "chromium"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(browser)} "$@" {" ".join(OFFLINE_FLAGS)}\n', encoding="utf-8")
    script.chmod(0o755)
    return script


def _server() -> Any:
    import kaleido

    return getattr(kaleido, "_global_server", None)


class ChartExporter:
    """Exports plotly figures to PNG/SVG through one shared headless Chromium.

    Use as a context manager (or call :meth:`close`). The figure's own ``layout.width`` and
    ``height`` win; ``width`` and ``height`` apply to figures without them. ``scale`` multiplies
    the PNG's pixels (2.0: sharp in print); SVG is vector and unscaled.
    """

    def __init__(self, *, width: int = 900, height: int = 500, scale: float = 2.0) -> None:
        self.width = width
        self.height = height
        self.scale = scale
        self.timings: list[float] = []  # seconds per image, for reports and benchmarks
        self._owns_server = False
        self._started = False
        self._first = True
        self._launcher_dir: str | None = None

    # lifecycle -----------------------------------------------------------------------
    def start(self) -> ChartExporter:
        """Start kaleido's sync server (a no-op if this process already has one running)."""
        if self._started:
            return self
        path = find_chromium()
        if not path or not Path(path).exists():
            raise RenderError(f"chart export needs Chromium, and none was found: {INSTALL_HINT}")
        try:
            import kaleido
        except ImportError as exc:
            raise RenderError(f"chart export needs kaleido (pip install 'kaleido>=1'): {exc}") from exc
        server = _server()
        with _SERVER_LOCK:
            if server is not None and server.is_running():
                self._owns_server = False  # someone else's: leave it running at close
            else:
                options: dict[str, Any] = {}
                if os.name == "posix":
                    self._launcher_dir = tempfile.mkdtemp(prefix="healthcheck-chromium-")
                    options["path"] = str(_launcher(path, Path(self._launcher_dir)))
                kaleido.start_sync_server(mathjax=False, silence_warnings=True, **options)
                self._owns_server = True
        self._started = True
        return self

    def close(self) -> None:
        """Stop the server if this exporter started it."""
        if not self._started:
            return
        self._started = False
        if self._owns_server:
            import kaleido

            with _SERVER_LOCK:
                kaleido.stop_sync_server(silence_warnings=True)
            self._owns_server = False
        if self._launcher_dir is not None:
            import shutil

            shutil.rmtree(self._launcher_dir, ignore_errors=True)
            self._launcher_dir = None

    def __enter__(self) -> ChartExporter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # export ----------------------------------------------------------------------------
    def _size(self, fig: Mapping[str, Any]) -> tuple[int, int]:
        layout = fig.get("layout") or {}
        return int(layout.get("width") or self.width), int(layout.get("height") or self.height)

    def to_bytes(self, fig: go.Figure | Mapping[str, Any], fmt: str) -> bytes:
        """The figure as ``fmt`` ('png' or 'svg') bytes."""
        import plotly.io as pio

        server = _server()
        if self._started and server is not None and not server.is_running():
            # another exporter owned the server and closed it: start our own, never plotly's
            # one-off export (which would ask a CDN for MathJax)
            self._started = False
        if not self._started:
            self.start()
        fig_dict = fig if isinstance(fig, Mapping) else fig.to_dict()
        width, height = self._size(fig_dict)
        scale = self.scale if fmt == "png" else 1

        def call() -> bytes:
            with warnings.catch_warnings():
                # plotly passes its default HTTP headers as kaleido options, which the running
                # server ignores (it was started with ours); the warning says only that
                warnings.filterwarnings("ignore", message="The kopts argument is ignored", category=UserWarning)
                return pio.to_image(fig_dict, format=fmt, width=width, height=height, scale=scale, validate=False)

        started = time.perf_counter()
        data = self._watched(call, _FIRST_TIMEOUT if self._first else _TIMEOUT)
        self._first = False
        self.timings.append(time.perf_counter() - started)
        return data

    def _watched(self, call: Any, timeout: float) -> bytes:
        """Run ``call`` in a helper thread; fail fast if kaleido's browser thread has died."""
        result: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                result["value"] = call()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                result["error"] = exc
            finally:
                done.set()

        with _SERVER_LOCK:
            server = _server()
            browser_thread = getattr(server, "_thread", None)
            threading.Thread(target=run, name="healthcheck-chart-export", daemon=True).start()
            deadline = time.monotonic() + timeout
            # wake at once when the image is done; every half second check the browser lives
            while not done.wait(0.5):
                if browser_thread is not None and not browser_thread.is_alive():
                    raise RenderError(
                        "the Chromium used for chart images stopped or could not start "
                        f"(run `chromium --headless --no-sandbox --version` to check it; {INSTALL_HINT})"
                    )
                if time.monotonic() > deadline:
                    raise RenderError(f"chart image export took longer than {timeout:.0f} s; Chromium seems stuck")
        if "error" in result:
            exc = result["error"]
            if isinstance(exc, RenderError):
                raise exc
            if "Chrome" in str(exc) or "browser" in str(exc).lower():
                raise RenderError(f"chart export failed: {exc} ({INSTALL_HINT})") from exc
            raise RenderError(f"chart export failed: {type(exc).__name__}: {exc}") from exc
        return result["value"]

    def export(self, fig: go.Figure | Mapping[str, Any], png: Path | None = None, svg: Path | None = None) -> None:
        """Write the figure to ``png`` and/or ``svg`` (each atomically)."""
        if png is not None:
            atomic_write_bytes(Path(png), self.to_bytes(fig, "png"))
        if svg is not None:
            atomic_write_bytes(Path(svg), self.to_bytes(fig, "svg"))

    @property
    def mean_seconds(self) -> float | None:
        """Mean seconds per image after the first (which includes starting the browser)."""
        rest = self.timings[1:]
        return sum(rest) / len(rest) if rest else None
