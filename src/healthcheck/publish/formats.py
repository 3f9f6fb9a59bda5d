"""What the publish stage makes, named once: document formats, render engines, chart image formats.

The renderer, the batch and the command line all check their options against these; the
templates the documents are made with live beside this module, in ``templates/``.
"""

from __future__ import annotations

from pathlib import Path

#: The documents a report can be rendered to.
FORMATS = ("html", "docx", "pdf", "xlsx")
#: How they are rendered: the package's own route, or ``quarto render`` where Quarto is installed.
ENGINES = ("native", "quarto")
#: The chart image formats (PNG for Word, SVG for the PDF).
IMAGE_FORMATS = ("png", "svg")
#: The page shell's CSS, the Word reference document and the typst template.
TEMPLATES = Path(__file__).resolve().parent / "templates"

__all__ = ["ENGINES", "FORMATS", "IMAGE_FORMATS", "TEMPLATES"]
