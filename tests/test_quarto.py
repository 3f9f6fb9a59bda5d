"""What the project hands Quarto, checked without Quarto: the prepared notebook, the project file, the filter.

The real renders are tested in tests/test_render.py (the ``quarto`` marker), where Quarto is on PATH.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from healthcheck.config import REPO_ROOT
from healthcheck.errors import RenderError
from healthcheck.publish.display import META_KEY, PLOTLY_MIME, TABLE_MIME, TableSpec
from healthcheck.publish.plotlyjs import BUNDLE_TRACES, bundle_js, full_js, library_for, plotly_version, trace_types
from healthcheck.publish.render import Renderer, read_content
from healthcheck.publish.render.quarto import RUN_HINT, WORK_PROJECT, filter_notebook, quarto_notebook

#: A tag or URL that would load something from the network.
REMOTE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//|cdn\.|unpkg|jsdelivr"""
)


def table_output(name: str, title: str = "Scores by standard") -> nbformat.NotebookNode:
    spec = TableSpec(name=name, title=title, source="Health Check 2022", columns=("Standard", "Score"),
                     rows=(("1. Leadership", 74.25), ("2. Workload", 61.0)), formats=(None, ",.1f"))  # fmt: skip
    data = {TABLE_MIME: spec.to_json(), "text/html": spec.to_html(), "text/markdown": spec.to_markdown(),
            "text/plain": title}  # fmt: skip
    return nbformat.v4.new_output("display_data", data=data, metadata={META_KEY: {"name": name, "kind": "table"}})


def chart_output(name: str, kind: str = "bar") -> nbformat.NotebookNode:
    figure = {"data": [{"type": kind, "x": ["a", "b"], "y": [1, 2]}], "layout": {"width": 600, "height": 300}}
    return nbformat.v4.new_output(
        "display_data",
        data={PLOTLY_MIME: figure, "text/html": "<div>chart</div>", "text/plain": "Bars"},
        metadata={META_KEY: {"name": name, "title": f"Chart {name}", "alt": f"Two bars, {name}: a 1, b 2."}},
    )


def code(*outputs: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("zz_code_marker_zz = 1", execution_count=1)
    cell.outputs = list(outputs)
    return cell


def report() -> nbformat.NotebookNode:
    printed = nbformat.v4.new_output("stream", name="stdout", text="zz_stdout_marker_zz\n")
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_raw_cell("---\ntitle: Old\n---"),
            nbformat.v4.new_markdown_cell("# Halton: Health Check 2022\n\nIntro text."),
            code(printed, table_output("scores")),
            nbformat.v4.new_markdown_cell("## Charts"),
            code(chart_output("first")),
            code(chart_output("second")),
        ]
    )


@pytest.fixture
def prepared(tmp_path: Path) -> tuple[Path, dict]:
    nb = report()
    path = quarto_notebook(nb, read_content(nb, "x"), tmp_path, "halton", "Halton: Health Check 2022")
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_front_matter_is_lines_of_yaml(prepared: tuple[Path, dict]) -> None:
    path, raw = prepared
    first = raw["cells"][0]
    assert first["cell_type"] == "raw"
    # Quarto reads a raw cell as front matter only when its source is split into lines
    assert isinstance(first["source"], list) and first["source"][0] == "---\n" and len(first["source"]) > 20
    assert all(line.endswith("\n") for line in first["source"][:-1])
    text = "".join(first["source"])
    assert text.startswith("---\n") and text.rstrip().endswith("---")
    front = yaml.safe_load(text.strip().strip("-"))
    assert front["title"] == "Halton: Health Check 2022" and front["lang"] == "en-GB"
    assert front["execute"] == {"enabled": False, "echo": False, "warning": False}
    html = front["format"]["html"]
    assert html["embed-resources"] is True and html["format-links"] is False and html["html-math-method"] == "plain"
    assert Path(html["css"]).is_file() and Path(front["format"]["docx"]["reference-doc"]).is_file()
    assert front["format"]["typst"]["papersize"] == "a4" and front["format"]["typst"]["keep-typ"] is True
    # its own project file: a _quarto.yml above it (the repository's) never changes where Quarto writes
    assert (path.parent / "_quarto.yml").read_text() == WORK_PROJECT
    assert yaml.safe_load(WORK_PROJECT) == {"project": {"type": "default"}}


def test_no_code_outputs_only_markdown(prepared: tuple[Path, dict]) -> None:
    _, raw = prepared
    kinds = [c["cell_type"] for c in raw["cells"]]
    # front matter, plotly.js, intro, table, 'Charts', two charts; the old front matter is gone
    assert kinds == ["raw"] + ["markdown"] * 6
    text = json.dumps(raw)
    assert "zz_code_marker_zz" not in text and "zz_stdout_marker_zz" not in text and "title: Old" not in text
    assert "outputs" not in text  # no output for Quarto to hoist, or to fetch RequireJS and jQuery for


def test_library_is_its_own_cell_before_any_chart(prepared: tuple[Path, dict]) -> None:
    _, raw = prepared
    cells = ["".join(c["source"]) for c in raw["cells"][1:]]
    with_library = [i for i, c in enumerate(cells) if "plotly.js v" in c]
    assert with_library == [0]  # once, on its own, first
    assert "Plotly.newPlot" not in cells[0] and cells[0].count("<script") == 1
    charts = [c for c in cells if "Plotly.newPlot" in c]
    assert len(charts) == 2 and all("plotly.js v" not in c and len(c) < 20_000 for c in charts)
    assert "healthcheck's partial bundle" in cells[0]  # bar charts only: the small bundle


def test_nothing_from_the_network(prepared: tuple[Path, dict]) -> None:
    _, raw = prepared
    cells = ["".join(c["source"]) for c in raw["cells"]]
    library = cells[1]
    assert not REMOTE.search(library.replace(bundle_js(), ""))
    for cell in [cells[0], *cells[2:]]:
        assert not REMOTE.search(cell), cell[:200]
        assert "http" not in cell


def test_each_format_gets_its_own_block(prepared: tuple[Path, dict]) -> None:
    _, raw = prepared
    cells = ["".join(c["source"]) for c in raw["cells"]]
    intro, table, _, first = cells[2], cells[3], cells[4], cells[5]
    assert intro == "Intro text.\n" or intro.strip() == "Intro text."  # the title block names the report
    for fmt in ("html", "docx", "typst"):
        assert f'when-format="{fmt}"' in table and f'when-format="{fmt}"' in first
    # HTML: the accessible table and the interactive chart, as the native page has them
    assert '<caption id="hc-table-scores-caption">Scores by standard</caption>' in table
    assert 'id="hc-chart-first"' in first and "<figcaption>Chart first</figcaption>" in first
    # Word: a numbered caption, the source style, the PNG with its alt text
    assert ": Scores by standard {#tbl-scores}" in table and 'custom-style="Table Source"' in table
    assert '![Chart first](figures/first.png){#fig-first fig-alt="Two bars, first: a 1, b 2." width=17cm}' in first
    # typst: the typst table (cells as strings, not lists) and the SVG with its alt text
    assert '[#"1. Leadership"]' in table and "table.header(" in table
    assert 'image("figures/first.svg", width: 100%, alt: "Two bars, first: a 1, b 2.")' in first


def test_library_is_the_full_one_for_other_traces() -> None:
    bars = [{"data": [{"type": "bar"}, {"y": [1]}]}]  # a trace without a type is a scatter
    assert trace_types(bars) == {"bar", "scatter"}
    assert library_for(bars) is bundle_js()
    assert library_for([{"data": [{"type": "pie"}]}]) is full_js()
    assert len(bundle_js()) < 1_300_000 < 4_000_000 < len(full_js())
    assert f"plotly.js v{plotly_version()}" in bundle_js()[:200]  # built from the version plotly.py ships


def test_the_project_charts_fit_the_bundle() -> None:
    """Every trace type the charts package draws is in the partial bundle."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "src/healthcheck/charts").glob("*.py"))
    used = {m.lower() for m in re.findall(r"\bgo\.([A-Z][a-z]+[a-z0-9]*)\(", source)} - {"figure"}
    assert used and used <= BUNDLE_TRACES, used - BUNDLE_TRACES


# --------------------------------------------------------------------------------------
# a stand-in quarto: what the renderer asks of it and what it does with the results
# --------------------------------------------------------------------------------------
def test_engine_command_and_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(
        "#!/bin/sh\n"
        'echo "$@" > "$PWD/../quarto-args.txt"\n'
        'cp _quarto.yml "$PWD/../quarto-project.txt"\n'
        'stem="${2%.ipynb}"\n'
        'for ext in html docx pdf; do echo "$ext" > "$stem.$ext"; done\n'
        'printf \'#set document(title: "Halton")\\n= Halton\\n\' > "$stem.typ"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Halton"), code(table_output("scores"))])
    source = tmp_path / "executed.ipynb"
    nbformat.write(nb, str(source))
    out_dir = tmp_path / "out"
    with Renderer(engine="quarto") as renderer:
        paths = renderer.render(source, out_dir, stem="halton")
    assert sorted(paths) == ["docx", "html", "pdf", "xlsx"]  # no chart: no images, no browser
    assert (out_dir / "quarto-args.txt").read_text().split() == [
        "render", "halton.ipynb", "--to", "html,docx,typst", "--no-execute",
    ]  # fmt: skip
    assert (out_dir / "quarto-project.txt").read_text() == WORK_PROJECT
    # the PDF is the project's typst compile of Quarto's source: tagged, not Quarto's own file
    pdf = (out_dir / "halton.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"StructTreeRoot" in pdf
    assert sorted(p.name for p in out_dir.iterdir()) == ["halton.docx", "halton.html", "halton.pdf", "halton.xlsx",
                                                         "quarto-args.txt", "quarto-project.txt"]  # fmt: skip


def test_quarto_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "quarto").write_text("#!/bin/sh\necho 'ERROR: no typst' >&2\nexit 3\n")
    (bin_dir / "quarto").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Halton"), code(table_output("scores"))])
    nbformat.write(nb, str(tmp_path / "executed.ipynb"))
    with Renderer(engine="quarto", formats=("html",)) as renderer, pytest.raises(RenderError, match="no typst"):
        renderer.render(tmp_path / "executed.ipynb", tmp_path / "out", stem="halton")
    assert not (tmp_path / "out" / "halton.html").exists()


# --------------------------------------------------------------------------------------
# plain `quarto render` at the root: the project file and its filter
# --------------------------------------------------------------------------------------
def test_root_project_never_executes_or_touches_notebooks_and_tests() -> None:
    config = yaml.safe_load((REPO_ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    renders = config["project"]["render"]
    assert renders == ["reports/*/*/report.ipynb"]  # the executed reports, nothing under notebooks/ or tests/
    assert config["project"]["output-dir"] == "reports/_quarto"
    # `execute: ipynb: false` wins over --execute: Quarto would write outputs into the notebook it executes
    assert config["execute"]["ipynb"] is False and config["execute"]["enabled"] is False
    assert config["execute"]["ipynb-filters"] == ["healthcheck quarto-filter"]
    assert config["format"]["html"]["embed-resources"] is True and config["format"]["html"]["format-links"] is False
    for key in ("css", "reference-doc"):
        fmt = "html" if key == "css" else "docx"
        assert (REPO_ROOT / config["format"][fmt][key]).is_file()
    assert "http" not in (REPO_ROOT / "_quarto.yml").read_text()
    # Quarto adds '/.quarto/' to .gitignore unless the line is there already
    assert "/.quarto/" in (REPO_ROOT / ".gitignore").read_text().splitlines()


def test_filter_refuses_an_unexecuted_notebook(tmp_path: Path) -> None:
    committed = (REPO_ROOT / "notebooks" / "03-council-report.ipynb").read_text(encoding="utf-8")
    with pytest.raises(RenderError, match="not been executed") as caught:
        filter_notebook(committed, tmp_path)
    assert RUN_HINT in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # nothing written


class Drawer:
    """Stands in for ChartExporter: writes a small file per image."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def export_many(self, items):
        for _, path in items:
            self.asked.append(Path(path).name)
            Path(path).write_bytes(b"image")


def test_filter_prepares_an_executed_notebook(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "first.png").write_bytes(b"kept")
    drawer = Drawer()
    out = filter_notebook(nbformat.writes(report()), tmp_path, exporter=drawer)
    assert sorted(drawer.asked) == ["first.svg", "second.png", "second.svg"]  # only what was missing
    assert (tmp_path / "figures" / "first.png").read_bytes() == b"kept"
    nb = nbformat.reads(out, as_version=4)
    assert [c.cell_type for c in nb.cells] == ["raw"] + ["markdown"] * 6
    front = yaml.safe_load(nb.cells[0].source.strip().strip("-"))
    assert front["title"] == "Halton: Health Check 2022"
