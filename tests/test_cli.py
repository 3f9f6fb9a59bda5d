"""The report, render and run commands: exit codes, summary, index page and run record."""

from __future__ import annotations

import html
import json

import nbformat
import pandas as pd
import pytest
from conftest import read_all, reportable_codes
from typer.testing import CliRunner

from healthcheck import batch
from healthcheck.batch.manifest import read_manifest
from healthcheck.cli import app
from healthcheck.ingest.survey import clean_year
from healthcheck.scoring.score import score_year
from healthcheck.synthetic.survey import write_sample

YEAR = 2020
runner = CliRunner()


def stand_in_notebooks(project) -> None:
    """Tiny stand-ins for notebooks 06 and 07, so that these tests time the batch, not those reports."""
    from nbformat.v4 import new_code_cell, new_notebook

    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    for kind, parameters in (("national", ""), ("region", 'region = "North West"\n')):
        nb = new_notebook(
            cells=[
                new_code_cell(parameters + "year = None\nproject_root = None", metadata={"tags": ["parameters"]}),
                new_code_cell(
                    "from healthcheck.publish.display import show_markdown\nshow_markdown(f'# Report {year}')"
                ),
            ],
            metadata=kernel,
        )
        nbformat.write(nb, str(project.notebooks_dir / batch.NOTEBOOKS[kind]))


@pytest.fixture
def sampled(project):
    write_sample(project, years=[YEAR], n_orgs=12, scale=0.3, seed=7)
    return project


def _codes(project) -> list[str]:
    return reportable_codes(project, YEAR)


@pytest.mark.parametrize(
    "args, message",
    [
        (["report", "--council", "Halton", "--formats", "html,pptx"], "unknown format(s) pptx"),
        (["report", "--council", "Halton", "--workers", "0"], "--workers must be at least 1"),
        (["report"], "name a council with --council"),
        (["run", "--executor", "spark"], "unknown executor 'spark'"),
        (["run", "--engine", "latex"], "unknown engine 'latex'"),
        (["report", "--council", "Halton", "--year", "20"], "four-digit year"),
    ],
)
def test_bad_parameters_exit_2_with_a_message(sampled, args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_report_with_no_data_at_all_exits_2(project):
    result = runner.invoke(app, ["report", "--council", "Halton"])
    assert result.exit_code == 2
    assert "no survey year found" in " ".join(result.output.split())


@pytest.mark.slow
def test_run_builds_every_report_and_exit_1_when_one_fails(sampled, frozen_package):
    clean_year(sampled, YEAR)
    score_year(sampled, YEAR)
    stand_in_notebooks(sampled)
    regions = sorted(read_all(sampled.processed_dir(YEAR) / "org_scores.parquet")["region"].dropna().unique())
    bad = _codes(sampled)[1]
    path = sampled.params_dir / "self_assessment" / f"{bad}.csv"
    path.write_text("standard,element,status,notes\n9,Nine,Fully met,\n", encoding="utf-8")

    # 12 organisations, the national report and one per region; no return this year
    result = runner.invoke(app, ["run", "--formats", "html", "--workers", "2"])
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    built = 11 + 1 + len(regions)
    assert f"{built} built, 0 up to date, 1 failed" in out
    assert f"skipped: no organisational return for {YEAR}: its national report is skipped" in out
    assert "1 report(s) failed" in out and "InputError" in out
    record = json.loads((sampled.reports_dir(YEAR) / "run-record.json").read_text(encoding="utf-8"))
    assert record["counts"] == {"ok": built, "skipped": 0, "failed": 1}
    assert [f["org_code"] for f in record["failures"]] == [bad]
    assert record["failures"][0]["notebook"].startswith("_failed/")
    assert record["options"]["workers"] == 2 and record["options"]["formats"] == ["html"]
    assert (record["options"]["national"], record["options"]["regions"], record["options"]["org_return"]) == (
        True,
        True,
        True,
    )
    page = (sampled.reports_dir(YEAR) / "build-record.html").read_text(encoding="utf-8")
    assert page.count("<tr class=") == 12 + 1 + len(regions) and page.count('<tr class="ok">') == built
    reader = (sampled.reports_dir(YEAR) / "index.html").read_text(encoding="utf-8")
    assert reader.count("<tr data-name=") == built  # the reader's index: the published reports alone
    assert (sampled.reports_dir(YEAR) / "england" / "report.html").is_file()
    for region in regions:
        assert (sampled.reports_dir(YEAR) / batch.region_slug(region) / "report.html").is_file()
    assert (sampled.reports_root / "index.html").is_file()

    # run again with the file fixed: the unchanged reports are skipped, the failed one redone
    path.unlink()
    result = runner.invoke(app, ["run", "--formats", "html", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert f"1 built, {built} up to date, 0 failed" in " ".join(result.output.split())

    # --council means those councils only, unless the others are asked for
    result = runner.invoke(app, ["run", "--council", bad, "--formats", "html", "--force"])
    assert result.exit_code == 0 and "1 built, 0 up to date" in " ".join(result.output.split())
    result = runner.invoke(app, ["report", "--region", regions[0], "--national", "--formats", "html"])
    assert result.exit_code == 0 and "0 built, 2 up to date" in " ".join(result.output.split()), result.output


@pytest.mark.slow
def test_sample_clean_and_run_include_the_organisational_return(project):
    result = runner.invoke(app, ["sample", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    raw = project.raw_dir(YEAR)
    assert sorted(p.name for p in raw.iterdir()) == ["org_return.csv", "worker_survey.csv"]
    result = runner.invoke(app, ["clean", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert f"Cleaned{raw / 'org_return.csv'}" in "".join(result.output.split())  # rich wraps long paths
    returns = pd.read_parquet(project.processed_dir(YEAR) / "org_return.parquet")
    assert (project.processed_dir(YEAR) / "org_return_qa.csv").is_file()
    returned = set(returns["org_code"])
    assert "E08000009" in returned and "E06000006" not in returned  # the seeded sample: Trafford returned, Halton not

    # two councils and the return's national report; not the national worker-survey report
    result = runner.invoke(
        app,
        ["run", "--council", "Halton", "--council", "Trafford", "--org-return", "--formats", "html", "--workers", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "3 built, 0 up to date, 0 failed" in " ".join(result.output.split())
    base = project.reports_dir(YEAR)
    assert sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")) == [
        "england-organisational-return", "halton", "trafford",
    ]  # fmt: skip
    national_return = (base / "england-organisational-return" / "report.html").read_text(encoding="utf-8")
    assert f"England: Social Work Health Check {YEAR}, national report of the organisational return" in national_return
    trafford = html.unescape((base / "trafford" / "report.html").read_text(encoding="utf-8"))
    assert (
        "Workforce context" in trafford and "From Trafford's organisational return for children's services" in trafford
    )
    assert "Trafford: workforce context from its organisational return, with the North West and England" in trafford
    halton = html.unescape((base / "halton" / "report.html").read_text(encoding="utf-8"))
    assert "Halton did not submit an organisational return for 2020" in halton
    # a second sample refuses to overwrite the worker survey, and so writes no return either
    result = runner.invoke(app, ["sample", "--year", str(YEAR)])
    assert result.exit_code == 2 and "already exists" in result.output


@pytest.mark.slow
def test_report_by_name_unknown_council_render_and_rerun(sampled, frozen_package):
    # report cleans and scores by itself when the tables are missing
    result = runner.invoke(app, ["report", "--council", "Halton", "--council", "Atlantis", "--formats", "html"])
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "1 built, 0 up to date, 1 failed" in out and "no organisation matches 'Atlantis'" in out
    folder = sampled.reports_dir(YEAR) / "halton"
    assert (folder / "report.html").is_file()

    result = runner.invoke(app, ["report", "--council", "E06000006", "--formats", "html"])
    assert result.exit_code == 0 and "0 built, 1 up to date" in " ".join(result.output.split())

    # render: the executed notebook re-rendered into another format, the HTML kept
    before = read_manifest(folder)
    result = runner.invoke(app, ["render", "--council", "halton", "--formats", "xlsx"])
    assert result.exit_code == 0, result.output
    after = read_manifest(folder)
    assert sorted(p.name for p in folder.glob("report.*")) == ["report.html", "report.ipynb", "report.xlsx"]
    assert after["settings"]["formats"] == ["html", "xlsx"]
    assert after["outputs"]["report.ipynb"] == before["outputs"]["report.ipynb"]  # not executed again
    assert after["inputs"] == before["inputs"]

    # render of a council never executed: that council fails, with the way out
    result = runner.invoke(app, ["render", "--council", "Trafford", "--formats", "html"])
    assert result.exit_code == 1
    record = json.loads((sampled.reports_dir(YEAR) / "run-record.json").read_text(encoding="utf-8"))
    assert record["options"]["command"] == "render"
    assert "run `healthcheck report --council E08000009` first" in record["failures"][0]["cause"]


def test_free_text_is_off_unless_asked_for(sampled, monkeypatch):
    """`--free-text` reaches the council notebooks' show_free_text parameter; without it, False."""
    seen: list[dict] = []

    def fake_run_batch(project, year, targets, **kwargs):
        tasks, _ = batch.plan(project, year, targets, formats=("html",), free_text=kwargs.get("free_text", False))
        seen.extend(dict(t.settings["parameters"]) for t in tasks)
        return []

    monkeypatch.setattr(batch, "run_batch", fake_run_batch)
    clean_year(sampled, YEAR)
    score_year(sampled, YEAR)
    code = _codes(sampled)[0]
    for flag, expected in (([], False), (["--free-text"], True)):
        seen.clear()
        result = runner.invoke(app, ["report", "--council", code, "--year", str(YEAR), "--formats", "html", *flag])
        assert result.exit_code == 0, result.output
        assert [p["show_free_text"] for p in seen] == [expected]
        assert seen[0]["council"] == code
