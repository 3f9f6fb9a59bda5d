"""Static chart images (PNG and SVG) from plotly figures, through one headless Chromium per process.

plotly's static export is kaleido 1.x, which drives a headless Chromium over a pipe. This
module uses kaleido's own browser class (:class:`kaleido.Kaleido`) directly rather than
``plotly.io.to_image``, for speed:

* **One browser for a whole run.** Starting Chromium takes one to two seconds, so it is started
  once per process, in an asyncio loop on a thread of its own, and every
  :class:`ChartExporter` in the process shares it (reference counted: the last to close stops it).
* **A batch per call.** :meth:`ChartExporter.render_many` and :meth:`ChartExporter.export_many`
  hand every image of a report to the browser in one call; with ``tabs`` > 1 they are drawn in
  parallel tabs. A report's identical images (same figure, format, size) are drawn once.
* **No page reload after every image.** kaleido reloads its tab (and with it the 4.8 MB of
  plotly.js) after each image, to start every figure on a fresh page. Measured here that
  reload took over half of each image's time. ``Plotly.toImage`` draws each figure into a new
  element and removes it again, so an image drawn without the reload is byte-for-byte the same
  PNG (checked on the council charts; SVGs differ only in plotly's random clip-path ids, as
  they do between any two exports). The exporter therefore reloads a tab only every
  ``reload_every`` images, which still bounds anything a page might accumulate.

Measured on this 2-core machine, a council report's 4 charts as PNG (scale 2) and SVG: about
0.9 s for all 8 images, against about 2.0 s through ``plotly.io.to_image`` one by one; under
load from other work, 1.4 s against 3.4 s of wall time and 1.1 against 3.0 CPU seconds
(Python and Chromium together).

The browser is Debian's ``/usr/bin/chromium``, found by choreographer's browser lookup
(``BROWSER_PATH``, then ``PATH``, then the usual install paths); nothing is ever downloaded.
choreographer starts it with ``--headless --no-sandbox --disable-gpu`` (sandboxing is off by
default, which running as root needs) plus ``--disable-component-update`` and
``--disable-sync``. It takes no extra flags, so on Linux the exporter hands it a two-line
launcher that adds :data:`OFFLINE_FLAGS` (no background networking: the machine is offline).
kaleido's page loads plotly.js from the plotly package and MathJax is switched off, so nothing
is fetched from the network.

PNGs are compressed after drawing (:func:`compress_png`): a chart has a few flat colours plus the
anti-aliased edges of its text, so a 256-colour palette without dithering looks the same at
print size and takes about a fifth of the bytes (2.3 MB to 0.5 MB for a council's charts).

Every call is watched: if Chromium dies, the caller gets a :class:`RenderError` at once
instead of waiting forever, and the next call starts a new browser.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthcheck.errors import RenderError
from healthcheck.files import atomic_write_bytes
from healthcheck.publish.formats import IMAGE_FORMATS

if TYPE_CHECKING:
    import plotly.graph_objects as go

INSTALL_HINT = "install Debian's Chromium with `apt-get install chromium` (or `make system`), or set BROWSER_PATH"
#: Added to choreographer's flags: nothing in the background may try the network.
OFFLINE_FLAGS = ("--disable-background-networking", "--disable-default-apps", "--disable-domain-reliability")
#: A tab's page is reloaded after this many images (kaleido itself reloads after every one).
RELOAD_EVERY = 50
_START_TIMEOUT = 120.0  # starting Chromium on a loaded machine
_IMAGE_TIMEOUT = 60.0  # one image; kaleido's own per-image limit too
_POLL = 0.5  # how often a waiting call checks that the browser lives


#: Colours in a compressed PNG's palette (None keeps kaleido's full-colour PNG).
PNG_COLOURS = 256


def compress_png(data: bytes, colours: int | None = PNG_COLOURS) -> bytes:
    """``data`` as a palette PNG of at most ``colours`` colours, undithered; the original if not smaller.

    Transparency is kept (an RGBA palette) when the image has any; most charts are opaque.
    """
    if not colours:
        return data
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        rgba = image.convert("RGBA")
    opaque = rgba.getchannel("A").getextrema()[0] == 255
    source = rgba.convert("RGB") if opaque else rgba
    palette = source.quantize(colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue() if out.tell() < len(data) else data


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


# --------------------------------------------------------------------------------------
# the browser: kaleido in an event loop on its own thread
# --------------------------------------------------------------------------------------
#: How often a tab is reloaded when its page has not come up with kaleido's script.
READY_ATTEMPTS = 3
_SCRIPT_CHECK = "function() { return typeof kaleido_scopes; }"


async def _script_loaded(tab: Any) -> bool:
    """Whether the tab's JavaScript context sees kaleido's script (``kaleido_scopes``)."""
    from kaleido._kaleido_tab import _devtools_utils

    response = await _devtools_utils.exec_js_fn(tab.tab, tab._current_js_id, _SCRIPT_CHECK)
    return (response.get("result") or {}).get("result", {}).get("value") == "object"


async def _until_loaded(tab: Any) -> None:
    """Reload ``tab`` until its page has kaleido's script, at most :data:`READY_ATTEMPTS` times.

    kaleido takes the tab's JavaScript context from the first context Chromium reports after
    a navigation; on a busy machine that can be the blank page's, not the plotly page's, and
    every image then fails with 'kaleido_scopes is not defined'. A reload finds the right one.
    """
    for _ in range(READY_ATTEMPTS):
        if await _script_loaded(tab):
            return
        await tab.reload()
    if not await _script_loaded(tab):
        raise RenderError("the chart page in Chromium did not load kaleido's script after reloading")


def _kaleido_class(reload_every: int) -> type:
    """:class:`kaleido.Kaleido` that reloads a tab's page every ``reload_every`` images, not after each,
    and checks each tab's page has kaleido's script before it draws."""
    import kaleido

    class _Kaleido(kaleido.Kaleido):
        reloads = 0  # how many reloads happened (for tests and benchmarks)

        async def open(self) -> None:
            await super().open()
            tabs = []
            while not self.tabs_ready.empty():
                tabs.append(self.tabs_ready.get_nowait())
            for tab in tabs:
                await _until_loaded(tab)
                await self.tabs_ready.put(tab)

        async def _return_kaleido_tab(self, tab: Any) -> None:  # kaleido's hook: runs after every image
            counts = self.__dict__.setdefault("_healthcheck_counts", {})
            counts[id(tab)] = counts.get(id(tab), 0) + 1
            if counts[id(tab)] >= reload_every or not hasattr(self, "tabs_ready"):
                counts[id(tab)] = 0
                self.reloads += 1
                await tab.reload()
                await _until_loaded(tab)
            await self.tabs_ready.put(tab)

    return _Kaleido


class _Browser:
    """One Chromium (a kaleido browser) served by an asyncio loop on a daemon thread."""

    def __init__(self, *, tabs: int, reload_every: int) -> None:
        path = find_chromium()
        if not path or not Path(path).exists():
            raise RenderError(f"chart export needs Chromium, and none was found: {INSTALL_HINT}")
        try:
            import kaleido  # noqa: F401
        except ImportError as exc:
            raise RenderError(f"chart export needs kaleido (pip install 'kaleido>=1'): {exc}") from exc
        self.tabs = max(1, int(tabs))
        self.reload_every = max(1, int(reload_every))
        self._launcher_dir = tempfile.mkdtemp(prefix="healthcheck-chromium-") if os.name == "posix" else None
        self._path = str(_launcher(path, Path(self._launcher_dir))) if self._launcher_dir else path
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="healthcheck-chromium", daemon=True)
        self.thread.start()
        self.kaleido: Any = None
        self.broken = False  # a call timed out: not to be used again
        started = time.perf_counter()
        try:
            self.kaleido = self.run(self._open(), _START_TIMEOUT, starting=True)
        except BaseException as exc:
            self.close()
            if isinstance(exc, RenderError) or not isinstance(exc, Exception):
                raise
            message = f"Chromium for chart images could not start: {type(exc).__name__}: {exc} ({INSTALL_HINT})"
            raise RenderError(message) from exc
        self.start_seconds = time.perf_counter() - started

    async def _open(self) -> Any:
        cls = _kaleido_class(self.reload_every)
        browser = cls(n=self.tabs, timeout=_IMAGE_TIMEOUT, mathjax=False, path=self._path)
        try:
            await browser.open()
        except BaseException:
            try:  # half started: leave no Chromium behind
                await browser.close()
            except Exception:  # noqa: BLE001
                process = getattr(browser, "subprocess", None)
                if process is not None and process.poll() is None:
                    process.kill()
            raise
        return browser

    def alive(self) -> bool:
        if self.broken or not self.thread.is_alive() or self.kaleido is None:
            return False
        process = getattr(self.kaleido, "subprocess", None)
        return process is None or process.poll() is None

    def run(self, coro: Any, timeout: float, *, starting: bool = False) -> Any:
        """Run ``coro`` on the browser's loop; RenderError if Chromium dies or it takes too long."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        deadline = time.monotonic() + timeout
        while True:
            try:
                return future.result(_POLL)
            except concurrent.futures.TimeoutError:
                pass
            if not starting and not self.alive():
                future.cancel()
                raise RenderError(
                    "the Chromium used for chart images stopped "
                    f"(run `chromium --headless --no-sandbox --version` to check it; {INSTALL_HINT})"
                )
            if time.monotonic() > deadline:
                future.cancel()
                self.broken = True  # the next call starts a new browser rather than wait on this one
                what = "starting Chromium" if starting else "chart image export"
                raise RenderError(f"{what} took longer than {timeout:.0f} s; Chromium seems stuck")

    def close(self) -> None:
        if self.kaleido is not None and self.thread.is_alive():
            browser, self.kaleido = self.kaleido, None
            process = getattr(browser, "subprocess", None)
            if self.broken and process is not None and process.poll() is None:
                process.kill()  # stuck: no point asking it to close
            try:
                self.run(browser.close(), 30.0, starting=True)
            except Exception:  # noqa: BLE001 - a browser that will not close is killed with its process
                process = getattr(browser, "subprocess", None)
                if process is not None and process.poll() is None:
                    process.kill()
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        if not self.thread.is_alive():
            self.loop.close()
        if self._launcher_dir is not None:
            import shutil

            shutil.rmtree(self._launcher_dir, ignore_errors=True)
            self._launcher_dir = None


# one browser per process, shared by every exporter (reference counted)
_SHARED: _Browser | None = None
_USERS = 0
_SHARED_LOCK = threading.Lock()


def _acquire(tabs: int, reload_every: int) -> _Browser:
    global _SHARED, _USERS
    with _SHARED_LOCK:
        if _SHARED is not None and not _SHARED.alive():
            _SHARED.close()  # died since its last use: a new one below
            _SHARED = None
        if _SHARED is None:
            _SHARED = _Browser(tabs=tabs, reload_every=reload_every)
            _USERS = 0
            atexit.register(_close_shared, _SHARED)  # an exporter never closed: no Chromium left behind
        _USERS += 1
        return _SHARED


def _release(browser: _Browser) -> None:
    global _SHARED, _USERS
    with _SHARED_LOCK:
        if browser is not _SHARED:  # replaced after it died: ours alone to close
            browser.close()
            return
        _USERS -= 1
        if _USERS <= 0:
            _USERS = 0
            _SHARED = None
            browser.close()


def _close_shared(browser: _Browser) -> None:
    global _SHARED, _USERS
    with _SHARED_LOCK:
        if browser is _SHARED:
            _SHARED, _USERS = None, 0
    browser.close()


def browser_running() -> bool:
    """True while this process has a chart browser open."""
    return _SHARED is not None and _SHARED.alive()


# --------------------------------------------------------------------------------------
# the exporter
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImageJob:
    """One image to draw: a figure (dict or plotly Figure), 'png' or 'svg'."""

    figure: Any
    fmt: str


class ChartExporter:
    """Exports plotly figures to PNG/SVG through the process's shared headless Chromium.

    Use as a context manager (or call :meth:`close`). The figure's own ``layout.width`` and
    ``height`` win; ``width`` and ``height`` apply to figures without them. ``scale`` multiplies
    the PNG's pixels (2.0: a 900 px wide chart is 1800 px, about 270 dpi across a 17 cm column:
    sharp in print); SVG is vector and unscaled. ``png_colours`` is the palette PNGs are
    compressed to (:func:`compress_png`; None keeps them full colour). ``tabs`` is how many
    images the browser draws at once (only the exporter that starts the browser sets it).
    """

    def __init__(
        self,
        *,
        width: int = 900,
        height: int = 500,
        scale: float = 2.0,
        png_colours: int | None = PNG_COLOURS,
        tabs: int = 1,
        reload_every: int = RELOAD_EVERY,
    ) -> None:
        self.width = width
        self.height = height
        self.scale = scale
        self.png_colours = png_colours
        self.tabs = tabs
        self.reload_every = reload_every
        self.timings: list[float] = []  # seconds per image (a batch's time shared out), for benchmarks
        self.calls: list[tuple[int, float]] = []  # (images, seconds) per call to the browser
        self.start_seconds: float | None = None  # starting Chromium, when this exporter started it
        self._browser: _Browser | None = None

    # lifecycle -----------------------------------------------------------------------
    def start(self) -> ChartExporter:
        """Join the process's chart browser, starting it if there is none (a no-op if joined)."""
        if self._browser is not None and self._browser.alive():
            return self
        if self._browser is not None:  # died: let it go and join (or start) a live one
            _release(self._browser)
            self._browser = None
        started = time.perf_counter()
        fresh = not browser_running()
        self._browser = _acquire(self.tabs, self.reload_every)
        if fresh:
            self.start_seconds = time.perf_counter() - started
        return self

    def close(self) -> None:
        """Leave the shared browser (stopped when its last exporter leaves)."""
        if self._browser is not None:
            browser, self._browser = self._browser, None
            _release(browser)

    def __enter__(self) -> ChartExporter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def started(self) -> bool:
        return self._browser is not None

    # export ----------------------------------------------------------------------------
    def _opts(self, fig: Mapping[str, Any], fmt: str) -> dict[str, Any]:
        if fmt not in IMAGE_FORMATS:
            raise RenderError(f"unknown chart image format {fmt!r}: choose png or svg")
        layout = fig.get("layout") or {}
        width, height = int(layout.get("width") or self.width), int(layout.get("height") or self.height)
        return {"format": fmt, "width": width, "height": height, "scale": self.scale if fmt == "png" else 1}

    def render_many(self, jobs: Sequence[ImageJob]) -> list[bytes]:
        """Every job's image, in order, from one call to the browser; identical jobs drawn once."""
        if not jobs:
            return []
        specs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        keys = []
        for job in jobs:
            fig = job.figure if isinstance(job.figure, Mapping) else job.figure.to_dict()
            opts = self._opts(fig, job.fmt)
            key = hashlib.sha256(
                json.dumps([fig, opts], sort_keys=True, default=str, separators=(",", ":")).encode()
            ).hexdigest()
            specs.setdefault(key, (fig, opts))
            keys.append(key)
        self.start()
        assert self._browser is not None
        browser = self._browser

        async def draw() -> list[Any]:
            tasks = [browser.kaleido.calc_fig(fig, opts) for fig, opts in specs.values()]
            return await asyncio.gather(*tasks, return_exceptions=True)

        started = time.perf_counter()
        timeout = _IMAGE_TIMEOUT * (1 + len(specs) / browser.tabs)
        drawn = browser.run(draw(), timeout)
        seconds = time.perf_counter() - started
        errors = [d for d in drawn if isinstance(d, BaseException)]
        if errors:
            exc = errors[0]
            if not browser.alive() or "browser" in str(exc).lower() or "Chrome" in str(exc):
                raise RenderError(f"chart export failed: {type(exc).__name__}: {exc} ({INSTALL_HINT})") from exc
            raise RenderError(f"chart export failed: {type(exc).__name__}: {exc}") from exc
        self.calls.append((len(jobs), seconds))
        self.timings.extend([seconds / len(jobs)] * len(jobs))
        images = {
            key: compress_png(image, self.png_colours) if opts["format"] == "png" else image
            for (key, (_, opts)), image in zip(specs.items(), drawn, strict=True)
        }
        return [images[key] for key in keys]

    def to_bytes(self, fig: go.Figure | Mapping[str, Any], fmt: str) -> bytes:
        """The figure as ``fmt`` ('png' or 'svg') bytes."""
        return self.render_many([ImageJob(fig, fmt)])[0]

    def export_many(self, items: Iterable[tuple[go.Figure | Mapping[str, Any], Path]]) -> list[Path]:
        """Write each ``(figure, path)`` (format from the suffix, .png or .svg), all in one batch, atomically."""
        pairs = [(fig, Path(path)) for fig, path in items]
        for _, path in pairs:
            if path.suffix.lower().lstrip(".") not in IMAGE_FORMATS:
                raise RenderError(f"chart image {path.name!r} must end in .png or .svg")
        return self._write([(ImageJob(fig, path.suffix.lower().lstrip(".")), path) for fig, path in pairs])

    def export(self, fig: go.Figure | Mapping[str, Any], png: Path | None = None, svg: Path | None = None) -> None:
        """Write the figure to ``png`` and/or ``svg`` (each atomically), in one batch."""
        self._write([(ImageJob(fig, fmt), Path(p)) for fmt, p in (("png", png), ("svg", svg)) if p is not None])

    def _write(self, jobs: Sequence[tuple[ImageJob, Path]]) -> list[Path]:
        images = self.render_many([job for job, _ in jobs])
        return [atomic_write_bytes(path, data) for (_, path), data in zip(jobs, images, strict=True)]

    @property
    def mean_seconds(self) -> float | None:
        """Mean seconds per image over every call so far."""
        return sum(self.timings) / len(self.timings) if self.timings else None

    @property
    def reloads(self) -> int:
        """How many times the browser reloaded a tab's page (shared browser: every exporter's)."""
        return (
            getattr(self._browser.kaleido, "reloads", 0) if self._browser is not None and self._browser.kaleido else 0
        )
