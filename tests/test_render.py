"""Executed notebook -> HTML, Word, PDF, spreadsheet and chart images.

One fixture notebook (tests/fixtures/notebooks/report.ipynb: markdown, two tables, two charts)
is executed once by papermill and rendered once for the whole module; the expected values are
worked out by hand from the notebook's data.
"""

from __future__ import annotations

import shutil
import struct
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from healthcheck.errors import RenderError
from healthcheck.publish import render
from healthcheck.publish.display import TABLE_MIME, TableSpec
from healthcheck.publish.figures import find_chromium
from healthcheck.publish.formats import TEMPLATES
from healthcheck.publish.render import Content, Markdown, Renderer, build_markdown, md_escape, read_content
from healthcheck.publish.render.typst import CELL_INSET_PT, LANDSCAPE_WIDTH_PT, TEXT_WIDTH_PT

FIXTURE = Path(__file__).parent / "fixtures" / "notebooks" / "report.ipynb"
CODE_TEXT = ("zz_code_marker_zz", "ZZ_CODE_MARKER", "import pandas", "show_table(", "pd.DataFrame")
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="no Chromium (apt-get install chromium)")


# --------------------------------------------------------------------------------------
# the shared executed and rendered fixture
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import papermill

    folder = tmp_path_factory.mktemp("executed")
    out = folder / "report.ipynb"
    papermill.execute_notebook(
        str(FIXTURE), str(out), parameters={"council": "Testshire", "year": 2020}, kernel_name="python3",
        cwd=str(folder), progress_bar=False, log_output=False,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def rendered(executed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if find_chromium() is None:
        pytest.skip("no Chromium (apt-get install chromium)")
    out_dir = tmp_path_factory.mktemp("out") / "testshire"
    with Renderer() as renderer:
        paths = renderer.render(executed, out_dir, stem="testshire")
        print(f"\nrender timings (s): { {k: round(v, 2) for k, v in renderer.timings.items()} }")
    return paths


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        self._script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


# --------------------------------------------------------------------------------------
# the documents
# --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_outputs_written(rendered: dict[str, Path]) -> None:
    out_dir = rendered["html"].parent
    assert set(rendered) == {"html", "docx", "pdf", "xlsx", "figures"}
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "figures",
        "testshire.docx",
        "testshire.html",
        "testshire.pdf",
        "testshire.xlsx",
    ]  # fmt: skip  (no temporary folder or file left behind)


@pytest.mark.slow
def test_html(rendered: dict[str, Path]) -> None:
    html = rendered["html"].read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    text = " ".join(page.text)
    for code in CODE_TEXT:
        assert code not in html, code
    assert "zz_stdout_marker_zz" not in html  # printed output is not part of the report
    assert ("html", {"lang": "en-GB"}) in page.tags
    assert "<title>Social Work Health Check 2020: Testshire</title>" in html
    assert "Summary for Testshire" in text and "In 2020, 42 social workers in Testshire" in text
    # tables: captions, column headers, formatted values
    assert [t for t, _ in page.tags].count("table") == 2
    assert [a.get("scope") for t, a in page.tags if t == "th"] == ["col"] * 7
    for value in ("Scores by standard, Testshire, 2020", "74.3", "61.1", "48.0", "1,234", "Amber (monitor)",
                  "Red (improve)", "Source: Social Work Health Check 2020", '=HYPERLINK("http://example.org")'):  # fmt: skip
        assert value in text, value
    assert "74.333" not in text
    # plotly.js inlined exactly once, in the head (the partial bundle: bar and scatter charts), and
    # nothing fetched from anywhere
    assert sum("plotly.js v" in s for s in page.scripts) == 1
    head, body = html.split("<body>", 1)
    assert "healthcheck's partial bundle" in head and "plotly.js v" not in body
    assert html.count("Plotly.newPlot") == 2
    assert not [
        a
        for t, a in page.tags
        if t in ("script", "link", "img") and str(a.get("src") or a.get("href") or "").startswith(("http", "//"))
    ]
    for loader in ("cdnjs", "MathJax.js", "tex-svg", "tex-mml", "require.js", "unpkg"):  # no MathJax, no AMD
        assert loader not in html, loader


@pytest.mark.slow
def test_docx(rendered: dict[str, Path]) -> None:
    import docx

    document = docx.Document(str(rendered["docx"]))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Social Work Health Check 2020: Testshire"),
        ("Heading 2", "Summary for Testshire"),
        ("Heading 2", "Comments"),
        ("Heading 2", "Trend"),
    ]
    first, second = document.tables  # real Word tables
    assert [[c.text for c in row.cells] for row in first.rows] == [
        ["Standard", "Score", "Rating", "Respondents"],
        ["1. Strong and clear leadership", "74.3", "Amber (monitor)", "1,234"],
        ["2. Effective workload management", "61.1", "Amber (monitor)", "40"],
        ["3. Proportionate caseloads", "48.0", "Red (improve)", "38"],
    ]
    assert [[c.text for c in row.cells] for row in second.rows] == [
        ["Theme", "Mentions", "Share (%)"],
        ['=HYPERLINK("http://example.org")', "3", "12.5"],  # straight quotes: data is not typeset
        ["+44 helpline", "n/a", "n/a"],
        ["Workload", "12", "48.0"],
    ]
    header = first.rows[0]._tr
    assert header.trPr is not None and "tblHeader" in header.trPr.xml  # repeats on each page
    shapes = document.inline_shapes
    assert len(shapes) == 2
    assert [s._inline.docPr.get("descr") for s in shapes] == [
        "Bar chart of scores: leadership 74, workload 61, caseloads 48.",
        "Line chart: the overall score rose from 58 in 2018 to 62 in 2020.",
    ]
    captions = [p.text for p in document.paragraphs if "Caption" in p.style.name]
    assert any(c.endswith("Scores by standard, Testshire, 2020") for c in captions)
    assert (
        next(p.text for p in document.paragraphs if p.style.name == "Table Source")
        == "Source: Social Work Health Check 2020"
    )
    assert document.core_properties.title == "Social Work Health Check 2020: Testshire"
    full = "\n".join(p.text for p in document.paragraphs)
    assert not any(code in full for code in CODE_TEXT)


@pytest.mark.slow
def test_xlsx(rendered: dict[str, Path]) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(rendered["xlsx"])
    assert wb.sheetnames == ["Cover", "Contents", "Notes", "Table_1", "Table_2"]  # Table_N as the report numbers them
    assert wb["Cover"]["A1"].value == "Social Work Health Check 2020: Testshire"
    ws = wb["Table_1"]
    assert ws["A1"].value == "Table 1: Scores by standard, Testshire, 2020 [note 1]"
    assert ws["A3"].value == "Source: Social Work Health Check 2020"
    notes = [r[:2] for r in wb["Notes"].iter_rows(min_row=4, values_only=True)]
    assert notes == [("[note 1]", "Scores run from 0 to 100.")]
    ((_, ref),) = ws.tables.items()
    assert ref == "A4:D7"
    assert [c.value for c in ws[4]] == ["Standard", "Score", "Rating", "Respondents"]
    assert ws["B5"].value == pytest.approx(74.333333) and ws["B5"].data_type == "n"
    assert ws["D5"].value == 1234 and isinstance(ws["D5"].value, int)
    themes = wb["Table_2"]
    cell = next(c for row in themes.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://example.org")'


@pytest.mark.slow
def test_pdf(rendered: dict[str, Path]) -> None:
    import pypdf

    reader = pypdf.PdfReader(str(rendered["pdf"]))
    assert len(reader.pages) == 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    for value in ("Social Work Health Check 2020: Testshire", "Summary for Testshire", "Comments",
                  "Table 1: Scores by standard, Testshire, 2020", "74.3", "61.1", "1,234", "Red (improve)",
                  "Source: Social Work Health Check 2020", "Figure 2: Overall score, 2018 to 2020",
                  '=HYPERLINK("http://example.org")', "Page 1 of 2"):  # fmt: skip
        assert value in text, value
    assert not any(code in text for code in CODE_TEXT)
    assert reader.metadata.title == "Social Work Health Check 2020: Testshire"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB" and "/StructTreeRoot" in root  # a tagged, accessible PDF
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_figures(rendered: dict[str, Path]) -> None:
    folder = rendered["figures"]
    assert sorted(p.name for p in folder.iterdir()) == ["scores-bar.png", "scores-bar.svg", "trend.png", "trend.svg"]
    assert png_size(folder / "scores-bar.png") == (1800, 840)  # the figure's 900 x 420, at scale 2
    assert png_size(folder / "trend.png") == (1800, 1000)  # no size set: the exporter's 900 x 500
    for svg in ("scores-bar.svg", "trend.svg"):
        assert ET.parse(folder / svg).getroot().tag.endswith("svg")


@pytest.mark.slow
def test_renderer_reused_without_charts_needs_no_browser(executed: Path, tmp_path: Path) -> None:
    with Renderer(formats=("html", "xlsx")) as renderer:
        first = renderer.render(executed, tmp_path / "a")
        second = renderer.render(executed, tmp_path / "b", stem="other", title="Another title")
        assert renderer._exporter is None  # no Chromium started for HTML and spreadsheet
    assert set(first) == {"html", "xlsx"} and first["html"].name == "report.html"
    assert "<title>Another title</title>" in second["html"].read_text(encoding="utf-8")


@pytest.mark.slow
def test_failed_step_leaves_no_files(executed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("disk exploded")

    monkeypatch.setattr(Renderer, "_xlsx", broken)  # the last step: HTML is finished by then
    out_dir = tmp_path / "out"
    with Renderer(formats=("html", "xlsx")) as renderer, pytest.raises(RenderError) as error:
        renderer.render(executed, out_dir)
    message = str(error.value)
    assert str(executed) in message and "spreadsheet failed" in message and "disk exploded" in message
    assert list(out_dir.iterdir()) == []  # the finished HTML was not published either


# --------------------------------------------------------------------------------------
# which chart images each output needs (fast: a recording exporter instead of Chromium)
# --------------------------------------------------------------------------------------
def tiny_png(width: int = 1, height: int = 1) -> bytes:
    """A valid white PNG of that many pixels, built by hand."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = (b"\x00" + b"\xff" * 3 * width) * height
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class RecordingExporter:
    """Stands in for ChartExporter: records each batch and writes small valid images."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def export_many(self, items):
        items = list(items)
        self.batches.append([Path(p).name for _, p in items])
        for figure, path in items:
            size = (figure["layout"]["width"] // 10, figure["layout"]["height"] // 10)  # the chart's shape
            svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
            data = tiny_png(*size) if path.suffix == ".png" else svg
            Path(path).write_bytes(data)
        return [p for _, p in items]

    def close(self) -> None:
        pass


def chart_output(name: str, title: str, alt: str, height: int = 300) -> nbformat.NotebookNode:
    from healthcheck.publish.display import META_KEY, PLOTLY_MIME

    figure = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": {"width": 600, "height": height}}
    return nbformat.v4.new_output(
        "display_data",
        data={PLOTLY_MIME: figure, "text/plain": title},
        metadata={META_KEY: {"name": name, "title": title, "alt": alt}},
    )


@pytest.fixture
def three_charts(tmp_path: Path) -> Path:
    cell = nbformat.v4.new_code_cell("x = 1", execution_count=1)
    # the third is tall (600 x 1500 px: 42.5 cm at full width), the others wide
    cell.outputs = [
        chart_output(f"c{i}", f"Chart {i}", f"Alt text of chart {i}.", 1500 if i == 3 else 300) for i in (1, 2, 3)
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A report"), cell])
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize(
    ("formats", "images"),
    [
        (("html",), []),
        (("xlsx",), []),
        (("html", "xlsx"), []),
        (("docx",), ["png"]),
        (("pdf",), ["svg"]),
        (("html", "docx", "pdf", "xlsx"), ["png", "svg"]),
        (("figures",), ["png", "svg"]),
    ],
)
def test_only_the_images_the_outputs_need_in_one_batch(three_charts: Path, tmp_path: Path, formats, images) -> None:
    exporter = RecordingExporter()
    with Renderer(formats=formats, exporter=exporter) as renderer:
        assert renderer.image_formats() == tuple(images)
        rendered = renderer.render(three_charts, tmp_path / "out")
    expected = [f"c{i}.{fmt}" for i in (1, 2, 3) for fmt in images]
    assert exporter.batches == ([expected] if images else [])  # one call per report, or none at all
    if images:
        assert sorted(p.name for p in rendered["figures"].iterdir()) == sorted(expected)
        assert "chart images" in renderer.timings
    else:
        assert "figures" not in rendered and "chart images" not in renderer.timings
    if "docx" in formats:
        import docx
        from docx.shared import Cm

        shapes = docx.Document(str(rendered["docx"])).inline_shapes
        assert [s._inline.docPr.get("descr") for s in shapes] == [f"Alt text of chart {i}." for i in (1, 2, 3)]
        # pandoc rounds to its own units (17 cm comes out as 16.97 cm)
        assert shapes[0].width == pytest.approx(Cm(17), abs=Cm(0.1))
        assert shapes[2].height == pytest.approx(Cm(21), abs=Cm(0.1))  # the tall one fits on a page


def test_html_only_starts_no_browser(three_charts: Path, tmp_path: Path) -> None:
    from healthcheck.publish import figures

    with Renderer(formats=("html",)) as renderer:
        renderer.render(three_charts, tmp_path / "out")
        assert renderer._exporter is None and not figures.browser_running()


# --------------------------------------------------------------------------------------
# reading notebooks (fast: no kernel, no browser)
# --------------------------------------------------------------------------------------
def table_output(name: str) -> nbformat.NotebookNode:
    spec = TableSpec(name=name, title="T", source="S", columns=("a",), rows=((1,),))
    return nbformat.v4.new_output("display_data", data={TABLE_MIME: spec.to_json(), "text/plain": "T"})


def notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=list(cells))


def code(*outputs: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("x = 1", execution_count=1)
    cell.outputs = list(outputs)
    return cell


def test_unexecuted_notebook_is_refused(tmp_path: Path) -> None:
    with Renderer(formats=("html",)) as renderer, pytest.raises(RenderError, match="not been executed"):
        renderer.render(FIXTURE, tmp_path)


def test_error_output_is_refused() -> None:
    error = nbformat.v4.new_output("error", ename="KeyError", evalue="'E09'", traceback=[])
    with pytest.raises(RenderError, match=r"x\.ipynb: cell 2 ended with an error \(KeyError"):
        read_content(notebook(nbformat.v4.new_markdown_cell("# T"), code(error)), "x.ipynb")


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(RenderError, match="two tables are named 'scores'"):
        read_content(notebook(code(table_output("scores")), code(table_output("scores"))), "x.ipynb")


def test_missing_notebook(tmp_path: Path) -> None:
    with Renderer(formats=("html",)) as renderer, pytest.raises(RenderError, match="notebook not found"):
        renderer.render(tmp_path / "nope.ipynb", tmp_path / "out")


def test_bad_options() -> None:
    with pytest.raises(RenderError, match="unknown output format"):
        Renderer(formats=("html", "pptx"))
    with pytest.raises(RenderError, match="unknown render engine"):
        Renderer(engine="latex")


def test_title_from_first_heading_or_front_matter() -> None:
    front = nbformat.v4.new_raw_cell('---\ntitle: "Health Check: local report"\n---')
    nb = notebook(front, nbformat.v4.new_markdown_cell("Intro\n\n# The *real* title #\n"), code(table_output("t")))
    content = read_content(nb, "x")
    assert content.front_matter == {"title": "Health Check: local report"}
    assert content.title() == "The real title"  # the heading names the council; front matter cannot
    assert [type(b).__name__ for b in content.blocks] == ["Markdown", "Table"]
    nb = notebook(front, nbformat.v4.new_markdown_cell("## Only a second-level heading"), code(table_output("t")))
    assert read_content(nb, "x").title() == "Health Check: local report"


def test_stray_outputs_are_dropped() -> None:
    printed = nbformat.v4.new_output("stream", name="stdout", text="debug\n")
    bare = nbformat.v4.new_output("execute_result", data={"text/plain": "'secret'"}, execution_count=1)
    nb = notebook(code(printed, bare, table_output("t")))
    assert [type(b).__name__ for b in read_content(nb, "x").blocks] == ["Table"]
    clean = render.clean_for_html(nb)
    assert [o["output_type"] for o in clean.cells[0].outputs] == ["display_data"]
    assert clean.cells[0].source == ""


def test_markdown_escaping_and_table_markup() -> None:
    assert md_escape('=A1 *b* [c] "q" --') == '\\=A1 \\*b\\* \\[c\\] \\"q\\" \\-\\-'
    spec = TableSpec(name="t", title="Title", source="Src", columns=("Area", "Score"),
                     rows=(("1. Leadership", 74.25), ("- dash", None)), formats=(None, ",.1f"))  # fmt: skip
    content = Content(blocks=[Markdown("## Part"), render.Table(spec)])
    docx_md = build_markdown(content, "docx")
    assert "|:" in docx_md and ":|" in docx_md  # left text, right-aligned numbers
    assert "| 1\\. Leadership | 74\\.3 |" in docx_md
    assert ": Title {#tbl-t}" in docx_md and 'custom-style="Table Source"' in docx_md
    typst_md = build_markdown(content, "typst")
    # typst reads '1. x' and '- x' as lists, so cells are string literals
    assert '[#"1. Leadership"], [#"74.3"]' in typst_md and '[#"- dash"], [#"n/a"]' in typst_md
    assert "align: (left, right,)" in typst_md and "table.header(" in typst_md


# --------------------------------------------------------------------------------------
# Quarto
# --------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("quarto") is not None, reason="quarto is installed")
def test_quarto_engine_without_quarto() -> None:
    assert not render.quarto_available()
    with pytest.raises(RenderError, match="quarto command on PATH"):
        Renderer(engine="quarto")


@pytest.mark.slow
@pytest.mark.quarto
@needs_chromium
@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not installed (see docs/quarto.md)")
def test_quarto_engine(executed: Path, rendered: dict[str, Path], tmp_path: Path) -> None:
    """A real Quarto gives the same report as the native renderer, in every format."""
    import docx
    import pypdf

    with Renderer(engine="quarto") as renderer:
        paths = renderer.render(executed, tmp_path, stem="testshire")
    assert set(paths) == {"html", "docx", "pdf", "xlsx", "figures"}
    # HTML: self-contained, no front matter printed, the library once and before the first chart,
    # each chart in its own section, no code or printed text, no 'Other Formats'
    html = paths["html"].read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    text = " ".join(page.text)
    assert "execute:" not in text and "embed-resources" not in text and "pagetitle" not in text
    assert not [a for t, a in page.tags if t in ("script", "link", "img")
                and str(a.get("src") or a.get("href") or "").startswith(("http", "//"))]  # fmt: skip
    assert sum("plotly.js v" in s for s in page.scripts) == 1
    # in the notebook's order: title, summary, comments, the bar chart, trend, the trend chart
    order = [html.index(s) for s in ("plotly.js v", "Summary for Testshire", "What respondents wrote about",
                                      'id="hc-chart-scores-bar"', "Scores over three years", 'id="hc-chart-trend"')]  # fmt: skip
    assert order == sorted(order)
    assert html.index("<h1") < html.index("Summary for Testshire")
    for code in (*CODE_TEXT, "zz_stdout_marker_zz", "Other Formats", "<pre><code"):
        assert code not in html, code
    assert "Scores by standard, Testshire, 2020" in text and "Source: Social Work Health Check 2020" in text
    # Word: captions, alt text, the source style and the title, as the native document has them
    document = docx.Document(str(paths["docx"]))
    native = docx.Document(str(rendered["docx"]))
    assert document.core_properties.title == "Social Work Health Check 2020: Testshire"
    assert [s._inline.docPr.get("descr") for s in document.inline_shapes] == [
        s._inline.docPr.get("descr") for s in native.inline_shapes
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert any(p.startswith("Table 1") and p.endswith("Scores by standard, Testshire, 2020") for p in paragraphs)
    assert any(p.startswith("Figure 1") for p in paragraphs)
    assert "Source: Social Work Health Check 2020" in [
        p.text for p in document.paragraphs if p.style.name == "Table Source"
    ]
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [
        [c.text for c in row.cells] for row in native.tables[0].rows
    ]
    # PDF: tagged, titled, charts as vectors, tables as the native PDF's
    pdf = pypdf.PdfReader(str(paths["pdf"]))
    assert "/StructTreeRoot" in pdf.trailer["/Root"] and pdf.metadata.title
    assert len(pdf.pages) <= len(pypdf.PdfReader(str(rendered["pdf"])).pages) + 1
    pdf_text = " ".join(page.extract_text() for page in pdf.pages)
    assert "1. Strong and clear leadership" in pdf_text and "execute:" not in pdf_text
    assert not any("/XObject" in (page.get("/Resources") or {}) and any(
        x.get_object().get("/Subtype") == "/Image" for x in page["/Resources"]["/XObject"].values()
    ) for page in pdf.pages)  # fmt: skip


def test_table_layout() -> None:
    # widths from Arial's metrics by character class: 'Leadership' is wider than bold 'Score' or '74.3'
    narrow = TableSpec(name="t", title="T", source="S", columns=("Area", "Score"), rows=(("Leadership", 74.3),),
                       formats=(None, ",.1f"))  # fmt: skip
    fit = render.typst.table_fit(narrow)
    assert (fit.size, fit.landscape) == (9.5, False) and sum(fit.shares) == pytest.approx(1.0)
    assert fit.shares[0] > fit.shares[1]  # the longer words get the wider column
    # six 14-character headings: each column at least its longest word, at 9 pt or more, on whichever page fits
    columns = tuple(f"Characteris_{i:02d}" for i in range(6))
    wide = TableSpec(name="w", title="T", source="S", columns=columns, rows=(tuple("value" for _ in columns),))
    fit = render.typst.table_fit(wide)
    least = [render.typst.text_width(c, fit.size, bold=True) + CELL_INSET_PT for c in columns]
    assert sum(least) <= TEXT_WIDTH_PT or fit.landscape
    assert all(share * fit.width_pt >= w - 1e-6 for share, w in zip(fit.shares, least, strict=True))
    # twelve such headings fit no portrait page at 9 pt: a landscape page, never type under 9 pt
    many = TableSpec(name="m", title="T", source="S", columns=tuple(f"{c}x" for c in columns * 2),
                     rows=(tuple(1 for _ in range(12)),))  # fmt: skip
    fit = render.typst.table_fit(many)
    assert fit.landscape and fit.size >= 9.0 and fit.width_pt == pytest.approx(LANDSCAPE_WIDTH_PT)
    assert render.table_layout(many) == (list(fit.shares), fit.size)


def test_reference_docx_styles(tmp_path: Path) -> None:
    """The kept reference.docx and a fresh build from its script: A4, 2 cm margins, Arial 11 pt."""
    import runpy

    import docx

    fresh = runpy.run_path(str(TEMPLATES / "build_reference_docx.py"))["build"](tmp_path / "ref.docx")
    for path in (TEMPLATES / "reference.docx", fresh):
        document = docx.Document(str(path))
        section = document.sections[0]
        # Word stores twentieths of a point: 21 cm is 11906 twips
        assert (round(section.page_width.cm, 2), round(section.page_height.cm, 2)) == (21.0, 29.7)
        assert {round(m.cm, 2) for m in (section.left_margin, section.right_margin, section.top_margin)} == {2.0}
        styles = document.styles.element.xml
        assert 'w:ascii="Arial"' in styles and '<w:sz w:val="22"/>' in styles and 'w:val="en-GB"' in styles
        names = {s.name for s in document.styles}
        assert {"Table Source", "Table Caption", "Image Caption", "Heading 1", "Table"} <= names
        table = document.styles["Table"].element.xml
        assert "<w:tblBorders>" in table and 'w:type="firstRow"' in table
        assert "NUMPAGES" in section.footer._element.xml


def test_tall_chart_fits_on_the_page() -> None:
    from healthcheck.publish.render import chart_aspect, figure_markdown

    # 900 x 2046 px: 38.6 cm tall at the full 17 cm; capped at 21 cm, narrower (9.2 cm)
    tall = chart_aspect({"layout": {"width": 900, "height": 2046}})
    assert tall == pytest.approx(2046 / 900)
    assert "{#fig-items height=21cm}" in figure_markdown("items", "Items", "Alt", "docx", "figures/items", tall)
    typst = figure_markdown("items", "Items", "Alt", "typst", "figures/items", tall)
    assert 'image("figures/items.svg", height: 21cm, alt: "Alt")' in typst
    # 900 x 620: 11.7 cm tall at full width, as before
    wide = chart_aspect({"layout": {"width": 900, "height": 620}})
    assert "{#fig-bars width=17cm}" in figure_markdown("bars", "Bars", "Alt", "docx", "figures/bars", wide)
    typst = figure_markdown("bars", "Bars", "Alt", "typst", "figures/bars", wide)
    assert 'image("figures/bars.svg", width: 100%, alt: "Alt")' in typst
    assert chart_aspect({"layout": {}}) == pytest.approx(500 / 900)  # no size: the exporter's 900 x 500
    assert chart_aspect({"layout": {"width": 0, "height": "x"}}) == pytest.approx(500 / 900)


def test_short_tables_stay_whole_on_a_page() -> None:
    """A table that fits on a page is kept whole with its caption; a long one may break (header repeated)."""
    short = TableSpec(name="s", title="T", source="S", columns=("Area", "Score"), rows=(("Leadership", 74.3),) * 3,
                      formats=(None, ",.1f"))  # fmt: skip
    long = TableSpec(name="l", title="T", source="S", columns=("Area", "Score"), rows=(("Leadership", 74.3),) * 60,
                     formats=(None, ",.1f"))  # fmt: skip
    fit = render.typst.table_fit(short)
    # caption 30 pt, then 4 rows of one line: 4 x (9.5 x 1.25 + 8) pt
    assert render.typst.table_height(short, fit) == pytest.approx(30 + 4 * (9.5 * 1.25 + 8))
    assert render.typst.fits_a_page(short, fit) and not render.typst.fits_a_page(long, render.typst.table_fit(long))
    assert "set block(breakable: false)" in render.typst.table_typst(short)
    assert "set block(breakable: false)" not in render.typst.table_typst(long)
