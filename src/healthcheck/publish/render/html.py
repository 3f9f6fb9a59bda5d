"""The HTML report: nbconvert's basic template on the cleaned notebook, in a small page shell.

Code is blanked and stray text and stream outputs dropped (:func:`clean_for_html`); the page
carries ``templates/report.css``, the document properties as ``<meta>`` tags and, above the
report, a line of links: back to the index of reports and to the report's other formats.
Charts stay interactive, with plotly.js inlined once in the page's head (the project's partial
bundle when it draws every chart: :mod:`healthcheck.publish.plotlyjs`). Nothing loads from the
network: an output that would is refused.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from healthcheck.errors import RenderError
from healthcheck.publish.formats import TEMPLATES
from healthcheck.publish.plotlyjs import library_script
from healthcheck.publish.render.content import Content, clean_for_html

_REMOTE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


#: How the line of links names each format: (words, file type).
FORMAT_LINKS = {"docx": ("Word document", "DOCX"), "pdf": ("PDF", "PDF"), "xlsx": ("Spreadsheet of the tables", "XLSX")}


def meta_tags(properties: Mapping[str, Any]) -> str:
    """``<meta>`` tags for the document properties: author, description, keywords, date (Dublin Core)."""
    tags = []
    keywords = properties.get("keywords")
    for name, value in (
        ("author", properties.get("author")),
        ("description", properties.get("subject")),
        ("keywords", ", ".join(map(str, keywords)) if isinstance(keywords, list) else keywords),
        ("dcterms.publisher", properties.get("publisher")),
        ("dcterms.date", properties.get("date")),
        ("dcterms.provenance", properties.get("description")),
    ):
        if value:
            tags.append(f'<meta name="{name}" content="{html.escape(str(value), quote=True)}">')
    return "".join(t + "\n" for t in tags)


def links_line(stem: str, formats: Sequence[str], index: tuple[str, str] | None) -> str:
    """The links above a report: to the index of reports, and to this report in its other formats."""
    parts = []
    if index is not None:
        href, label = index
        parts.append(f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>')
    others = [
        f'<a href="{html.escape(stem)}.{fmt}" type="{mime}">{html.escape(words)} ({kind})</a>'
        for fmt, mime in (("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                          ("pdf", "application/pdf"),
                          ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        if fmt in formats
        for words, kind in [FORMAT_LINKS[fmt]]
    ]  # fmt: skip
    if others:
        parts.append("This report as: " + ", ".join(others))
    if not parts:
        return ""
    return '<nav class="hc-links" aria-label="Other formats and reports"><p>' + " | ".join(parts) + "</p></nav>\n"


def page_html(
    body: str,
    *,
    title: str,
    css: str,
    plotlyjs: str = "",
    properties: Mapping[str, Any] | None = None,
    links: str = "",
) -> str:
    """The page shell around nbconvert's body: language, title, properties, styles, a skip link, links."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="healthcheck">\n'
        f"{meta_tags(properties or {})}"
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n{plotlyjs}</head>\n<body>\n"
        '<a class="hc-skip" href="#main">Skip to the report</a>\n'
        f'<header class="hc-header">{links}</header>\n'
        f'<main id="main">\n{body}\n</main>\n</body>\n</html>\n'
    )


class HtmlWriter:
    """Writes reports' HTML pages; keeps its nbconvert exporter and the CSS from one report to the next."""

    def __init__(self) -> None:
        self._exporter: Any = None
        self._css: str | None = None

    def write(
        self,
        nb: Any,
        content: Content,
        path: Path,
        title: str,
        *,
        formats: Sequence[str] = (),
        index: tuple[str, str] | None = None,
    ) -> Path:
        """The page for one executed notebook at ``path``; ``formats`` the report's other documents and
        ``index`` (href, words) the page listing every report, both linked above the report."""
        if self._exporter is None:
            from nbconvert import HTMLExporter

            # one per renderer: building it (and compiling its templates) took half of this step
            self._exporter = HTMLExporter(
                template_name="basic",
                exclude_input=True,
                exclude_input_prompt=True,
                exclude_output_prompt=True,
                exclude_anchor_links=True,
                exclude_raw=True,
                exclude_unknown=True,
                sanitize_html=False,  # our own outputs carry the plotly scripts
            )
        body, _ = self._exporter.from_notebook_node(clean_for_html(nb))
        plotlyjs = ""
        if content.charts and "plotly.js v" not in body:
            # charts never carry the library (a notebook executed before they stopped doing so still may)
            plotlyjs = library_script(chart.figure for chart in content.charts)
        remote = _REMOTE.search(body)
        if remote:
            raise RenderError(
                f"an output loads something from the internet ({remote.group(0)[:80]}...); outputs must be self-contained"
            )
        if self._css is None:
            self._css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
        links = links_line(path.stem, [f for f in formats if f != "html"], index)
        page = page_html(
            body, title=title, css=self._css, plotlyjs=plotlyjs, properties=content.properties, links=links
        )
        path.write_text(page, encoding="utf-8")
        return path


__all__ = ["FORMAT_LINKS", "HtmlWriter", "links_line", "meta_tags", "page_html"]
