"""Executed notebook -> HTML, Word, PDF, spreadsheet and chart images, without re-executing.

The notebook's outputs already hold everything (see :mod:`healthcheck.publish.display`): markdown,
tables as typed JSON and charts as plotly JSON. The renderer only reads them.

Route (``engine="native"``, the default, used whenever Quarto is not installed):

* **HTML**: nbconvert's ``HTMLExporter`` (``basic`` template, ``exclude_input=True``, no
  prompts, no anchor links) on a cleaned copy of the notebook (code blanked, stray text and
  stream outputs dropped), inside a small page shell with ``templates/report.css``. Charts stay
  interactive (plotly.js inlined once by the notebook itself); nothing loads from the network.
* **Word**: one pandoc markdown document built from the markdown cells and outputs (as they
  are), the tables (rebuilt from their JSON as pipe tables with caption, set column widths,
  numbers right-aligned, then source and notes) and the charts (PNG images exported by
  :class:`~healthcheck.publish.figures.ChartExporter`, all of a report's in one batch, no taller than
  a page); pandoc writes ``.docx`` with ``templates/reference.docx`` for its styles, then
  python-docx sets each image's alt text and the document properties.
* **PDF**: the same document through pandoc's typst writer with ``templates/report.typ``
  (A4, 2 cm margins, running title, "Page N of M"), compiled by the ``typst`` Python package
  into a tagged PDF/UA-1 file. Tables are written as typst tables directly (pandoc's typst
  writer leaves cell text such as "1. Leadership" to be read as a list): column widths shared
  out as a browser would, text wrapping in its cell, smaller type for wide tables, a header
  row repeated on each page. Charts are SVG (vector) with their alt text.
* **Spreadsheet**: :func:`healthcheck.publish.xlsx.write_workbook` from the tables' JSON.

Why this route: every piece comes from the Python package registry (nbconvert, pypandoc-binary,
which bundles pandoc, typst, kaleido, python-docx, openpyxl), so ``pip install`` alone makes a
working, offline renderer with no system TeX, no Quarto and no network. It mirrors Quarto's own
html / docx / typst formats (Quarto also drives pandoc and typst), so ``engine="quarto"``, which
runs ``quarto render --no-execute`` on the same executed notebook, produces equivalent documents
where Quarto is installed.

Every output is built in a temporary folder inside ``out_dir`` and moved into place with
``os.replace`` only when all requested formats are done, so a failed render never leaves a
half-written file under a final name. Failures raise :class:`RenderError` naming the notebook
and the step.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthcheck.publish.display import META_KEY, PLOTLY_MIME, TABLE_MIME, TableSpec, check_name
from healthcheck.errors import RenderError, ReportError
from healthcheck.publish.figures import ChartExporter

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("html", "docx", "pdf", "xlsx")
ENGINES = ("native", "quarto")
#: Pandoc's markdown, read the way Jupyter writes it (lists straight after a paragraph) and
#: without syntax a report's prose could trip by accident (@citations, $maths$, raw TeX).
MD_FORMAT = "markdown+lists_without_preceding_blankline-citations-tex_math_dollars-raw_tex-yaml_metadata_block"
TEXT_WIDTH_CM = 17.0  # A4 less 2 cm margins
#: The tallest a chart may be in Word and the PDF: A4's 25.7 cm between the margins, less the
#: running header and a two-line caption.
MAX_FIGURE_HEIGHT_CM = 21.0
RICH_MIMES = ("text/html", "text/markdown", "image/png", "image/svg+xml", "image/jpeg", TABLE_MIME, PLOTLY_MIME)
QUARTO_TIMEOUT = 600


def quarto_available() -> bool:
    """True if the ``quarto`` command is on PATH."""
    return shutil.which("quarto") is not None


# --------------------------------------------------------------------------------------
# reading an executed notebook
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Markdown:
    text: str


@dataclass(frozen=True)
class Table:
    spec: TableSpec


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    alt: str
    figure: dict[str, Any]


@dataclass(frozen=True)
class Image:
    """A plain image output (not one of ours): shown as it is."""

    name: str
    data: bytes
    ext: str
    alt: str


Block = Markdown | Table | Chart | Image


@dataclass
class Content:
    """What a reader sees in an executed notebook, in order."""

    blocks: list[Block] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> list[TableSpec]:
        return [b.spec for b in self.blocks if isinstance(b, Table)]

    @property
    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]

    @property
    def images(self) -> list[Image]:
        return [b for b in self.blocks if isinstance(b, Image)]

    def heading(self) -> str | None:
        """The first level-1 heading a reader sees (markdown cell or output), as plain text."""
        for block in self.blocks:
            if isinstance(block, Markdown):
                match = re.search(r"^#[ \t]+(.+?)[ \t#]*$", _strip_fences(block.text), re.MULTILINE)
                if match:
                    return re.sub(r"[*_`]", "", match.group(1)).strip()
        return None

    def title(self) -> str | None:
        """The first level-1 heading, else the front matter's title.

        The heading wins: in a parameterised notebook it names the council, while front matter,
        written once for every council, cannot.
        """
        heading = self.heading()
        if heading:
            return heading
        if isinstance(self.front_matter.get("title"), str) and self.front_matter["title"].strip():
            return self.front_matter["title"].strip()
        return None


def _strip_fences(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def _source(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _front_matter(cell: Any) -> dict[str, Any] | None:
    """A first raw cell holding ``---`` YAML ``---`` (Quarto's front matter), parsed safely."""
    import yaml

    text = _source(cell.get("source")).strip()
    match = re.match(r"^---\s*\n(.*?)\n---\s*$", text, re.DOTALL)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _tags(cell: Any) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def _is_ours(output: Any) -> bool:
    return output.get("output_type") in ("display_data", "execute_result") and any(
        m in output.get("data", {}) for m in RICH_MIMES
    )


def read_content(nb: Any, where: str) -> Content:
    """The blocks of an executed notebook; RenderError for error outputs or unexecuted notebooks."""
    content = Content()
    code_cells = executed = 0
    seen_tables: set[str] = set()
    seen_charts: set[str] = set()
    for number, cell in enumerate(nb.get("cells", []), start=1):
        kind = cell.get("cell_type")
        tags = _tags(cell)
        if "remove-cell" in tags or "remove_cell" in tags:
            continue
        if kind == "raw":
            meta = _front_matter(cell) if not content.blocks and not content.front_matter else None
            if meta is not None:
                content.front_matter = meta
            continue
        if kind == "markdown":
            text = _source(cell.get("source"))
            if text.strip():
                content.blocks.append(Markdown(text))
            continue
        if kind != "code":
            continue
        code_cells += 1
        outputs = cell.get("outputs", [])
        executed += bool(outputs) or cell.get("execution_count") is not None
        for output in outputs:
            if output.get("output_type") == "error":
                raise RenderError(
                    f"{where}: cell {number} ended with an error ({output.get('ename')}: {output.get('evalue')}); "
                    "fix the notebook and execute it again before rendering"
                )
        if "remove-output" in tags or "remove_output" in tags:
            continue
        for output in outputs:
            if not _is_ours(output):
                continue  # printed text, warnings, bare reprs: not for a committee paper
            block = _block(output, where, number, len(content.blocks))
            if isinstance(block, Table):
                if block.spec.name in seen_tables:
                    raise RenderError(f"{where}: two tables are named {block.spec.name!r}; give each a unique name")
                seen_tables.add(block.spec.name)
            if isinstance(block, Chart):
                if block.name in seen_charts:
                    raise RenderError(f"{where}: two charts are named {block.name!r}; give each a unique name")
                seen_charts.add(block.name)
            if block is not None:
                content.blocks.append(block)
    if code_cells and not executed:
        raise RenderError(f"{where}: the notebook has not been executed (no outputs); run it with papermill first")
    return content


def _block(output: Any, where: str, cell: int, position: int) -> Block | None:
    data = output.get("data", {})
    meta = output.get("metadata", {}).get(META_KEY, {}) or {}
    if TABLE_MIME in data:
        try:
            return Table(TableSpec.from_json(data[TABLE_MIME]))
        except (ValueError, TypeError, KeyError) as exc:
            raise RenderError(f"{where}: cell {cell} holds a table the renderer cannot read: {exc}") from exc
    if PLOTLY_MIME in data:
        figure = data[PLOTLY_MIME]
        title = meta.get("title") or _source(data.get("text/plain")).strip() or f"Chart {position + 1}"
        name = meta.get("name") or f"chart-{cell}-{position + 1}"
        try:
            check_name(name, "chart")
        except ReportError as exc:
            raise RenderError(f"{where}: cell {cell}: {exc}") from exc
        return Chart(name=name, title=title, alt=meta.get("alt") or title, figure=figure)
    if "text/markdown" in data:
        return Markdown(_source(data["text/markdown"]))
    for mime, ext in (("image/png", "png"), ("image/jpeg", "jpg")):
        if mime in data:
            raw = base64.b64decode(_source(data[mime]))
            alt = _source(data.get("text/plain")).strip() or "Image"
            return Image(name=f"image-{cell}-{position + 1}", data=raw, ext=ext, alt=alt)
    if "text/html" in data:
        log.warning("%s: cell %d has an HTML-only output, which only the HTML report shows; "
                    "use show_table / show_chart / show_markdown for Word, PDF and the spreadsheet", where, cell)  # fmt: skip
    return None


def clean_for_html(nb: Any) -> Any:
    """A copy of the notebook fit to publish: no code, no raw cells, only rich outputs."""
    clean = copy.deepcopy(nb)
    cells = []
    for cell in clean.cells:
        tags = _tags(cell)
        if cell.cell_type == "raw" or "remove-cell" in tags or "remove_cell" in tags:
            continue
        if cell.cell_type == "code":
            cell.source = ""
            keep = not ("remove-output" in tags or "remove_output" in tags)
            cell.outputs = [o for o in cell.get("outputs", []) if keep and _is_ours(o)]
            if not cell.outputs:
                continue
        cells.append(cell)
    clean.cells = cells
    clean.metadata.pop("widgets", None)
    return clean


# --------------------------------------------------------------------------------------
# the pandoc document
# --------------------------------------------------------------------------------------
# every ASCII punctuation mark: escaped, pandoc reads it literally (no emphasis, links, smart
# quotes or dashes), so data such as '=HYPERLINK("...")' or "--" reaches the document unchanged
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: str) -> str:
    """Plain text as literal pandoc markdown (one line)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def typst_string(text: str) -> str:
    """A typst string literal."""
    body = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{body}"'


TEXT_WIDTH_PT = TEXT_WIDTH_CM / 2.54 * 72
CELL_INSET_PT = 10.0  # 5 pt either side
TABLE_SIZES_PT = (9.5, 9.0, 8.5, 8.0, 7.5)


def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Rough printed width in points of ``text`` in Liberation Sans / Arial at ``size``."""
    return len(text) * size * (0.6 if bold else 0.55)


def table_layout(spec: TableSpec) -> tuple[list[float], float]:
    """Column widths (shares of the text width) and the font size (pt) for a table on A4.

    As browsers lay out tables: each column needs at least its longest word and would like its
    longest cell on one line; the page's width is shared out accordingly. The largest font size
    at which every column's longest word fits is used (9.5 pt down to 7.5 pt).
    """
    shown = spec.formatted_rows()
    for size in TABLE_SIZES_PT:
        least, most = [], []
        for i, name in enumerate(spec.columns):
            cells = [row[i] for row in shown]
            word = max([_text_width(w, size, bold=True) for w in name.split()] +
                       [_text_width(w, size) for c in cells for w in c.split()], default=0.0)  # fmt: skip
            whole = max([_text_width(c, size) for c in cells], default=0.0)
            header = _text_width(name, size, bold=True)
            # a long header may take two lines; a cell would rather not wrap
            want = max(word, whole, header if len(name) <= 14 else header / 2)
            least.append(word + CELL_INSET_PT)
            most.append(max(want, word) + CELL_INSET_PT)
        if sum(least) <= TEXT_WIDTH_PT:
            break
    if sum(most) <= TEXT_WIDTH_PT:
        widths = most
    elif sum(least) < TEXT_WIDTH_PT:
        spare = TEXT_WIDTH_PT - sum(least)
        stretch = [m - lo for m, lo in zip(most, least, strict=True)]
        widths = [lo + spare * s / sum(stretch) for lo, s in zip(least, stretch, strict=True)]
    else:
        widths = least  # too wide even at the smallest size: shrink evenly
    total = sum(widths)
    return [w / total for w in widths], size


def column_shares(spec: TableSpec) -> list[float]:
    """Relative column widths (see :func:`table_layout`)."""
    return table_layout(spec)[0]


def table_markdown(spec: TableSpec, target: str) -> str:
    """A table with its caption and set column widths, then its source and notes.

    Word gets a pandoc pipe table. The PDF gets a typst table written here, because pandoc's
    typst writer leaves cell text such as '1. Leadership' or '- 5' unescaped, which typst then
    reads as a numbered list or a bullet.
    """
    if target == "typst":
        return table_typst(spec) + "\n" + source_block(_small_print(spec), target)
    numeric = spec.numeric
    shares = column_shares(spec)
    # pandoc takes relative widths from the dashes when a line is longer than 72 characters
    dashes = [max(3, round(120 * s)) for s in shares]
    head = "| " + " | ".join(md_escape(c) for c in spec.columns) + " |"
    rule = "|" + "|".join(("-" * d + ":") if n else (":" + "-" * d) for d, n in zip(dashes, numeric, strict=True)) + "|"
    rows = ["| " + " | ".join(md_escape(t) for t in row) + " |" for row in spec.formatted_rows()]
    if not rows:
        rows = ["| " + " | ".join("n/a" for _ in spec.columns) + " |"]
    caption = f": {md_escape(spec.title)} {{#tbl-{spec.name}}}"
    return "\n".join([head, rule, *rows, "", caption, "", source_block(_small_print(spec), target)])


def _small_print(spec: TableSpec) -> list[str]:
    return [f"Source: {spec.source}"] + [f"Note: {n}" for n in spec.notes]


def table_typst(spec: TableSpec) -> str:
    """A raw typst table in a numbered figure: widths, alignment, repeating header, smaller type when wide."""
    numeric = spec.numeric
    shares, size = table_layout(spec)
    widths = ", ".join(f"{100 * s:.2f}%" for s in shares)
    align = ", ".join("right" if n else "left" for n in numeric)
    header = ", ".join(f"[#{typst_string(c)}]" for c in spec.columns)
    rows = spec.formatted_rows() or [["n/a"] * len(spec.columns)]
    body = ",\n".join("    " + ", ".join(f"[#{typst_string(t)}]" for t in row) for row in rows)
    return (
        "```{=typst}\n"
        f"#[\n#show table: set text(size: {size:g}pt)\n"
        f"#figure(\n  table(\n    columns: ({widths},),\n    align: ({align},),\n"
        f"    table.header({header}),\n{body},\n  ),\n"
        f"  caption: [#{typst_string(spec.title)}],\n  kind: table,\n) <tbl-{spec.name}>\n]\n```\n"
    )


def source_block(paragraphs: Sequence[str], target: str) -> str:
    """Small-print paragraphs under a table: a Word style, or a typst block."""
    if target == "docx":
        body = "\n\n".join(md_escape(p) for p in paragraphs)
        return f'::: {{custom-style="Table Source"}}\n{body}\n:::\n'
    inner = "\n\n".join(f"  #{typst_string(p)}" for p in paragraphs)
    return (
        "```{=typst}\n#block(above: 0.5em, below: 1.4em, width: 100%)[\n"
        "  #set text(size: 9pt, fill: luma(25%))\n  #set par(spacing: 0.45em)\n"
        f"{inner}\n]\n```\n"
    )


def chart_aspect(figure: dict[str, Any], default: tuple[int, int] = (900, 500)) -> float:
    """Height over width of a chart as exported (its layout's size, else the exporter's default)."""
    layout = figure.get("layout") or {}
    try:
        width = float(layout.get("width") or default[0])
        height = float(layout.get("height") or default[1])
    except (TypeError, ValueError):
        width, height = default
    return height / width if width > 0 and height > 0 else default[1] / default[0]


def figure_markdown(name: str, title: str, alt: str, target: str, path_stem: str, aspect: float | None = None) -> str:
    """A chart or image with its caption: PNG in Word, SVG (vector) in the PDF, alt text in both.

    Full text width, unless that would make it taller than :data:`MAX_FIGURE_HEIGHT_CM`
    (``aspect`` is height / width): then that height, narrower, so that it fits on one page
    with its caption instead of running off the foot of it.
    """
    tall = aspect is not None and TEXT_WIDTH_CM * aspect > MAX_FIGURE_HEIGHT_CM
    if target == "docx":
        size = f"height={MAX_FIGURE_HEIGHT_CM:g}cm" if tall else f"width={TEXT_WIDTH_CM:g}cm"
        return f"![{md_escape(title)}]({path_stem}.png){{#fig-{name} {size}}}\n"
    size = f"height: {MAX_FIGURE_HEIGHT_CM:g}cm" if tall else "width: 100%"
    return (
        "```{=typst}\n"
        f"#figure(image({typst_string(path_stem + '.svg')}, {size}, alt: {typst_string(alt)}),\n"
        f"  caption: [#{typst_string(title)}],\n) <fig-{name}>\n```\n"
    )


def build_markdown(content: Content, target: str) -> str:
    """The whole report as one pandoc markdown document for ``target`` ('docx' or 'typst')."""
    parts: list[str] = []
    for block in content.blocks:
        if isinstance(block, Markdown):
            parts.append(block.text.strip() + "\n")
        elif isinstance(block, Table):
            parts.append(table_markdown(block.spec, target))
        elif isinstance(block, Chart):
            aspect = chart_aspect(block.figure)
            parts.append(figure_markdown(block.name, block.title, block.alt, target, f"figures/{block.name}", aspect))
        elif isinstance(block, Image):
            file = f"figures/{block.name}.{block.ext}"
            if target == "docx":
                parts.append(f"![{md_escape(block.alt)}]({file}){{width={TEXT_WIDTH_CM:g}cm}}\n")
            else:
                parts.append(
                    "```{=typst}\n"
                    f"#figure(image({typst_string(file)}, width: 100%, "
                    f"alt: {typst_string(block.alt)}))\n```\n"
                )
    return "\n".join(parts)


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def reference_docx() -> Path:
    """``templates/reference.docx``, built (once, in a temporary folder) if it is missing."""
    kept = TEMPLATES / "reference.docx"
    if kept.is_file():
        return kept
    import runpy

    script = TEMPLATES / "build_reference_docx.py"
    digest = hashlib.sha1(script.read_bytes()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"healthcheck-reference-{digest}.docx"
    if not target.is_file():
        runpy.run_path(str(script))["build"](target)
    return target


def page_html(body: str, *, title: str, css: str, plotlyjs: str = "") -> str:
    import html as _html

    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="healthcheck">\n'
        f"<title>{_html.escape(title)}</title>\n<style>\n{css}\n</style>\n{plotlyjs}</head>\n<body>\n"
        '<a class="hc-skip" href="#main">Skip to the report</a>\n'
        f'<main id="main">\n{body}\n</main>\n</body>\n</html>\n'
    )


_REMOTE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def _docx_finish(path: Path, *, title: str, alts: Sequence[tuple[str, str]]) -> None:
    """Each chart's alt text and the document properties.

    pandoc puts a picture's caption where Word keeps its alt text; ``alts`` pairs each chart's
    caption with its alt text, in order, so pictures from markdown cells are left alone.
    """
    import docx

    document = docx.Document(str(path))
    pending = list(alts)
    for shape in document.inline_shapes:
        doc_pr = shape._inline.docPr
        if pending and " ".join((doc_pr.get("descr") or "").split()) == " ".join(pending[0][0].split()):
            doc_pr.set("descr", pending.pop(0)[1])
            doc_pr.set("title", "")
    props = document.core_properties
    props.title = title
    props.author = "healthcheck"
    props.language = "en-GB"
    props.comments = "Generated from an executed notebook by healthcheck"
    document.save(str(path))


# --------------------------------------------------------------------------------------
# the renderer
# --------------------------------------------------------------------------------------
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
            raise RenderError(f"unknown output format(s) {unknown or formats}: choose from {', '.join(FORMATS)}, figures")
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
        self._typst: Any = None
        self._html_exporter: Any = None
        self._css: str | None = None
        # renders through one renderer take turns: the typst compiler and the timings are shared
        self._lock = threading.Lock()
        self.timings: dict[str, float] = {}

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
    def render(self, notebook: Path, out_dir: Path, *, stem: str = "report", title: str | None = None) -> dict[str, Path]:
        """Write the requested documents for one executed notebook into ``out_dir``.

        Returns the paths written by format ('html', 'docx', 'pdf', 'xlsx' and 'figures', the
        folder of chart images). ``title`` names the document (HTML title, Word and PDF
        properties, PDF running header, spreadsheet cover); by default the notebook's first
        level-1 heading, else its front matter title, else ``stem``. It is never added to the
        body, which is the notebook's own.
        """
        with self._lock:
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
        except Exception as exc:  # noqa: BLE001 - any unreadable file
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
                built = self._render_quarto(notebook, nb, content, work, stem=stem, title=title, where=where)
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
        except Exception as exc:  # noqa: BLE001 - every failure names notebook and step
            raise RenderError(f"{where}: {name} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def _wants_figures(self) -> bool:
        return bool(self.image_formats())

    def _render_native(self, nb: Any, content: Content, work: Path, *, stem: str, title: str, where: str) -> dict[str, Path]:
        built: dict[str, Path] = {}
        if self._wants_figures() and (content.charts or content.images):
            built["figures"] = self._step("chart images", where, self._figures, content, work / "figures")
        if "html" in self.formats:
            built["html"] = self._step("HTML", where, self._html, nb, content, work / f"{stem}.html", title)
        if "docx" in self.formats:
            built["docx"] = self._step("Word", where, self._docx, content, work, work / f"{stem}.docx", title)
        if "pdf" in self.formats:
            built["pdf"] = self._step("PDF", where, self._pdf, content, work, work / f"{stem}.pdf", title)
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
        """The chart image formats the requested outputs use: PNG for Word (and Quarto), SVG for the PDF.

        HTML keeps its charts interactive and the spreadsheet has none, so they need no image;
        'figures' asks for both.
        """
        wanted = set()
        if "docx" in self.formats or self.engine == "quarto":
            wanted.add("png")  # Word takes PNG; Quarto's notebook carries a PNG beside each chart
        if "pdf" in self.formats and self.engine == "native":
            wanted.add("svg")  # vector in the PDF
        if "figures" in self.formats:
            wanted |= {"png", "svg"}
        return tuple(f for f in ("png", "svg") if f in wanted)

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

    # HTML --------------------------------------------------------------------------------
    def _html(self, nb: Any, content: Content, path: Path, title: str) -> Path:
        if self._html_exporter is None:
            from nbconvert import HTMLExporter

            # one per renderer: building it (and compiling its templates) took half of this step
            self._html_exporter = HTMLExporter(
                template_name="basic",
                exclude_input=True,
                exclude_input_prompt=True,
                exclude_output_prompt=True,
                exclude_anchor_links=True,
                exclude_raw=True,
                exclude_unknown=True,
                sanitize_html=False,  # our own outputs carry the plotly scripts
            )
        body, _ = self._html_exporter.from_notebook_node(clean_for_html(nb))
        plotlyjs = ""
        if content.charts and "plotly.js v" not in body:
            # the notebook's kernel had shown a chart before (see display.reset): inline it here
            from plotly.offline import get_plotlyjs

            plotlyjs = f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        remote = _REMOTE.search(body)
        if remote:
            raise RenderError(f"an output loads something from the internet ({remote.group(0)[:80]}...); outputs must be self-contained")
        if self._css is None:
            self._css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
        path.write_text(page_html(body, title=title, css=self._css, plotlyjs=plotlyjs), encoding="utf-8")
        return path

    # Word --------------------------------------------------------------------------------
    def _docx(self, content: Content, work: Path, path: Path, title: str) -> Path:
        import pypandoc

        markdown = build_markdown(content, "docx")
        (work / "report-docx.md").write_text(markdown, encoding="utf-8")
        pypandoc.convert_text(
            markdown,
            "docx+native_numbering",  # 'Table 1:', 'Figure 1:' as Word caption fields, as in the PDF
            format=MD_FORMAT,
            outputfile=str(path),
            extra_args=[
                f"--reference-doc={reference_docx()}",
                f"--resource-path={work}",
                "--metadata=lang:en-GB",
            ],
            cworkdir=str(work),
        )
        alts = [(b.title, b.alt) if isinstance(b, Chart) else (b.alt, b.alt)
                for b in content.blocks if isinstance(b, (Chart, Image))]  # fmt: skip
        _docx_finish(path, title=title, alts=alts)
        return path

    # PDF ---------------------------------------------------------------------------------
    def _pdf(self, content: Content, work: Path, path: Path, title: str) -> Path:
        import pypandoc

        import yaml

        markdown = build_markdown(content, "typst")
        # the title through a YAML file: on the command line '[...]' or '{...}' would parse as YAML
        meta = work / "report-meta.yaml"
        meta.write_text(yaml.safe_dump({"title": md_escape(title)}, allow_unicode=True), encoding="utf-8")
        typ = pypandoc.convert_text(
            markdown,
            "typst",
            format=MD_FORMAT,
            extra_args=[f"--template={TEMPLATES / 'report.typ'}", f"--metadata-file={meta}", "--wrap=preserve"],
            cworkdir=str(work),
        )
        source = work / "report.typ"
        source.write_text(typ, encoding="utf-8")
        self._compile_typst(source, path, root=work)
        return path

    def _compile_typst(self, source: Path, output: Path, *, root: Path) -> None:
        """Compile to a tagged PDF conforming to PDF/UA-1 (accessible), or plainly tagged if it cannot."""
        import typst

        if self._typst is None:
            # one compiler per renderer: the system font scan happens once per worker
            self._typst = typst.Compiler(root=str(root))
        try:
            try:
                self._typst.compile(input=str(source), output=str(output), root=str(root), format="pdf",
                                    pdf_standards=["ua-1"])  # fmt: skip
            except typst.TypstError as exc:
                if "PDF/UA" not in str(exc) and "ua-1" not in str(exc).lower():
                    raise
                log.warning("%s: not PDF/UA-1 conformant (%s); writing a tagged PDF without the claim", source, exc)
                self._typst.compile(input=str(source), output=str(output), root=str(root), format="pdf")
        except typst.TypstError as exc:
            hints = "; ".join(getattr(exc, "hints", []) or [])
            raise RenderError(f"typst could not compile {source.name}: {exc}{' (' + hints + ')' if hints else ''}") from exc

    # spreadsheet -------------------------------------------------------------------------
    def _xlsx(self, content: Content, path: Path, title: str) -> Path:
        from healthcheck.publish.xlsx import write_workbook

        sources = list(dict.fromkeys(spec.source for spec in content.tables))
        source = "; ".join(sources) if sources else "Social Work Health Check"
        return write_workbook(content.tables, path, title=title, source=source)

    # Quarto ------------------------------------------------------------------------------
    def _render_quarto(
        self, notebook: Path, nb: Any, content: Content, work: Path, *, stem: str, title: str, where: str
    ) -> dict[str, Path]:
        """``quarto render --no-execute`` on a prepared copy; figures and spreadsheet from our code."""
        built: dict[str, Path] = {}
        if content.charts or content.images:
            built["figures"] = self._step("chart images", where, self._figures, content, work / "figures")
        prepared = self._step("Quarto input", where, self._quarto_notebook, nb, content, work, stem, title)
        targets = {"html": "html", "docx": "docx", "pdf": "typst"}
        wanted = [f for f in ("html", "docx", "pdf") if f in self.formats]
        if wanted:
            self._step("Quarto", where, self._run_quarto, prepared, [targets[f] for f in wanted])
            for fmt in wanted:
                produced = work / f"{stem}.{fmt}"
                if not produced.is_file():
                    raise RenderError(f"{where}: Quarto did not write {produced.name}")
                built[fmt] = produced
        if "xlsx" in self.formats:
            built["xlsx"] = self._step("spreadsheet", where, self._xlsx, content, work / f"{stem}.xlsx", title)
        return built

    def _quarto_notebook(self, nb: Any, content: Content, work: Path, stem: str, title: str) -> Path:
        """A copy with front matter (title, formats) and a PNG beside each chart for Word and PDF."""
        import json

        import nbformat
        import yaml

        prepared = copy.deepcopy(nb)
        cells = [c for c in prepared.cells if c.cell_type != "raw" or _front_matter(c) is None]
        front = dict(content.front_matter)
        if content.heading():
            # the notebook opens with its own heading: name the document without a title block
            front.pop("title", None)
            front.update({"pagetitle": title, "title-meta": title})
        else:
            front["title"] = title
        front.update(
            {
                "lang": "en-GB",
                "execute": {"enabled": False, "echo": False},
                "format": {
                    "html": {"embed-resources": True, "code-fold": False, "css": str(TEMPLATES / "report.css")},
                    "docx": {"reference-doc": str(reference_docx())},
                    "typst": {"papersize": "a4", "margin": {"x": "2cm", "y": "2cm"}, "fontsize": "11pt",
                              "mainfont": "Liberation Sans", "page-numbering": "1"},
                },
            }
        )  # fmt: skip
        raw = nbformat.v4.new_raw_cell("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---")
        for cell in cells:
            if cell.cell_type != "code":
                continue
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                name = (output.get("metadata", {}).get(META_KEY) or {}).get("name")
                png = work / "figures" / f"{name}.png"
                if PLOTLY_MIME in data and name and png.is_file():
                    data["image/png"] = base64.b64encode(png.read_bytes()).decode("ascii")
                    meta = output.setdefault("metadata", {})
                    meta.setdefault("image/png", {})["alt"] = meta[META_KEY].get("alt", "")
                if TABLE_MIME in data:  # Quarto has no use for it; keep the notebook small
                    data.pop(TABLE_MIME)
        prepared.cells = [raw, *cells]
        path = work / f"{stem}.ipynb"
        path.write_text(json.dumps(prepared, ensure_ascii=False), encoding="utf-8")
        return path

    def _run_quarto(self, prepared: Path, targets: list[str]) -> None:
        command = ["quarto", "render", prepared.name, "--to", ",".join(targets), "--no-execute"]
        try:
            done = subprocess.run(
                command, cwd=prepared.parent, capture_output=True, text=True, timeout=QUARTO_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"quarto render took longer than {QUARTO_TIMEOUT} s") from exc
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
            raise RenderError(f"`{' '.join(command)}` exited with {done.returncode}:\n{tail}")
