"""The committee paper draft: ``healthcheck paper --council X [--service adults]``.

:func:`~healthcheck.paper.content.build_paper` writes what the paper says from the views and
findings of the local report and the boiler plate in ``params/paper/``
(:mod:`healthcheck.paper.boilerplate`); :func:`~healthcheck.paper.document.write_paper` makes the
Word document, in the council's house style when ``params/house_style/<code>.docx`` is there,
with the local report appended as Appendix 1. docs/committee-paper.md describes it.
"""

from __future__ import annotations

from pathlib import Path

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.paper.boilerplate import SERVICES, Boilerplate, load_boilerplate
from healthcheck.paper.content import Paper, build_paper
from healthcheck.paper.document import write_paper
from healthcheck.reference.organisations import slug

#: Where papers go: beside the year's report folders, never inside one (a rebuilt report replaces its folder).
PAPERS_FOLDER = "committee-papers"


def house_style(project: Project, code: str) -> Path:
    """The council's Word house style, else the project's reference document."""
    own = catalogue.HOUSE_STYLE.path(project, org_code=code.upper())
    if own.is_file():
        return own
    from healthcheck.publish.render.docx import reference_docx

    return reference_docx()


def paper_path(project: Project, year: int, name: str, service: str) -> Path:
    """``reports/<year>/committee-papers/<council>-<service>.docx``."""
    return project.reports_dir(year) / PAPERS_FOLDER / f"{slug(name)}-{service}.docx"


def make_paper(
    project: Project, year: int, council: str, *, service: str = "adults", appendix: Path | None = None,
    out: Path | None = None,
) -> tuple[Path, Paper]:  # fmt: skip
    """Build and write one council's paper; returns its path and content."""
    paper = build_paper(project, year, council, service)
    path = out or paper_path(project, year, paper.council, service)
    write_paper(paper, path, reference=house_style(project, paper.code), appendix=appendix)
    return path, paper


__all__ = ["PAPERS_FOLDER", "SERVICES", "Boilerplate", "Paper", "build_paper", "house_style", "load_boilerplate",
           "make_paper", "paper_path", "write_paper"]  # fmt: skip
