"""The report, render and run commands: exit codes, summary, index page and run record."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from healthcheck.cli import app
from healthcheck.clean import clean_year
from healthcheck.manifest import read_manifest
from healthcheck.sample import write_sample
from healthcheck.score import score_year

YEAR = 2020
runner = CliRunner()


@pytest.fixture
def sampled(project):
    write_sample(project, years=[YEAR], n_orgs=12, scale=0.3, seed=7)
    return project


def _codes(project) -> list[str]:
    scores = pd.read_parquet(project.processed_dir(YEAR) / "org_scores.parquet")
    return scores.loc[scores["reportable"].astype(bool), "org_code"].drop_duplicates().sort_values().tolist()


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
def test_run_builds_every_organisation_and_exit_1_when_one_fails(sampled):
    clean_year(sampled, YEAR)
    score_year(sampled, YEAR)
    bad = _codes(sampled)[1]
    path = sampled.params_dir / "self_assessment" / f"{bad}.csv"
    path.write_text("standard,element,status,notes\n9,Nine,Fully met,\n", encoding="utf-8")

    result = runner.invoke(app, ["run", "--formats", "html", "--workers", "2"])
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "11 built, 0 up to date, 1 failed" in out
    assert "1 report(s) failed" in out and "InputError" in out
    record = json.loads((sampled.reports_dir(YEAR) / "run-record.json").read_text(encoding="utf-8"))
    assert record["counts"] == {"ok": 11, "skipped": 0, "failed": 1}
    assert [f["org_code"] for f in record["failures"]] == [bad]
    assert record["failures"][0]["notebook"].startswith("_failed/")
    assert record["options"]["workers"] == 2 and record["options"]["formats"] == ["html"]
    page = (sampled.reports_dir(YEAR) / "index.html").read_text(encoding="utf-8")
    assert page.count("<tr class=") == 12 and page.count('<tr class="ok">') == 11

    # run again with the file fixed: the unchanged eleven are skipped, the failed one redone
    path.unlink()
    result = runner.invoke(app, ["run", "--formats", "html", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "1 built, 11 up to date, 0 failed" in " ".join(result.output.split())


@pytest.mark.slow
def test_report_by_name_unknown_council_render_and_rerun(sampled):
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
