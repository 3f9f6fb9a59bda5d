"""The batch: failures isolated, reruns incremental, writes atomic, pool and Dask executors, index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import pandas as pd
import pytest
from conftest import read_all, reportable_codes

from healthcheck import batch
from healthcheck.batch import Target, plan, resolve_targets, run_batch, safe_out_dir
from healthcheck.batch.index import write_index
from healthcheck.batch.manifest import outputs_match, read_manifest
from healthcheck.errors import ParameterError
from healthcheck.ingest.survey import clean_year
from healthcheck.scoring.score import score_year
from healthcheck.synthetic.survey import write_sample

YEAR = 2020
BAD_SELF_ASSESSMENT = "standard,element,status,notes\n1,A clear vision for social work,Maybe,\n"


@pytest.fixture
def scored(project):
    write_sample(project, years=[YEAR], n_orgs=12, scale=0.3, seed=7)
    clean_year(project, YEAR)
    score_year(project, YEAR)
    return project


def _reportable(project, n: int) -> list[str]:
    return reportable_codes(project, YEAR, n)


def _suppressed(project) -> str:
    scores = read_all(project.processed_dir(YEAR) / "org_scores.parquet")
    return str(scores.loc[~scores["reportable"].astype(bool), "org_code"].sort_values().iloc[0])


def _statuses(results) -> dict[str, str]:
    return {r.org_code: r.status for r in results}


# --------------------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["../../etc", "..", ".", "", ".tmp", "_failed", "a/../../b", "/etc/passwd", "a/b", "-rf"]
)
def test_out_dir_never_leaves_reports(project, name):
    with pytest.raises(ParameterError):
        safe_out_dir(project, YEAR, name)


def test_out_dir_of_a_slug(project):
    assert safe_out_dir(project, YEAR, "halton") == (project.reports_dir(YEAR) / "halton").resolve()


def test_names_resolve_to_codes_and_unknown_names_fail_alone(project):
    targets, unknown = resolve_targets(project, YEAR, ["Halton", "E06000006", "../../etc", "halton bc"])
    assert targets == [Target("E06000006", "Halton", "North West", "halton")]
    assert [u.name for u in unknown] == ["../../etc"]
    assert unknown[0].status == "failed" and unknown[0].cause.startswith("UnknownOrganisationError: no organisation")
    assert not (project.reports_root / "etc").exists()


# --------------------------------------------------------------------------------------
# a batch with a failure, then reruns
# --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_failure_isolated_rerun_redoes_only_failed_and_changed(scored, frozen_package):
    good, bad, third = _reportable(scored, 3)
    quiet = _suppressed(scored)
    sa_dir = scored.params_dir / "self_assessment"
    (sa_dir / f"{bad}.csv").write_text(BAD_SELF_ASSESSMENT, encoding="utf-8")
    targets, _ = resolve_targets(scored, YEAR, [good, bad, third, quiet])
    slugs = {t.org_code: t.slug for t in targets}
    base = scored.reports_dir(YEAR)

    # two worker processes: the failure of one council stops nobody
    results = run_batch(scored, YEAR, targets, formats=("html",), workers=2)
    assert _statuses(results) == {good: "ok", bad: "failed", third: "ok", quiet: "ok"}
    failed = next(r for r in results if r.status == "failed")
    assert failed.cause.startswith("InputError: file ") and "Maybe" in failed.cause
    assert "(notebook cell In [" in failed.cause
    kept = nbformat.read(str(base / "_failed" / f"{slugs[bad]}.ipynb"), as_version=4)
    assert kept.metadata.papermill.parameters["council"] == bad
    assert not (base / slugs[bad]).exists()
    for code in (good, third, quiet):
        folder = base / slugs[code]
        manifest = read_manifest(folder)
        assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "report.html", "report.ipynb"]
        assert manifest["settings"]["parameters"]["council"] == code and outputs_match(folder, manifest)
    suppressed_html = (base / slugs[quiet] / "report.html").read_text(encoding="utf-8")
    assert "Ratings by standard" not in suppressed_html  # the notice, not the figures
    # each worker kept one warm kernel: at most two kernel starts for four councils
    assert sum(r.timings.get("kernel start", 0) > 0 for r in results) <= 2
    assert not (base / ".tmp").exists()

    # the index lists every organisation scored, with its status and the failure's cause
    write_index(scored, YEAR, results)
    page = (base / "build-record.html").read_text(encoding="utf-8")  # status and causes: the build record
    page = page[page.index("Council reports by region") :]  # the national and regional reports come first
    every = read_all(scored.processed_dir(YEAR) / "org_scores.parquet")["org_code"].unique()
    assert len(every) == 12 and all(f"<td>{code}</td>" in page for code in every)
    assert page.count('<tr class="failed">') == 1 and "Maybe" in page
    assert page.count('<tr class="ok">') == 3 and page.count('<tr class="missing">') == 8
    assert f'href="{slugs[good]}/report.html"' in page and f'href="_failed/{slugs[bad]}.ipynb"' in page

    # the cause fixed: only the failed council is redone; its failed notebook is cleared
    (sa_dir / f"{bad}.csv").unlink()
    again = run_batch(scored, YEAR, targets, formats=("html",), workers=1)
    assert _statuses(again) == {good: "skipped", bad: "ok", third: "skipped", quiet: "skipped"}
    assert not (base / "_failed" / f"{slugs[bad]}.ipynb").exists()

    # a council's self-assessment appears: that council alone is redone
    (sa_dir / f"{third}.csv").write_text((sa_dir / "E06000006.csv").read_text(encoding="utf-8"), encoding="utf-8")
    redo = {r.org_code: (r.status, r.reason) for r in run_batch(scored, YEAR, targets, formats=("html",), workers=1)}
    assert redo[third] == ("ok", f"changed: params/self_assessment/{third}.csv")
    assert {c: s for c, (s, _) in redo.items() if c != third} == {good: "skipped", bad: "skipped", quiet: "skipped"}

    # a scoring table or params/scoring.yaml changes: every council is due again
    with (scored.params_dir / "scoring.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# reviewed\n")
    tasks, skipped = plan(scored, YEAR, targets, formats=("html",))
    assert len(tasks) == 4 and not skipped
    assert {t.reason for t in tasks} == {"changed: params/scoring.yaml"}


@pytest.mark.slow
def test_crash_mid_render_keeps_the_old_report_and_writes_nothing_half(scored, monkeypatch):
    [code] = _reportable(scored, 1)
    targets, _ = resolve_targets(scored, YEAR, [code])
    final = scored.reports_dir(YEAR) / targets[0].slug

    class Exploding:
        def render(self, notebook, out_dir, **kwargs):
            (out_dir / "report.html").write_text("<html>half", encoding="utf-8")
            raise OSError("No space left on device")

    monkeypatch.setattr(batch.WorkerState, "renderer", lambda self, formats, engine: Exploding())
    [result] = run_batch(scored, YEAR, targets, formats=("html",), workers=1)
    assert result.status == "failed" and result.cause == "OSError: No space left on device"
    assert not final.exists() and not (scored.reports_dir(YEAR) / ".tmp").exists()
    assert (scored.reports_dir(YEAR) / "_failed" / f"{targets[0].slug}.ipynb").is_file()

    monkeypatch.undo()
    [result] = run_batch(scored, YEAR, targets, formats=("html",), workers=1)
    assert result.status == "ok"
    before = read_manifest(final)

    # a forced rebuild that crashes leaves the previous report whole under its name
    monkeypatch.setattr(batch.WorkerState, "renderer", lambda self, formats, engine: Exploding())
    [result] = run_batch(scored, YEAR, targets, formats=("html",), workers=1, force=True)
    assert result.status == "failed"
    assert read_manifest(final) == before and outputs_match(final, before)
    assert (final / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.slow
def test_kill_9_mid_run_leaves_only_whole_reports_and_a_rerun_cleans_up(scored):
    env = {**os.environ, "HEALTHCHECK_ROOT": str(scored.root)}
    base = scored.reports_dir(YEAR)
    codes = _reportable(scored, 3)
    councils = [arg for code in codes for arg in ("--council", code)]
    cmd = [sys.executable, "-m", "healthcheck.cli", "report", *councils, "--formats", "html", "--workers", "1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        # wait until one report is done and the next is being built
        while time.monotonic() < deadline:
            built = list(base.glob("*/manifest.json"))
            staging = list((base / ".tmp").glob("build-*")) if (base / ".tmp").is_dir() else []
            if built and staging:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the run never got going")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its kernel: as a crash would
        proc.wait()
    folders = [p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))]
    assert folders
    for folder in folders:  # every folder under a final name is a whole report
        manifest = read_manifest(folder)
        assert manifest is not None and outputs_match(folder, manifest), folder
    assert list((base / ".tmp").glob("build-*"))  # the half-built one stayed in the staging area

    results = run_batch(scored, YEAR, resolve_targets(scored, YEAR, codes)[0], formats=("html",), workers=1)
    assert not (base / ".tmp").exists()
    assert {r.status for r in results} == {"ok", "skipped"}
    assert sum(r.status == "skipped" for r in results) == len(folders)


@pytest.mark.slow
def test_dask_executor_on_a_local_cluster(scored):
    codes = _reportable(scored, 2)
    targets, _ = resolve_targets(scored, YEAR, codes)
    results = run_batch(scored, YEAR, targets, formats=("html",), workers=1, executor="dask")
    assert [r.status for r in results] == ["ok", "ok"], [r.cause for r in results]
    for target in targets:
        assert (scored.reports_dir(YEAR) / target.slug / "report.html").is_file()
    # one Dask worker process: its warm kernel started once and served both councils
    assert sorted(r.timings["kernel start"] > 0 for r in results) == [False, True]


def test_bad_options_are_refused_before_any_work(project):
    with pytest.raises(ParameterError, match="unknown format"):
        run_batch(project, YEAR, [], formats=("html", "pptx"))
    with pytest.raises(ParameterError, match="executor"):
        run_batch(project, YEAR, [], executor="spark")
    with pytest.raises(ParameterError, match="at least 1"):
        run_batch(project, YEAR, [], workers=0)


def test_run_record_counts_and_failures(project):
    results = [
        batch.Result("E06000006", "Halton", "halton", status="ok"),
        batch.Result("E08000009", "Trafford", "trafford", status="skipped"),
        batch.Result("", "Atlantis", "", status="failed", cause="UnknownOrganisationError: no match"),
    ]
    path = batch.write_run_record(project, YEAR, results, seconds=12.34, options={"formats": ["html"]})
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["counts"] == {"ok": 1, "skipped": 1, "failed": 1}
    assert record["failures"] == [
        {"org_code": "", "name": "Atlantis", "cause": "UnknownOrganisationError: no match", "notebook": None}
    ]
    assert record["seconds"] == 12.3 and record["options"] == {"formats": ["html"]}
    assert len(record["params_sha256"]) == 64 and record["version"]


# --------------------------------------------------------------------------------------
# national, regional and return reports beside the councils'
# --------------------------------------------------------------------------------------
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def stand_in_notebooks(project, *, fail_region: str = "") -> None:
    """Tiny stand-ins for notebooks 06 and 07 (the real ones are tested with their modules)."""
    from nbformat.v4 import new_code_cell, new_notebook

    show = "from healthcheck.publish.display import show_markdown\n"
    national = new_notebook(
        cells=[
            new_code_cell("year = None\nproject_root = None", metadata={"tags": ["parameters"]}),
            new_code_cell(show + "show_markdown(f'# England {year}')"),
        ],
        metadata=KERNEL,
    )
    regional = new_notebook(
        cells=[
            new_code_cell('region = "North West"\nyear = None\nproject_root = None', metadata={"tags": ["parameters"]}),
            new_code_cell(
                show + f"if region == {fail_region!r}:\n    raise ValueError(f'no figures for {{region}}')\n"
                "show_markdown(f'# {region} {year}')"
            ),
        ],
        metadata=KERNEL,
    )
    nbformat.write(national, str(project.notebooks_dir / batch.NOTEBOOKS["national"]))
    nbformat.write(regional, str(project.notebooks_dir / batch.NOTEBOOKS["region"]))


def _fake_scores(project, rows) -> None:
    folder = project.processed_dir(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["org_code", "region"]).to_parquet(folder / "org_scores.parquet")


def test_special_targets_slugs_parameters_and_what_is_left_out(project):
    for kind in ("national", "region"):
        (project.notebooks_dir / batch.NOTEBOOKS[kind]).unlink(missing_ok=True)
    # nothing at all: every kind left out, each with its reason
    targets, notes = batch.special_targets(project, YEAR)
    assert targets == []
    assert notes == [
        "notebooks/06-national-report.ipynb is missing: the national report is skipped",
        f"no organisational return for {YEAR}: its national report is skipped",
        "notebooks/07-regional-report.ipynb is missing: the regional reports are skipped",
    ]
    stand_in_notebooks(project)
    _fake_scores(project, [("E06000006", "North West"), ("E09000007", "London"), ("NC005", None)])
    (project.raw_dir(YEAR)).mkdir(parents=True)
    (project.raw_dir(YEAR) / "org_return.csv").write_text("response_id\n", encoding="utf-8")
    targets, notes = batch.special_targets(project, YEAR)
    assert notes == []
    assert targets == [
        Target("E92000001", "England", None, "england", "national"),
        Target("E92000001", "England: organisational return", None, "england-organisational-return", "return"),
        Target("E12000007", "London", "London", "region-london", "region"),
        Target("E12000002", "North West", "North West", "region-north-west", "region"),
    ]
    assert [t.slug for t in batch.special_targets(project, YEAR, regions=["north west"], national=False)[0]] == [
        "england-organisational-return",
        "region-north-west",
    ]
    with pytest.raises(ParameterError, match="'Wessex'"):
        batch.special_targets(project, YEAR, regions=["Wessex"])
    # the notebooks' parameters
    root = str(project.root)
    assert batch.target_parameters(project, YEAR, targets[0]) == {"year": YEAR, "project_root": root}
    assert batch.target_parameters(project, YEAR, targets[3]) == {
        "region": "North West",
        "year": YEAR,
        "project_root": root,
    }
    assert (
        batch.target_parameters(project, YEAR, Target("E06000006", "Halton", "North West", "halton"))["council"]
        == "E06000006"
    )


def test_a_council_whose_name_reads_like_a_national_folder_gets_its_code(project):
    with (project.params_dir / "organisations_extra.csv").open("a", encoding="utf-8") as fh:
        fh.write("NC900,England Children's Trust,England Children's Trust,Non-council,London,\n")
        fh.write("NC901,Region North West Fostering,Region North West Fostering,Non-council,North West,\n")
    targets, _ = resolve_targets(project, YEAR, ["NC900", "NC901", "Halton"])
    assert [t.slug for t in targets] == ["england-childrens-trust-nc900", "region-north-west-fostering-nc901", "halton"]


def test_two_reports_in_one_folder_are_refused(project):
    twice = [
        Target("E06000006", "Halton", "North West", "halton"),
        Target("E92000001", "England", None, "halton", "national"),
    ]
    with pytest.raises(ParameterError, match="share the folder"):
        run_batch(project, YEAR, twice, formats=("html",))


@pytest.mark.slow
def test_a_batch_of_councils_with_the_national_and_regional_reports(scored, frozen_package):
    regions = batch.scored_regions(scored, YEAR)
    assert len(regions) >= 2
    good_region, bad_region = regions[0], regions[1]
    stand_in_notebooks(scored, fail_region=bad_region)
    codes = _reportable(scored, 2)
    specials, notes = batch.special_targets(scored, YEAR, regions=[good_region, bad_region])
    assert notes == [f"no organisational return for {YEAR}: its national report is skipped"]
    councils, _ = resolve_targets(scored, YEAR, codes)
    targets = [*specials, *councils]
    base = scored.reports_dir(YEAR)

    results = run_batch(scored, YEAR, targets, formats=("html",), workers=2)
    by_slug = {r.slug: r for r in results}
    assert [r.slug for r in results] == [t.slug for t in targets]
    assert {s: r.status for s, r in by_slug.items()} == {
        "england": "ok", batch.region_slug(good_region): "ok", batch.region_slug(bad_region): "failed",
        **{t.slug: "ok" for t in councils},
    }  # fmt: skip
    failed = by_slug[batch.region_slug(bad_region)]
    assert failed.kind == "region" and failed.cause.startswith(f"ValueError: no figures for {bad_region}")
    assert (base / "_failed" / f"{batch.region_slug(bad_region)}.ipynb").is_file()

    national = read_manifest(base / "england")
    assert national["kind"] == "national" and national["settings"]["parameters"] == {
        "year": YEAR,
        "project_root": str(scored.root),
    }
    assert "params/consent_to_be_named.csv" in national["inputs"]
    assert not any(k.startswith("params/self_assessment/") for k in national["inputs"])
    assert (
        f"# England {YEAR}"
        in nbformat.read(str(base / "england" / "report.ipynb"), as_version=4)
        .cells[-1]
        .outputs[0]["data"]["text/markdown"]
    )
    regional = read_manifest(base / batch.region_slug(good_region))
    assert regional["kind"] == "region" and regional["settings"]["parameters"]["region"] == good_region
    assert "England" in (base / "england" / "report.html").read_text(encoding="utf-8")
    council = read_manifest(base / councils[0].slug)
    assert council["kind"] == "council" and "data/reference/return_codebook.csv" in council["inputs"]

    # rerun: everything built is up to date; only the failed region is tried again
    again = run_batch(scored, YEAR, targets, formats=("html",), workers=1)
    assert [r.status for r in again] == ["skipped", "skipped", "failed", "skipped", "skipped"]

    # consent to be named changes: the national and regional reports alone are due
    (scored.params_dir / "consent_to_be_named.csv").write_text("org_code,consent,date,source\n", encoding="utf-8")
    tasks, skipped = plan(scored, YEAR, targets, formats=("html",))
    assert {t.target.slug: t.reason for t in tasks} == {
        "england": "changed: params/consent_to_be_named.csv",
        batch.region_slug(good_region): "changed: params/consent_to_be_named.csv",
        batch.region_slug(bad_region): "no report yet",
    }
    assert {r.slug for r in skipped} == {t.slug for t in councils}

    # the index lists the national and regional reports first, then the councils by region
    write_index(scored, YEAR, results)
    page = (base / "build-record.html").read_text(encoding="utf-8")  # status and causes: the build record
    first_council = page.index("Council reports by region")
    assert page.index('href="england/report.html"') < first_council
    assert page.index(f'href="{batch.region_slug(good_region)}/report.html"') < first_council
    assert all(page.index(f'href="{t.slug}/report.html"') > first_council for t in councils)
