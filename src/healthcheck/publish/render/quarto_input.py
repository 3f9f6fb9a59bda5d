"""What the project hands Quarto: an executed report rewritten as front matter and markdown cells.

Quarto would otherwise read the executed notebook's outputs itself, and then (1.8) hoist any
output holding plotly.js into the page head, fetch RequireJS and jQuery from a CDN for every
``text/html`` output, print stray text as code, and give Word and the PDF the pipe tables of
``text/markdown`` with no caption. So the notebook it gets has no code cells at all: every
block of :class:`~healthcheck.publish.render.content.Content` becomes a markdown cell holding the
same block for each format, behind Quarto's ``content-visible`` divs:

* HTML: the accessible table and the interactive chart as raw HTML, exactly as the native page
  has them, and plotly.js once, in a cell of its own before the first chart.
* Word: the pipe table with its ``{#tbl-…}`` caption and source style, the PNG chart with its
  ``{#fig-…}`` caption and ``fig-alt`` (Quarto numbers them 'Table 1:' and 'Figure 1:').
* typst (PDF): the same typst tables and SVG (vector) figures the native PDF has.

The first raw cell is the front matter (YAML, one line per list item as ``nbformat`` writes
it): the title, the language, and the options of each format. Nothing in it or in the cells
points at the network.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from healthcheck.publish.display import chart_html
from healthcheck.publish.plotlyjs import library_script
from healthcheck.publish.render.content import Block, ChartBlock, Content, Image, Markdown, Table
from healthcheck.publish.render.markdown import build_markdown, md_escape

#: Quarto's name for each document format.
QUARTO_TARGETS = {"html": "html", "docx": "docx", "pdf": "typst"}
_HEADING = re.compile(r"^#[ \t]+.+$", re.MULTILINE)


def quarto_front_matter(title: str, *, css: Path, reference_doc: Path) -> dict[str, Any]:
    """The front matter: title, language, no execution, and each format's options.

    HTML is self-contained (``embed-resources``) without the 'Other Formats' links or maths
    from a CDN; Word takes the project's reference document; typst keeps its ``.typ`` source,
    which the renderer compiles into a tagged PDF/UA-1 file as the native PDF is.
    """
    return {
        "title": title,
        "lang": "en-GB",
        "execute": {"enabled": False, "echo": False, "warning": False},
        "format": {
            "html": {
                "embed-resources": True,
                "format-links": False,
                "html-math-method": "plain",
                "anchor-sections": False,
                "code-tools": False,
                "toc": False,
                "css": str(css),
            },
            "docx": {"reference-doc": str(reference_doc)},
            "typst": {
                "papersize": "a4",
                "margin": {"x": "2cm", "y": "2cm"},
                "fontsize": "11pt",
                "mainfont": "Liberation Sans",
                "page-numbering": "1",
                "keep-typ": True,
            },
        },
    }


def _visible(target: str, body: str) -> str:
    return f'::: {{.content-visible when-format="{target}"}}\n\n{body.strip()}\n\n:::\n'


def _raw_html(markup: str) -> str:
    return f"```{{=html}}\n{markup}\n```"


def _attr(text: str) -> str:
    """A pandoc attribute value in double quotes."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')


def block_markdown(block: Block) -> str:
    """One block as a markdown cell: its HTML, Word and typst forms, each shown in its format only."""
    if isinstance(block, Markdown):
        return block.text.strip() + "\n"
    one = Content(blocks=[block])
    docx = build_markdown(one, "docx")
    typst = build_markdown(one, "typst")
    if isinstance(block, Table):
        html = _raw_html(block.spec.to_html())
    elif isinstance(block, ChartBlock):
        import plotly.graph_objects as go

        figure = go.Figure(block.figure)
        html = _raw_html(chart_html(figure, name=block.name, title=block.title, alt=block.alt))
        # Quarto puts fig-alt where Word keeps a picture's description
        docx = docx.replace(f"{{#fig-{block.name} ", f'{{#fig-{block.name} fig-alt="{_attr(block.alt)}" ', 1)
    else:
        assert isinstance(block, Image)
        html = f'![{md_escape(block.alt)}](figures/{block.name}.{block.ext}){{fig-alt="{_attr(block.alt)}"}}'
    return "\n".join([_visible("html", html), _visible("docx", docx), _visible("typst", typst)])


def quarto_cells(content: Content, title: str) -> list[str]:
    """The report as markdown cell texts: plotly.js first when there are charts, then every block.

    The level-1 heading that names the report is left out: the title block shows it.
    """
    cells: list[str] = []
    if content.charts:
        cells.append(_visible("html", _raw_html(library_script(c.figure for c in content.charts).strip())))
    heading_dropped = False
    for block in content.blocks:
        text = block_markdown(block)
        if isinstance(block, Markdown) and not heading_dropped:
            match = _HEADING.search(text)
            if match and re.sub(r"[*_`#]", "", match.group(0)).strip() == title:
                text = (text[: match.start()] + text[match.end() :]).strip()
                heading_dropped = True
                if not text:
                    continue
        cells.append(text)
    return cells


def quarto_notebook_node(nb: Any, content: Content, title: str, front: dict[str, Any]) -> Any:
    """``nb`` (its metadata kept) as front matter and markdown cells only."""
    import nbformat
    import yaml

    prepared = copy.deepcopy(nb)
    prepared.metadata.pop("widgets", None)
    raw = nbformat.v4.new_raw_cell("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n")
    prepared.cells = [raw, *(nbformat.v4.new_markdown_cell(text) for text in quarto_cells(content, title))]
    return prepared


__all__ = ["QUARTO_TARGETS", "block_markdown", "quarto_cells", "quarto_front_matter", "quarto_notebook_node"]
