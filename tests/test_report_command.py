"""`healthcheck report --council Halton` writes every output, and each opens."""

from __future__ import annotations

import html.parser
import json

import docx
import nbformat
import openpyxl
import pytest
from conftest import read_all
from pypdf import PdfReader
from typer.testing import CliRunner

from healthcheck.cli import app
from healthcheck.ingest.survey import clean_year
from healthcheck.scoring.score import score_year
from healthcheck.synthetic.survey import write_sample

pytestmark = pytest.mark.slow
YEAR = 2020


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.tables = 0

    def handle_starttag(self, tag, attrs):
        self.tables += tag == "table"

    def handle_data(self, data):
        self.chunks.append(data)


def test_report_by_code_and_by_name(project):
    write_sample(project, years=[YEAR], n_orgs=8, scale=0.3, seed=4)
    clean_year(project, YEAR)
    score_year(project, YEAR)
    org = read_all(project.processed_dir(YEAR) / "org_scores.parquet")
    halton = org[(org.org_code == "E06000006") & (org.area == "s6")].iloc[0]

    runner = CliRunner()
    res = runner.invoke(app, ["report", "--council", "E06000006", "--workers", "1"])
    assert res.exit_code == 0, res.output
    folder = project.reports_dir(YEAR) / "halton"
    for name in ("report.html", "report.docx", "report.pdf", "report.xlsx", "report.ipynb", "manifest.json"):
        assert (folder / name).is_file(), name
    assert list((folder / "figures").glob("*.png")) and list((folder / "figures").glob("*.svg"))

    page = _Text()
    page.feed((folder / "report.html").read_text(encoding="utf-8"))
    text = " ".join(page.chunks)
    assert page.tables >= 1 and "Halton" in text and "import healthcheck" not in text
    assert f"{halton['rating']} ({halton['action']})" in text

    document = docx.Document(str(folder / "report.docx"))
    assert document.tables and any("Halton" in p.text for p in document.paragraphs)
    assert len(document.inline_shapes) >= 3  # charts as images

    book = openpyxl.load_workbook(folder / "report.xlsx")
    assert book.sheetnames[0].lower().startswith("cover") and len(book.sheetnames) >= 2

    pdf = PdfReader(str(folder / "report.pdf"))
    pdf_text = " ".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) >= 3 and "Halton" in pdf_text and "Page 1 of" in pdf_text

    executed = nbformat.read(folder / "report.ipynb", as_version=4)
    assert executed.metadata["papermill"]["parameters"]["council"] == "E06000006"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["outputs"]["report.pdf"]

    # by name, nothing changed: up to date, not rebuilt
    res = runner.invoke(app, ["report", "--council", "Halton", "--workers", "1"])
    assert res.exit_code == 0 and "1 up to date" in res.output
