"""Executed notebook -> HTML, Word, PDF, spreadsheet and chart images, without re-executing.

The notebook's outputs already hold everything (see :mod:`healthcheck.publish.display`): markdown,
tables as typed JSON and charts as plotly JSON. The renderer only reads them
(:mod:`~healthcheck.publish.render.content`).

Route (``engine="native"``, the default, used whenever Quarto is not installed):

* **HTML** (:mod:`~healthcheck.publish.render.html`): nbconvert's ``HTMLExporter`` (``basic``
  template, ``exclude_input=True``, no prompts, no anchor links) on a cleaned copy of the
  notebook (code blanked, stray text and stream outputs dropped), inside a small page shell
  with ``templates/report.css``. Charts stay interactive (plotly.js inlined once in the head:
  the project's partial bundle, :mod:`healthcheck.publish.plotlyjs`); nothing loads from the network.
* **Word** (:mod:`~healthcheck.publish.render.docx`): one pandoc markdown document
  (:mod:`~healthcheck.publish.render.markdown`) built from the markdown cells and outputs (as
  they are), the tables (rebuilt from their JSON as pipe tables with caption, set column widths,
  numbers right-aligned, then source and notes) and the charts (PNG images exported by
  :class:`~healthcheck.publish.figures.ChartExporter`, all of a report's in one batch, no taller than
  a page); pandoc writes ``.docx`` with ``templates/reference.docx`` for its styles, then
  python-docx sets each image's alt text and the document properties.
* **PDF** (:mod:`~healthcheck.publish.render.pdf`): the same document through pandoc's typst
  writer with ``templates/report.typ`` (A4, 2 cm margins, running title, "Page N of M"),
  compiled by the ``typst`` Python package into a tagged PDF/UA-1 file. Tables are written as
  typst tables directly (:mod:`~healthcheck.publish.render.typst`; pandoc's typst writer leaves
  cell text such as "1. Leadership" to be read as a list): column widths shared out as a
  browser would, text wrapping in its cell, smaller type for wide tables, a header row
  repeated on each page. Charts are SVG (vector) with their alt text.
* **Spreadsheet**: :func:`healthcheck.publish.xlsx.write_workbook` from the tables' JSON.

Why this route: every piece comes from the Python package registry (nbconvert, pypandoc-binary,
which bundles pandoc, typst, kaleido, python-docx, openpyxl), so ``pip install`` alone makes a
working, offline renderer with no system TeX, no Quarto and no network. It mirrors Quarto's own
html / docx / typst formats (Quarto also drives pandoc and typst), so ``engine="quarto"``, which
runs ``quarto render --no-execute`` on a prepared copy of the executed notebook holding the same
blocks for each format (:mod:`~healthcheck.publish.render.quarto`, ``docs/quarto.md``), produces
equivalent documents where Quarto is installed.

:class:`Renderer` (:mod:`~healthcheck.publish.render.renderer`) runs the steps: every output is
built in a temporary folder inside ``out_dir`` and moved into place with ``os.replace`` only
when all requested formats are done, so a failed render never leaves a half-written file under
a final name. Failures raise :class:`RenderError` naming the notebook and the step.
"""

from healthcheck.publish.render.content import ChartBlock, Content, Image, Markdown, Table, clean_for_html, read_content
from healthcheck.publish.render.markdown import build_markdown, chart_aspect, figure_markdown, md_escape
from healthcheck.publish.render.quarto import quarto_available
from healthcheck.publish.render.renderer import Renderer
from healthcheck.publish.render.typst import table_layout

__all__ = [
    "ChartBlock", "Content", "Image", "Markdown", "Renderer", "Table", "build_markdown", "chart_aspect",
    "clean_for_html", "figure_markdown", "md_escape", "quarto_available", "read_content", "table_layout",
]  # fmt: skip
