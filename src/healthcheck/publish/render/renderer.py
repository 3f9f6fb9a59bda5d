"""The renderer: one executed notebook in, its documents out, every step timed and named on failure.

Every output is built in a temporary folder inside ``out_dir`` and moved into place with
``os.replace`` only when all requested formats are done, so a failed render never leaves a
half-written file under a final name. Failures raise :class:`RenderError` naming the notebook
and the step.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from healthcheck.errors import RenderError
from healthcheck.publish.figures import ChartExporter
from healthcheck.publish.formats import ENGINES, FORMATS, IMAGE_FORMATS
from healthcheck.publish.render.content import Content, read_content
from healthcheck.publish.render.docx import write_docx
from healthcheck.publish.render.html import HtmlWriter
from healthcheck.publish.render.pdf import PdfWriter
from healthcheck.publish.render.quarto import QUARTO_TARGETS, quarto_available, quarto_notebook, run_quarto

log = logging.getLogger(__name__)


class Renderer:
    """Turns executed report notebooks into documents; reuse one per worker process.

    ``formats`` is any of 'html', 'docx', 'pdf', 'xlsx' (chart images under ``figures/``: PNG
    with 'docx', SVG with 'pdf', both with 'figures'; none for HTML and the spreadsheet, see
    :meth:`image_formats`), all of a report's drawn in one call. ``exporter`` shares a running
    :class:`ChartExporter`; without one the renderer starts its own on the first chart and
    stops it in :meth:`close`. ``timings`` holds the seconds of each step of the last render.
    Calls from several threads are safe and take turns. Give each council its own ``out_dir``:
    chart images are named by chart (``figures/<name>.png``), not by council.
    """

    def __init__(
        self,
        formats: Sequence[str] = FORMATS,
        engine: str = "native",
        exporter: ChartExporter | None = None,
    ) -> None:
        formats = tuple(dict.fromkeys(formats))
        unknown = [f for f in formats if f not in (*FORMATS, "figures")]
        if unknown or not formats:
            raise RenderError(
                f"unknown output format(s) {unknown or formats}: choose from {', '.join(FORMATS)}, figures"
            )
        if engine not in ENGINES:
            raise RenderError(f"unknown render engine {engine!r}: choose 'native' or 'quarto'")
        if engine == "quarto" and not quarto_available():
            raise RenderError(
                "engine='quarto' needs the quarto command on PATH, and it was not found: install Quarto 1.5+ "
                "(https://quarto.org/docs/get-started/) or use engine='native'"
            )
        self.formats = formats
        self.engine = engine
        self._exporter = exporter
        self._own_exporter = exporter is None
        # one of each per renderer: the nbconvert exporter and the typst compiler are slow to make
        self._html = HtmlWriter()
        self._pdf = PdfWriter()
        # renders through one renderer take turns: the typst compiler and the timings are shared
        self._lock = threading.Lock()
        self.timings: dict[str, float] = {}
        self._links: tuple[tuple[str, str] | None, tuple[str, ...]] = (None, self.formats)

    # lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the chart exporter if this renderer started it."""
        if self._own_exporter and self._exporter is not None:
            self._exporter.close()
            self._exporter = None

    @property
    def exporter(self) -> ChartExporter:
        if self._exporter is None:
            self._exporter = ChartExporter().start()
        return self._exporter

    # the public call -------------------------------------------------------------------
    def render(
        self,
        notebook: Path,
        out_dir: Path,
        *,
        stem: str = "report",
        title: str | None = None,
        index: tuple[str, str] | None = None,
        formats: Sequence[str] | None = None,
    ) -> dict[str, Path]:
        """Write the requested documents for one executed notebook into ``out_dir``.

        Returns the paths written by format ('html', 'docx', 'pdf', 'xlsx' and 'figures', the
        folder of chart images). ``title`` names the document (HTML title, Word and PDF
        properties, PDF running header, spreadsheet cover); by default the notebook's first
        level-1 heading, else its front matter title, else ``stem``. It is never added to the
        body, which is the notebook's own. The web page links, above the report, to ``index``
        (href, words: the page listing every report) and to the report in its other ``formats``
        (those the folder will hold; by default those rendered now).
        """
        with self._lock:
            self._links = (index, tuple(formats) if formats is not None else self.formats)
            return self._render(Path(notebook), Path(out_dir).resolve(), stem=stem, title=title)

    def _render(self, notebook: Path, out_dir: Path, *, stem: str, title: str | None) -> dict[str, Path]:
        import nbformat

        where = str(notebook)
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", stem):
            raise RenderError(f"{where}: stem {stem!r} must be a plain file name (letters, digits, '.', '-', '_')")
        self.timings = {}
        started = time.perf_counter()
        try:
            nb = nbformat.read(str(notebook), as_version=4)
        except FileNotFoundError as exc:
            raise RenderError(f"{where}: notebook not found") from exc
        except Exception as exc:
            raise RenderError(f"{where}: not a readable notebook: {exc}") from exc
        content = read_content(nb, where)
        title = (title or content.title() or stem).strip()
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RenderError(f"{where}: cannot create the output folder {out_dir}: {exc}") from exc
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".render-") as tmp:
            work = Path(tmp)
            if self.engine == "quarto":
                built = self._render_quarto(nb, content, work, stem=stem, title=title, where=where)
            else:
                built = self._render_native(nb, content, work, stem=stem, title=title, where=where)
            result = self._publish(built, out_dir, where)
        self.timings["total"] = time.perf_counter() - started
        log.debug("rendered %s in %.2f s: %s", where, self.timings["total"], self.timings)
        return result

    # steps -----------------------------------------------------------------------------
    def _step(self, name: str, where: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        except RenderError as exc:
            if str(exc).startswith(where):
                raise
            raise RenderError(f"{where}: {name} failed: {exc}") from exc
        except Exception as exc:
            raise RenderError(f"{where}: {name} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def _render_native(
        self, nb: Any, content: Content, work: Path, *, stem: str, title: str, where: str
    ) -> dict[str, Path]:
        built: dict[str, Path] = {}
        if self.image_formats() and (content.charts or content.images):
            built["figures"] = self._step("chart images", where, self._figures, content, work / "figures")
        if "html" in self.formats:
            index, formats = self._links
            built["html"] = self._step(
                "HTML", where, self._html.write, nb, content, work / f"{stem}.html", title, formats=formats, index=index
            )
        if "docx" in self.formats:
            built["docx"] = self._step("Word", where, write_docx, content, work, work / f"{stem}.docx", title)
        if "pdf" in self.formats:
            built["pdf"] = self._step("PDF", where, self._pdf.write, content, work, work / f"{stem}.pdf", title)
        if "xlsx" in self.formats:
            built["xlsx"] = self._step("spreadsheet", where, self._xlsx, content, work / f"{stem}.xlsx", title)
        return built

    def _render_quarto(
        self, nb: Any, content: Content, work: Path, *, stem: str, title: str, where: str
    ) -> dict[str, Path]:
        """``quarto render --no-execute`` on a prepared copy; figures, the PDF's compile and spreadsheet from our code.

        Quarto writes the PDF's typst source; the project's typst compiles it into a tagged
        PDF/UA-1 file, as on the native route.
        """
        built: dict[str, Path] = {}
        if self.image_formats() and (content.charts or content.images):
            built["figures"] = self._step("chart images", where, self._figures, content, work / "figures")
        prepared = self._step("Quarto input", where, quarto_notebook, nb, content, work, stem, title)
        wanted = [f for f in QUARTO_TARGETS if f in self.formats]
        if wanted:
            self._step("Quarto", where, run_quarto, prepared, [QUARTO_TARGETS[f] for f in wanted])
            if "pdf" in wanted:
                source = work / f"{stem}.typ"
                if not source.is_file():
                    raise RenderError(f"{where}: Quarto did not write {source.name}")
                self._step("PDF", where, self._pdf.compile, source, work / f"{stem}.pdf", root=work)
            for fmt in wanted:
                produced = work / f"{stem}.{fmt}"
                if not produced.is_file():
                    raise RenderError(f"{where}: Quarto did not write {produced.name}")
                built[fmt] = produced
        if "xlsx" in self.formats:
            built["xlsx"] = self._step("spreadsheet", where, self._xlsx, content, work / f"{stem}.xlsx", title)
        return built

    def _publish(self, built: dict[str, Path], out_dir: Path, where: str) -> dict[str, Path]:
        """Move finished files into ``out_dir`` (rename: never half-written under a final name)."""
        result: dict[str, Path] = {}
        try:
            for key, path in built.items():
                if key == "figures":
                    final_dir = out_dir / "figures"
                    final_dir.mkdir(exist_ok=True)
                    for item in sorted(path.iterdir()):
                        os.replace(item, final_dir / item.name)
                    result[key] = final_dir
                else:
                    final = out_dir / path.name
                    os.replace(path, final)
                    result[key] = final
        except OSError as exc:
            raise RenderError(f"{where}: moving the outputs into {out_dir} failed: {exc}") from exc
        return result

    # figures -----------------------------------------------------------------------------
    def image_formats(self) -> tuple[str, ...]:
        """The chart image formats the requested outputs use: PNG for Word, SVG for the PDF (either engine).

        HTML keeps its charts interactive and the spreadsheet has none, so they need no image;
        'figures' asks for both.
        """
        wanted = set()
        if "docx" in self.formats:
            wanted.add("png")
        if "pdf" in self.formats:
            wanted.add("svg")  # vector in the PDF
        if "figures" in self.formats:
            wanted |= set(IMAGE_FORMATS)
        return tuple(f for f in IMAGE_FORMATS if f in wanted)

    def _figures(self, content: Content, folder: Path) -> Path:
        """Every chart image the outputs need, drawn in one call to the browser."""
        folder.mkdir(parents=True, exist_ok=True)
        formats = self.image_formats()
        jobs = [(chart.figure, folder / f"{chart.name}.{fmt}") for chart in content.charts for fmt in formats]
        if jobs:
            self.exporter.export_many(jobs)
        for image in content.images:
            (folder / f"{image.name}.{image.ext}").write_bytes(image.data)
        return folder

    # spreadsheet -------------------------------------------------------------------------
    def _xlsx(self, content: Content, path: Path, title: str) -> Path:
        from healthcheck.publish.xlsx import write_workbook

        sources = list(dict.fromkeys(spec.source for spec in content.tables))
        source = "; ".join(sources) if sources else "Social Work Health Check"
        return write_workbook(content.tables, path, title=title, source=source, properties=content.properties)


__all__ = ["Renderer"]
