"""What a reader sees in an executed notebook: its rich outputs read back into blocks.

The notebook's outputs already hold everything (see :mod:`healthcheck.publish.display`):
markdown, tables as typed JSON and charts as plotly JSON. :func:`read_content` reads them, in
order, into :class:`Content`, which every document is built from; :func:`clean_for_html` keeps
only those outputs for the HTML page.
"""

from __future__ import annotations

import base64
import copy
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from healthcheck.errors import RenderError, ReportError
from healthcheck.publish.display import DOCUMENT_MIME, META_KEY, PLOTLY_MIME, TABLE_MIME, TableSpec, check_name

log = logging.getLogger(__name__)

#: The outputs a report shows; printed text, warnings and bare reprs are not for a committee paper.
RICH_MIMES = ("text/html", "text/markdown", "image/png", "image/svg+xml", "image/jpeg", TABLE_MIME, PLOTLY_MIME)


@dataclass(frozen=True)
class Markdown:
    text: str


@dataclass(frozen=True)
class Table:
    spec: TableSpec


@dataclass(frozen=True)
class ChartBlock:
    """A chart as the notebook showed it: its name, caption, alt text and plotly figure."""

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


Block = Markdown | Table | ChartBlock | Image


@dataclass
class Content:
    """What a reader sees in an executed notebook, in order."""

    blocks: list[Block] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    #: The document properties the notebook gave (``show_publication``): title, author, date ...
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> list[TableSpec]:
        return [b.spec for b in self.blocks if isinstance(b, Table)]

    @property
    def charts(self) -> list[ChartBlock]:
        return [b for b in self.blocks if isinstance(b, ChartBlock)]

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
        """The document properties' title, else the first level-1 heading, else the front matter's title.

        The heading wins over front matter: in a parameterised notebook it names the council,
        while front matter, written once for every council, cannot.
        """
        given = self.properties.get("title")
        if isinstance(given, str) and given.strip():
            return given.strip()
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


def front_matter(cell: Any) -> dict[str, Any] | None:
    """A raw cell holding ``---`` YAML ``---`` (Quarto's front matter), parsed safely; else None."""
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
            meta = front_matter(cell) if not content.blocks and not content.front_matter else None
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
            properties = output.get("data", {}).get(DOCUMENT_MIME)
            if isinstance(properties, dict):
                content.properties = dict(properties)
            block = _block(output, where, number, len(content.blocks))
            if isinstance(block, Table):
                if block.spec.name in seen_tables:
                    raise RenderError(f"{where}: two tables are named {block.spec.name!r}; give each a unique name")
                seen_tables.add(block.spec.name)
            if isinstance(block, ChartBlock):
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
        return ChartBlock(name=name, title=title, alt=meta.get("alt") or title, figure=figure)
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


__all__ = [
    "RICH_MIMES", "Block", "ChartBlock", "Content", "Image", "Markdown", "Table", "clean_for_html", "front_matter",
    "read_content",
]  # fmt: skip
