"""The HTML report: nbconvert's basic template on the cleaned notebook, in a small page shell.

Code is blanked and stray text and stream outputs dropped (:func:`clean_for_html`); the page
carries ``templates/report.css``; charts stay interactive, with plotly.js inlined once in the
page's head (the project's partial bundle when it draws every chart: :mod:`healthcheck.publish.plotlyjs`).
The page is self-contained: nothing loads from the network, and an output that would is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from healthcheck.errors import RenderError
from healthcheck.publish.formats import TEMPLATES
from healthcheck.publish.plotlyjs import library_script
from healthcheck.publish.render.content import Content, clean_for_html

_REMOTE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def page_html(body: str, *, title: str, css: str, plotlyjs: str = "") -> str:
    """The page shell around nbconvert's body: language, title, styles, a skip link."""
    import html

    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="healthcheck">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n{plotlyjs}</head>\n<body>\n"
        '<a class="hc-skip" href="#main">Skip to the report</a>\n'
        f'<main id="main">\n{body}\n</main>\n</body>\n</html>\n'
    )


class HtmlWriter:
    """Writes reports' HTML pages; keeps its nbconvert exporter and the CSS from one report to the next."""

    def __init__(self) -> None:
        self._exporter: Any = None
        self._css: str | None = None

    def write(self, nb: Any, content: Content, path: Path, title: str) -> Path:
        """The page for one executed notebook at ``path``."""
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
        path.write_text(page_html(body, title=title, css=self._css, plotlyjs=plotlyjs), encoding="utf-8")
        return path


__all__ = ["HtmlWriter", "page_html"]
