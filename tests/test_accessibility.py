"""Accessibility, checked with the clients readers use: axe-core in Chromium, pikepdf, python-docx.

One small sample year is built for real (two survey years, so that the trend appears): a council's,
England's and a region's report in every format, and the reader's index. Then:

* axe-core (npm) runs in Debian's Chromium (puppeteer-core, no browser download) over the
  council, national and regional web pages and the index, with the WCAG 2.0 A and AA, 2.1 AA
  and 2.2 AA rules: no violation;
* pikepdf reads each PDF's structure: tagged, titled, in British English, alt text on every
  figure, header cells in every table, landscape pages where a table is wide;
* python-docx reads each Word document: title and publisher, heading styles, alt text on every
  picture, a repeating header row in every table, no placeholder application properties.

A tool that is not installed is skipped with the reason and how to install it (``make setup``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import make_project, read_all
from typer.testing import CliRunner

from healthcheck import pipeline
from healthcheck.cli import app
from healthcheck.config import REPO_ROOT, Project
from healthcheck.publish.figures import find_chromium
from healthcheck.synthetic.survey import write_sample

pytestmark = pytest.mark.slow

YEAR = 2022
AXE = REPO_ROOT / "tests" / "accessibility" / "axe.mjs"
NODE_MODULES = REPO_ROOT / "node_modules"
SETUP = "run `make setup` (npm ci installs axe-core and puppeteer-core from package-lock.json)"


def _axe_missing() -> str | None:
    """Why axe-core cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs npm, then " + SETUP + ")"
    for package in ("axe-core", "puppeteer-core"):
        if not (NODE_MODULES / package / "package.json").is_file():
            return f"the npm package {package} is not installed: {SETUP}"
    if find_chromium() is None:
        return "Chromium is not installed: apt-get install chromium (make system)"
    return None


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict[str, Path]]:
    """A council's, England's and a region's report in every format, and the year's index, built for real."""
    project = make_project(tmp_path_factory.mktemp("accessibility") / "project")
    old = os.environ.get("HEALTHCHECK_ROOT")
    os.environ["HEALTHCHECK_ROOT"] = str(project.root)
    try:
        write_sample(project, years=[YEAR - 1, YEAR], n_orgs=12, scale=0.3, seed=7)
        runner = CliRunner()
        pipeline.ensure(project, YEAR)  # clean, score and compare both years: then pick a council with a full report
        scores = read_all(project.processed_dir(YEAR) / "org_scores.parquet")
        row = scores[scores["reportable"].astype(bool) & scores["region"].notna()].sort_values("org_code").iloc[0]
        council, region = str(row["org_code"]), str(row["region"])
        args = ["run", "--year", str(YEAR), "--council", council, "--national", "--region", region,
                "--no-org-return", "--workers", "1"]  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    finally:
        if old is None:
            os.environ.pop("HEALTHCHECK_ROOT", None)
        else:
            os.environ["HEALTHCHECK_ROOT"] = old
    base = project.reports_dir(YEAR)
    folders = {p.name: p for p in base.iterdir() if (p / "manifest.json").is_file()}
    council_folder = next(p for n, p in folders.items() if n != "england" and not n.startswith("region-"))
    region_folder = next(p for n, p in folders.items() if n.startswith("region-"))
    return project, {"council": council_folder, "national": base / "england", "region": region_folder, "index": base}


def test_axe_finds_no_violations(published: tuple[Project, dict[str, Path]]) -> None:
    missing = _axe_missing()
    if missing:
        pytest.skip(missing)
    _, where = published
    pages = [where[k] / "report.html" for k in ("council", "national", "region")] + [where["index"] / "index.html"]
    env = {**os.environ, "BROWSER_PATH": find_chromium() or "/usr/bin/chromium", "NODE_PATH": str(NODE_MODULES)}
    done = subprocess.run(["node", str(AXE), *map(str, pages)], capture_output=True, text=True, timeout=600,
                          cwd=REPO_ROOT, env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert sorted(results) == sorted(map(str, pages))
    found = {page: r["violations"] for page, r in results.items() if r["violations"]}
    assert found == {}, json.dumps(found, indent=1)[:4000]
    assert all(r["passes"] >= 10 for r in results.values())  # the rules did run


def _struct_elements(pdf) -> list:
    """Every structure element of a tagged PDF, depth first."""
    import pikepdf

    out, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append(kid)
                stack.append(kid)
    return out


@pytest.mark.parametrize("kind", ["council", "national", "region"])
def test_pdf_structure(published: tuple[Project, dict[str, Path]], kind: str) -> None:
    pikepdf = pytest.importorskip("pikepdf", reason="pikepdf is not installed: pip install -e '.[dev]' (make setup)")
    _, where = published
    with pikepdf.open(where[kind] / "report.pdf") as pdf:
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root  # tagged
        assert str(pdf.Root.Lang) == "en-GB"
        title = str(pdf.docinfo["/Title"])
        assert "Social Work Health Check 2022" in title and title.endswith("report")
        assert str(pdf.docinfo["/Author"]) == "Local Government Association"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)  # the title, not the file name, in the window
        elements = _struct_elements(pdf)
        kinds = [str(e.S) for e in elements]
        figures = [e for e in elements if str(e.S) == "/Figure"]
        assert figures and all(str(e.get("/Alt", "")).strip() for e in figures), "a figure without alt text"
        tables = [e for e in elements if str(e.S) == "/Table"]
        assert tables and kinds.count("/TH") >= len(tables)  # header cells
        for table in tables:
            cells = [str(e.S) for e in _struct_elements_of(table)]
            assert "/TH" in cells and "/TD" in cells
        assert "/H1" in kinds and "/H2" in kinds
        # a wide table turns its page: the council's table of statements (ten columns) has one
        if kind == "council":
            assert any(float(p.mediabox[2]) > float(p.mediabox[3]) for p in pdf.pages)


def _struct_elements_of(node) -> list:
    import pikepdf

    out, stack = [], [node]
    while stack:
        here = stack.pop()
        kids = here.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]) if kids is not None else []:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append(kid)
                stack.append(kid)
    return out


@pytest.mark.parametrize("kind", ["council", "national", "region"])
def test_docx_structure(published: tuple[Project, dict[str, Path]], kind: str) -> None:
    import docx

    _, where = published
    path = where[kind] / "report.docx"
    document = docx.Document(str(path))
    props = document.core_properties
    assert "Social Work Health Check 2022" in props.title and props.author == "Local Government Association"
    assert props.language == "en-GB" and props.subject and props.keywords
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0].style.name == "Heading 1" and headings[0].text == props.title
    assert len({p.style.name for p in headings}) >= 2
    # no paragraph made to look like a heading by hand: bold text alone in a paragraph of its own
    assert not [p.text for p in document.paragraphs if p.runs and all(r.bold for r in p.runs) and len(p.text) < 80
                and not p.style.name.startswith(("Heading", "Caption", "Table Caption", "Image Caption"))]  # fmt: skip
    shapes = document.inline_shapes
    assert shapes and all((s._inline.docPr.get("descr") or "").strip() for s in shapes)
    assert document.tables
    for table in document.tables:
        first = table.rows[0]._tr
        assert first.trPr is not None and "tblHeader" in first.trPr.xml  # the header row repeats
    with zipfile.ZipFile(path) as z:
        app_xml = z.read("docProps/app.xml").decode()
    for placeholder in ("Microsoft Word", "Normal.dotm", "<Pages>", "<Words>", "<TotalTime>"):
        assert placeholder not in app_xml, placeholder
    assert "<Company>Local Government Association</Company>" in app_xml
    if kind == "council":  # the table of statements is wide: a landscape section of its own
        assert any(s.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE for s in document.sections)


def test_index_links_every_format(published: tuple[Project, dict[str, Path]]) -> None:
    _, where = published
    page = (where["index"] / "index.html").read_text(encoding="utf-8")
    for folder in (where["council"], where["national"], where["region"]):
        for fmt in ("html", "docx", "pdf", "xlsx"):
            assert f'href="{folder.name}/report.{fmt}"' in page
        assert "KB</a>" in page or "MB</a>" in page
        report = (folder / "report.html").read_text(encoding="utf-8")
        assert 'href="../index.html"' in report and 'href="report.pdf"' in report  # back to the index, and across
