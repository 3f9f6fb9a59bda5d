"""The PDF report: pandoc's typst writer with ``templates/report.typ``, compiled by typst.

A4, 2 cm margins, running title, "Page N of M"; tables as typst tables
(:mod:`healthcheck.publish.render.typst`), charts as SVG with their alt text; a tagged PDF
conforming to PDF/UA-1, or plainly tagged when it cannot conform.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from healthcheck.errors import RenderError
from healthcheck.publish.formats import TEMPLATES
from healthcheck.publish.render.content import Content
from healthcheck.publish.render.markdown import MD_FORMAT, build_markdown, md_escape
from healthcheck.publish.render.typst import typst_string

log = logging.getLogger(__name__)


def document_settings(properties: Mapping[str, Any]) -> str:
    """The typst ``document`` settings from the report's properties: author, keywords, date, description."""
    parts = []
    if properties.get("author"):
        parts.append(f"author: {typst_string(str(properties['author']))},")
    keywords = properties.get("keywords")
    if isinstance(keywords, list) and keywords:
        parts.append("keywords: (" + ", ".join(typst_string(str(k)) for k in keywords) + ",),")
    try:
        when = dt.date.fromisoformat(str(properties.get("date")))
        parts.append(f"date: datetime(year: {when.year}, month: {when.month}, day: {when.day}),")
    except ValueError:
        pass
    said = ". ".join(str(properties.get(k) or "").rstrip(".") for k in ("subject", "description") if properties.get(k))
    said = f"{said}." if said else ""
    if said:
        parts.append(f"description: {typst_string(said)},")
    return " ".join(parts)


class PdfWriter:
    """Writes reports' PDFs; keeps one typst compiler, so the system font scan happens once per worker."""

    def __init__(self) -> None:
        self._typst: Any = None

    def write(self, content: Content, work: Path, path: Path, title: str) -> Path:
        """The PDF at ``path``; ``work`` holds the chart images under ``figures/`` and the typst source."""
        import pypandoc
        import yaml

        markdown = build_markdown(content, "typst")
        # the title through a YAML file: on the command line '[...]' or '{...}' would parse as YAML
        meta = work / "report-meta.yaml"
        meta.write_text(yaml.safe_dump({"title": md_escape(title)}, allow_unicode=True), encoding="utf-8")
        extra = [f"--template={TEMPLATES / 'report.typ'}", f"--metadata-file={meta}", "--wrap=preserve"]
        settings = document_settings(content.properties)
        if settings:
            extra.append(f"--variable=document-properties:{settings}")  # a variable is inserted as it is
        typ = pypandoc.convert_text(markdown, "typst", format=MD_FORMAT, extra_args=extra, cworkdir=str(work))
        source = work / "report.typ"
        source.write_text(typ, encoding="utf-8")
        self.compile(source, path, root=work)
        return path

    def compile(self, source: Path, output: Path, *, root: Path) -> None:
        """Compile to a tagged PDF conforming to PDF/UA-1 (accessible), or plainly tagged if it cannot."""
        import typst

        if self._typst is None:
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
            raise RenderError(
                f"typst could not compile {source.name}: {exc}{' (' + hints + ')' if hints else ''}"
            ) from exc


__all__ = ["PdfWriter"]
