"""End to end: sample -> clean -> score -> the council report notebook, run with papermill.

Three councils picked from the scoring tables (every area green, several reds, below the
minimum) each get a report; its numbers and sentences must be those of the scoring outputs, and
nothing in it may name another organisation or show anything respondent-level.
"""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import papermill as pm
import pytest
from conftest import AREAS, read_all

from healthcheck import pipeline
from healthcheck.charts.council import item_share_groups
from healthcheck.findings.council import findings, headline, national_context
from healthcheck.findings.notes import notes
from healthcheck.publish.display import META_KEY, PLOTLY_MIME, TABLE_MIME
from healthcheck.reference.areas import load_areas
from healthcheck.synthetic.comments import PLANTED_SENSITIVE
from healthcheck.synthetic.survey import write_sample
from healthcheck.text.numbers import round_half_up
from healthcheck.views.council import load_council_view

pytestmark = pytest.mark.slow

YEAR = 2020
NOTEBOOK = "03-council-report.ipynb"


def _pick(project) -> dict[str, str]:
    """An all-green, a several-reds and a suppressed organisation from the scoring tables."""
    scores = read_all(project.processed_dir(YEAR) / "org_scores.parquet")
    shown = scores[scores["reportable"]]
    ratings = shown.groupby("org_code")["rating"].agg(list)
    all_green = [c for c, r in ratings.items() if set(r) == {"Green"}]
    reds = [c for c, r in ratings.items() if r.count("Red") >= 3]
    suppressed = scores.loc[~scores["reportable"] & (scores["n_responses"].fillna(0) > 0), "org_code"].unique().tolist()
    if not suppressed:  # the count may be blanked with the figures: take it from the ranks
        ranks = read_all(project.processed_dir(YEAR) / "ranks.parquet")
        suppressed = ranks.loc[(ranks["n_responses"] > 0) & (ranks["n_responses"] < 10), "org_code"].tolist()
    assert all_green and reds and suppressed, (all_green, reds, suppressed)
    return {"green": sorted(all_green)[0], "reds": sorted(reds)[0], "suppressed": sorted(suppressed)[0]}


def _run(project, council: str, tmp_path) -> nbformat.NotebookNode:
    out = tmp_path / f"report-{council}.ipynb"
    pm.execute_notebook(
        str(project.notebooks_dir / NOTEBOOK),
        str(out),
        parameters={"council": council, "year": YEAR, "project_root": str(project.root)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),  # the notebook must not depend on the working folder
    )
    return nbformat.read(out, as_version=4)


def _tree(folder) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _outputs(nb) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _markdown(nb) -> str:
    return "\n\n".join(
        o["data"]["text/markdown"]
        for o in _outputs(nb)
        if "text/markdown" in o.get("data", {}) and TABLE_MIME not in o["data"]
    )


def _tables(nb) -> dict[str, dict]:
    return {
        o["data"][TABLE_MIME]["name"]: o["data"][TABLE_MIME] for o in _outputs(nb) if TABLE_MIME in o.get("data", {})
    }


def _charts(nb) -> list[str]:
    return [o["metadata"][META_KEY]["name"] for o in _outputs(nb) if PLOTLY_MIME in o.get("data", {})]


def _public_text(nb) -> str:
    """Everything a reader can see, without plotly.js itself (the chart HTML inlines the library)."""
    parts = []
    for o in _outputs(nb):
        data = dict(o.get("data", {}))
        if PLOTLY_MIME in data:
            data.pop("text/html", None)
        parts.append(json.dumps(data, ensure_ascii=False))
        parts.append(json.dumps(o.get("metadata", {}), ensure_ascii=False))
    return "\n".join(parts)


def _check_clean(nb, council: str, project) -> None:
    """No code output, no warnings, no other organisation, nothing respondent-level."""
    for o in _outputs(nb):
        assert o["output_type"] == "display_data", o
    text = _public_text(nb)
    ranks = read_all(project.processed_dir(YEAR) / "ranks.parquet")
    others = ranks[ranks["org_code"] != council]
    for code, name in zip(others["org_code"], others["org_name"], strict=True):
        assert code not in text
        assert not re.search(rf"\b{re.escape(name)}\b", text), f"{name} appears in the report for {council}"
    for planted in PLANTED_SENSITIVE:
        assert planted not in text
    assert "Warning" not in text and "Traceback" not in text


def _check_figures(nb, council: str, project) -> None:
    """The rating table, headline and sentences equal the scoring outputs for the council."""
    folder = project.processed_dir(YEAR)
    scores = read_all(folder / "org_scores.parquet")
    own = scores[scores["org_code"] == council].set_index("area").loc[AREAS]
    bench = read_all(folder / "benchmarks.parquet")
    england = bench[(bench["level"] == "national") & (bench["group"] == "England")].set_index("area").loc[AREAS]
    region = own["region"].iloc[0]
    regional = bench[(bench["level"] == "region") & (bench["group"] == region)].set_index("area").loc[AREAS]
    name = own["org_name"].iloc[0]

    table = _tables(nb)["ratings"]
    rows = pd.DataFrame(table["rows"], columns=table["columns"])
    assert len(rows) == 13
    assert rows[f"{name} score"].tolist() == pytest.approx(own["score"].tolist())
    assert rows[f"{name} rating"].tolist() == [f"{r} ({a})" for r, a in zip(own["rating"], own["action"], strict=True)]
    assert rows["Base (n)"].tolist() == own["n"].astype(int).tolist()
    assert rows["England score"].tolist() == pytest.approx(england["score"].tolist())
    assert rows["England rating"].tolist() == [
        f"{r} ({a})" for r, a in zip(england["rating"], england["action"], strict=True)
    ]
    assert rows[f"{region} score"].tolist() == pytest.approx(regional["score"].tolist())
    words = {
        "above": "Significantly above",
        "below": "Significantly below",
        "no difference": "No significant difference",
    }
    assert rows["Compared with England"].tolist() == [words[s] for s in own["significance"]]
    assert table["formats"][2].endswith(".0f")  # shown as whole numbers

    md = _markdown(nb)
    ranks = read_all(folder / "ranks.parquet").set_index("org_code").loc[council]
    n = int(ranks["n_responses"])
    assert f"There were {n} respondents" in md
    rates = read_all(folder / "response_rates.parquet").set_index("org_code")
    if council in rates.index and not pd.isna(rates.loc[council, "headcount"]):
        rate = round_half_up(rates.loc[council, "response_rate"])
        assert f"an estimated {rate:.0f}% of {int(rates.loc[council, 'headcount'])} social workers" in md
    if ranks["ranked"]:
        assert f"ranked {int(ranks['national_rank'])} of {int(ranks['national_of'])} nationally" in md
    key = read_all(folder / "key_drivers.parquet").set_index("org_code").loc[council]
    short = load_areas(project).set_index("area")["short_title"]
    assert f"{short[key['area']]} was identified as the key factor influencing the desire to stay" in md
    standards = own.loc[AREAS[:8], "score"].map(round_half_up)
    top = standards[standards == standards.max()].index
    assert f"{short[top[0]]}" in md and f"{standards.max():.0f})" in md

    # every sentence the package writes for this council, in the report as written
    view = load_council_view(project, YEAR, council)
    for sentence in [headline(view), national_context(view), *findings(view), notes(view)]:
        assert sentence in md
    item_parts = [name for name, _ in item_share_groups(view)]  # whole areas, each part fitting a page
    assert len(item_parts) >= 3 and all(name.startswith("item_shares_") for name in item_parts)
    assert _charts(nb) == ["area_comparison", "distribution", *item_parts, "drivers"]
    statements = _tables(nb)["statements"]  # every statement's whole wording, base and shares, in a table
    assert statements["columns"][:3] == ["Area", "Statement", f"{view.name} base (n)"]
    assert len(statements["rows"]) == len(view.items[view.items["level"] == "org"])
    assert {"area_intervals", "spread", "drivers_figures"} <= set(_tables(nb))  # each chart's figures


def test_council_reports_end_to_end(project, tmp_path):
    write_sample(project, years=[YEAR], n_orgs=12, scale=0.3)
    pipeline.ensure(project, YEAR)  # what `healthcheck run` does before any report
    before = _tree(project.root / "data")
    picked = _pick(project)

    green = _run(project, picked["green"], tmp_path)
    _check_clean(green, picked["green"], project)
    _check_figures(green, picked["green"], project)
    view = load_council_view(project, YEAR, picked["green"])
    assert f"{view.name} received a green rating for every standard and area." in _markdown(green)

    reds = _run(project, picked["reds"], tmp_path)
    _check_clean(reds, picked["reds"], project)
    _check_figures(reds, picked["reds"], project)
    view = load_council_view(project, YEAR, picked["reds"])
    red_areas = view.scores.loc[view.scores["rating"] == "Red", "area"]
    summary = findings(view)[0]
    assert len(red_areas) >= 3
    for area in red_areas:
        assert f"{view.short_title(area)} – red (improve)" in summary
    assert summary in _markdown(reds)

    small = _run(project, picked["suppressed"], tmp_path)
    _check_clean(small, picked["suppressed"], project)
    view = load_council_view(project, YEAR, picked["suppressed"])
    md = _markdown(small)
    notice = (
        f"Fewer than 10 valid responses were received from {view.name} (n = {view.n_responses}), so no local "
        "figures are reported, to protect respondents' confidentiality."
    )
    assert notice in md
    assert _tables(small) == {} and _charts(small) == []
    title = f"# {view.name}: Social Work Health Check {YEAR}, local report"
    assert [line for line in md.split("\n") if line.startswith("#")] == [title, "## Headline", "## Notes"]
    assert not re.search(r"\b\d+%|\bscore(d)? of \d", md.split("## Notes")[0])  # no local figures
    assert _tree(project.root / "data") == before  # a report notebook only reads


def test_notebook_is_saved_clean(project):
    nb = nbformat.read(project.notebooks_dir / NOTEBOOK, as_version=4)
    assert nb.cells[0].cell_type == "raw" and nb.cells[0].source.startswith(
        '---\ntitle: "Social Work Health Check: local report"'
    )
    assert "execute:\n  echo: false" in nb.cells[0].source and "jupyter: python3" in nb.cells[0].source
    params = nb.cells[1]
    assert params.metadata.get("tags") == ["parameters"]
    for line in ('council = "E06000006"', "year = None", "project_root = None", "show_free_text = False"):
        assert line in params.source
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        assert not cell.get("outputs") and not cell.get("execution_count")
        if cell is not params:
            assert "tags" not in cell.metadata
