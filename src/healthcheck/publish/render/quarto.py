"""The Quarto route (``engine="quarto"``): ``quarto render --no-execute`` on the executed notebook.

Quarto drives the same pandoc and typst, so where it is installed it makes equivalent
documents. It is given a prepared copy of the notebook (:func:`quarto_notebook`): front matter
naming the formats, and a PNG beside each chart for Word and the PDF.
"""

from __future__ import annotations

import base64
import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from healthcheck.errors import RenderError
from healthcheck.publish.display import META_KEY, PLOTLY_MIME, TABLE_MIME
from healthcheck.publish.formats import TEMPLATES
from healthcheck.publish.render.content import Content, front_matter
from healthcheck.publish.render.docx import reference_docx

QUARTO_TIMEOUT = 600
#: Quarto's name for each document format.
QUARTO_TARGETS = {"html": "html", "docx": "docx", "pdf": "typst"}


def quarto_available() -> bool:
    """True if the ``quarto`` command is on PATH."""
    return shutil.which("quarto") is not None


def quarto_notebook(nb: Any, content: Content, work: Path, stem: str, title: str) -> Path:
    """A copy with front matter (title, formats) and a PNG beside each chart for Word and PDF."""
    import nbformat
    import yaml

    prepared = copy.deepcopy(nb)
    cells = [c for c in prepared.cells if c.cell_type != "raw" or front_matter(c) is None]
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


def run_quarto(prepared: Path, targets: list[str]) -> None:
    """``quarto render <prepared> --to <targets> --no-execute`` in the notebook's folder."""
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


__all__ = ["QUARTO_TARGETS", "QUARTO_TIMEOUT", "quarto_available", "quarto_notebook", "run_quarto"]
