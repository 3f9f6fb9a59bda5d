"""The Quarto route (``engine="quarto"``): ``quarto render --no-execute`` on a prepared notebook.

:func:`quarto_notebook` writes, with ``nbformat``, the notebook Quarto is given
(:mod:`~healthcheck.publish.render.quarto_input`: front matter and markdown cells, the chart
images beside it under ``figures/``) and a ``_quarto.yml`` of its own beside it, so that a
project file above (the repository's) never changes where Quarto writes. :func:`run_quarto`
renders it; Quarto's typst source is then compiled by the project's typst into a tagged
PDF/UA-1 file, as the native PDF is.

:func:`filter_notebook` is the ``ipynb-filters`` entry the repository's ``_quarto.yml`` names
(``healthcheck quarto-filter``), for a plain ``quarto render``: it hands Quarto the same
prepared form of each executed report notebook, and refuses one that has not been executed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from healthcheck.errors import RenderError
from healthcheck.publish.formats import TEMPLATES
from healthcheck.publish.render.content import Content, read_content
from healthcheck.publish.render.docx import reference_docx
from healthcheck.publish.render.quarto_input import QUARTO_TARGETS, quarto_front_matter, quarto_notebook_node

QUARTO_TIMEOUT = 600
#: The ``_quarto.yml`` written beside a prepared notebook: its folder is a project of its own.
WORK_PROJECT = "# written by healthcheck: this folder is a Quarto project of its own\nproject:\n  type: default\n"
RUN_HINT = "healthcheck report --council NAME --engine quarto"


def quarto_available() -> bool:
    """True if the ``quarto`` command is on PATH."""
    return shutil.which("quarto") is not None


def front_matter_for(title: str) -> dict[str, Any]:
    """The front matter with the project's stylesheet and Word reference document."""
    return quarto_front_matter(title, css=TEMPLATES / "report.css", reference_doc=reference_docx())


def quarto_notebook(nb: Any, content: Content, work: Path, stem: str, title: str) -> Path:
    """``work/<stem>.ipynb`` for Quarto, and ``work/_quarto.yml``; chart images are in ``work/figures``."""
    import nbformat

    prepared = quarto_notebook_node(nb, content, title, front_matter_for(title))
    (work / "_quarto.yml").write_text(WORK_PROJECT, encoding="utf-8")
    path = work / f"{stem}.ipynb"
    nbformat.write(prepared, str(path))
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


def filter_notebook(text: str, folder: Path, *, exporter: Any = None) -> str:
    """An executed report notebook (JSON) as Quarto should read it; RenderError if it is not executed.

    Chart images are drawn into ``folder/figures`` when they are not there yet.
    """
    import io

    import nbformat

    where = str(folder / "(notebook)")
    nb = nbformat.reads(text, as_version=4)
    try:
        content = read_content(nb, where)
    except RenderError as exc:
        raise RenderError(
            f"{exc}. Quarto is set up never to execute a notebook (it would write the outputs into it); "
            f"`{RUN_HINT}` executes a copy once with papermill and renders it with Quarto"
        ) from exc
    title = content.title() or "Social Work Health Check"
    figures = folder / "figures"
    jobs = [(c.figure, figures / f"{c.name}.{fmt}") for c in content.charts for fmt in ("png", "svg")]
    missing = [(fig, path) for fig, path in jobs if not path.is_file()]
    if missing:
        from healthcheck.publish.figures import ChartExporter

        figures.mkdir(exist_ok=True)
        if exporter is not None:
            exporter.export_many(missing)
        else:
            with ChartExporter() as own:
                own.export_many(missing)
    for image in content.images:
        path = figures / f"{image.name}.{image.ext}"
        if not path.is_file():
            figures.mkdir(exist_ok=True)
            path.write_bytes(image.data)
    out = io.StringIO()
    nbformat.write(quarto_notebook_node(nb, content, title, front_matter_for(title)), out)
    return out.getvalue()


__all__ = [
    "QUARTO_TARGETS", "QUARTO_TIMEOUT", "RUN_HINT", "WORK_PROJECT", "filter_notebook", "front_matter_for",
    "quarto_available", "quarto_notebook", "run_quarto",
]  # fmt: skip
