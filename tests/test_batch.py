"""The batch: failures isolated, reruns incremental, writes atomic, Dask executor, CLI exit codes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from healthcheck import batch
from healthcheck.cli import app
from healthcheck.clean import clean_year
from healthcheck.errors import ParameterError
from healthcheck.sample import write_sample
from healthcheck.score import score_year

pytestmark = pytest.mark.slow
YEAR = 2020


@pytest.fixture
def scored(project):
    write_sample(project, years=[YEAR], n_orgs=8, scale=0.3, seed=21)
    clean_year(project, YEAR)
    score_year(project, YEAR)
    return project


def _three(project) -> list[str]:
    ranks = pd.read_parquet(project.processed_dir(YEAR) / "ranks.parquet")
    return ranks.sort_values("org_code")["org_code"].head(3).tolist()


def test_failure_isolated_rerun_incremental_and_changed_input(scored, monkeypatch):
    codes = _three(scored)
    real = batch._execute

    def flaky(source, output, parameters, cwd):
        if parameters["council"] == codes[1]:
            raise RuntimeError("simulated failure in the notebook")
        return real(source, output, parameters, cwd)

    monkeypatch.setattr(batch, "_execute", flaky)
    targets, unknown = batch.resolve_targets(scored, YEAR, [*codes, "Atlantis"])
    assert [u.name for u in unknown] == ["Atlantis"] and "unknown council" in unknown[0].cause
    results = batch.run_batch(scored, YEAR, targets, formats=("html",), workers=1)
    status = {r.org_code: r.status for r in results}
    assert status == {codes[0]: "ok", codes[1]: "failed", codes[2]: "ok"}
    failed = next(r for r in results if r.status == "failed")
    assert "simulated failure" in failed.cause
    for r in results:
        folder = scored.reports_dir(YEAR) / r.slug
        assert (folder / "report.html").is_file() == (r.status == "ok")
    manifest = json.loads((scored.reports_dir(YEAR) / results[0].slug / "manifest.json").read_text())
    assert manifest["outputs"]["report.html"] and "params/scoring.yaml" in manifest["inputs"]

    # rerun without the fault: the two good ones are skipped, the failed one is redone
    monkeypatch.setattr(batch, "_execute", real)
    again = {r.org_code: r.status for r in batch.run_batch(scored, YEAR, targets, formats=("html",), workers=1)}
    assert again == {codes[0]: "skipped", codes[1]: "ok", codes[2]: "skipped"}

    # a changed input of one council (its self-assessment) redoes only that council
    sa = scored.params_dir / "self_assessment" / f"{codes[2]}.csv"
    sa.parent.mkdir(parents=True, exist_ok=True)
    sa.write_text("standard,element,status,notes\n1,Clear vision for social work,Fully met,\n", encoding="utf-8")
    third = {r.org_code: r.status for r in batch.run_batch(scored, YEAR, targets, formats=("html",), workers=1)}
    assert third == {codes[0]: "skipped", codes[1]: "skipped", codes[2]: "ok"}


def test_crash_mid_render_leaves_nothing_under_the_final_name(scored, monkeypatch):
    code = _three(scored)[0]
    targets, _ = batch.resolve_targets(scored, YEAR, [code])

    class Exploding:
        def render(self, notebook, out_dir, **kwargs):
            (out_dir / "report.html").write_text("<html>half", encoding="utf-8")
            raise OSError("disk full")

    monkeypatch.setattr(batch, "_renderer", lambda formats, engine: Exploding())
    [result] = batch.run_batch(scored, YEAR, targets, formats=("html",), workers=1)
    assert result.status == "failed" and "disk full" in result.cause
    final = scored.reports_dir(YEAR) / targets[0].slug
    assert not final.exists()
    assert not list((scored.reports_dir(YEAR) / ".tmp").glob("*"))
    assert (scored.reports_dir(YEAR) / "_failed" / f"{targets[0].slug}.ipynb").is_file()
    monkeypatch.undo()
    [result] = batch.run_batch(scored, YEAR, targets, formats=("html",), workers=1)
    assert result.status == "ok" and (final / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_exit_code_index_and_run_record(scored):
    code = _three(scored)[0]
    runner = CliRunner()
    res = runner.invoke(app, ["report", "--council", code, "--council", "Atlantis", "--formats", "html", "--workers", "2"])
    assert res.exit_code == 1, res.output
    index = (scored.reports_dir(YEAR) / "index.html").read_text(encoding="utf-8")
    assert "Atlantis" in index and "Failed" in index and "report.html" in index
    record = json.loads((scored.reports_dir(YEAR) / "run-record.json").read_text())
    assert record["counts"] == {"ok": 1, "skipped": 0, "failed": 1}
    res = runner.invoke(app, ["report", "--council", code, "--formats", "html"])
    assert res.exit_code == 0, res.output


def test_dask_executor_on_local_cluster(scored):
    code = _three(scored)[0]
    targets, _ = batch.resolve_targets(scored, YEAR, [code])
    [result] = batch.run_batch(scored, YEAR, targets, formats=("html",), workers=1, executor="dask")
    assert result.status == "ok", result.cause
    assert (scored.reports_dir(YEAR) / targets[0].slug / "report.html").is_file()


@pytest.mark.parametrize("name", ["../etc", "..", "", ".tmp", "a/../../b", "/etc/passwd"])
def test_out_dir_never_leaves_reports(project, name):
    with pytest.raises(ParameterError):
        batch.safe_out_dir(project, YEAR, name)
