"""Crash safety: a batch killed with SIGKILL part-way, then run again.

``healthcheck report`` for six organisations (HTML and Word, so charts are exported with
Chromium) on two workers runs in its own process group;
once at least one report is in place and another is being built, the whole group gets
SIGKILL (the CLI, its pool workers; the kernels and Chromium they started are checked
separately: they must go away on their own). Then:

* every folder under a final name (``reports/<year>/<slug>/``) is a whole report: its
  manifest is there and every output it lists has the recorded hash; nothing half-written
  sits beside the reports except the staging area ``.tmp``;
* no kernel or Chromium started by the run is still alive after a grace period;
* a second run finishes every report, reuses the whole ones, removes the staging area, and
  the index page lists every organisation with a link to a report that exists.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest
from conftest import reportable_codes

from healthcheck.batch import resolve_targets
from healthcheck.batch.manifest import outputs_match, read_manifest
from healthcheck.ingest.survey import clean_year
from healthcheck.scoring.score import score_year
from healthcheck.synthetic.survey import write_sample

YEAR = 2020
N_REPORTS = 6
GRACE = 20.0  # seconds for orphaned kernels and browsers to notice and leave


@pytest.fixture
def scored(project):
    write_sample(project, years=[YEAR], n_orgs=24, scale=0.5, seed=11)
    clean_year(project, YEAR)
    score_year(project, YEAR)
    return project


def _reportable(project, n: int) -> list[str]:
    return reportable_codes(project, YEAR, n)


def _report_folders(base) -> list:
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _assert_whole(folder) -> dict:
    manifest = read_manifest(folder)
    assert manifest is not None, f"{folder.name}: no manifest under the final name"
    assert outputs_match(folder, manifest), f"{folder.name}: outputs differ from the manifest"
    listed = set(manifest["outputs"])
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert on_disk == listed, f"{folder.name}: files not in the manifest: {on_disk ^ listed}"
    return manifest


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _kind(process: psutil.Process) -> str:
    try:
        line = " ".join(process.cmdline())
    except psutil.Error:
        return "gone"
    return "kernel" if "ipykernel" in line else "chromium" if "chromium" in line else "other"


def _alive(processes: list[psutil.Process]) -> list[str]:
    out = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(f"{p.pid} {' '.join(p.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.slow
def test_kill_9_then_rerun_gives_whole_consistent_reports(scored):
    project = scored
    base = project.reports_dir(YEAR)
    codes = _reportable(project, N_REPORTS)
    env = {**os.environ, "HEALTHCHECK_ROOT": str(project.root)}
    councils = [arg for code in codes for arg in ("--council", code)]
    cmd = [
        sys.executable,
        "-m",
        "healthcheck.cli",
        "report",
        *councils,
        "--formats",
        "html,docx",
        "--workers",
        "2",
    ]  # docx: charts, so Chromium
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    seen: dict[int, psutil.Process] = {}
    kind_of: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for child in _descendants(proc.pid):  # every kernel and browser the run starts
                seen.setdefault(child.pid, child)
                # a child caught between fork and exec still shows its parent's command line
                if kind_of.get(child.pid) not in ("kernel", "chromium"):
                    kind_of[child.pid] = _kind(child)
            built = list(base.glob("*/manifest.json")) if base.is_dir() else []
            staging = list((base / ".tmp").glob("build-*")) if (base / ".tmp").is_dir() else []
            if built and staging and len(built) < N_REPORTS:
                break
            if proc.poll() is not None:
                pytest.fail(f"the run ended (exit {proc.returncode}) before it could be killed part-way")
            time.sleep(0.02)
        else:
            pytest.fail("the run never got going")
        for child in _descendants(proc.pid):
            seen.setdefault(child.pid, child)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # as a power cut or the OOM killer would
        proc.wait()

    # 1. only whole reports under final names (a half-built one stays in the staging area)
    folders = _report_folders(base)
    assert 1 <= len(folders) < N_REPORTS
    for folder in folders:
        _assert_whole(folder)
    strays = [
        p.name
        for p in base.iterdir()
        if p.is_file() and p.name not in (".lock", "index.html", "build-record.html", "run-record.json")
    ]
    assert not strays, strays

    # 2. nothing the run started lives on
    kinds = set(kind_of.values())
    assert {"kernel", "chromium"} <= kinds, kinds  # the check below is not empty
    end = time.monotonic() + GRACE
    while _alive(list(seen.values())) and time.monotonic() < end:
        time.sleep(0.25)
    left = _alive(list(seen.values()))
    if left:  # clean up before failing, so the test leaves nothing behind either
        for p in seen.values():
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
    assert not left, "still running after the kill:\n" + "\n".join(left)

    # 3. run again: every report whole, the whole ones reused, the index consistent
    before = {f.name: read_manifest(f)["outputs"] for f in folders}
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert not (base / ".tmp").exists()
    targets, _ = resolve_targets(project, YEAR, codes)
    folders = _report_folders(base)
    assert [f.name for f in folders] == sorted(t.slug for t in targets)
    for folder in folders:
        manifest = _assert_whole(folder)
        assert manifest["org_code"] in codes and (folder / "report.html").stat().st_size > 10_000
        if folder.name in before:  # a whole report from the killed run was kept, not rebuilt
            assert manifest["outputs"] == before[folder.name]
    page = (base / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#?]+)"', page))
    for target in targets:
        assert f"{target.slug}/report.html" in links, target
        assert target.name in page
    for link in links:  # every link on the page leads to a file that exists
        if not link.startswith(("http:", "https:", "../", "mailto:")):
            assert (base / link).is_file(), link


# --------------------------------------------------------------------------------------
# provenance: the manifest, and the same inputs giving the same report
# --------------------------------------------------------------------------------------
def _stable_svg(text: str) -> str:
    """An SVG with plotly's random ids (per figure, trace, legend and pattern) numbered in order."""
    text = re.sub(r"\b(clip|defs-|topdefs-|trace|legend)[0-9a-f]{6}", r"\1ID", text)
    ids = list(dict.fromkeys(re.findall(r'\bid="([^"]+)"', text)))
    for number, old in enumerate(sorted(ids, key=len, reverse=True)):  # longest first: no id inside another
        text = text.replace(old, f"\x00{number}\x00")
    return text


def _content(folder) -> dict[str, object]:
    """Each output's content without what records when it was made.

    Left out: the notebook's execution times (papermill and kernel metadata), the created and
    modified times of the Word and spreadsheet files (docProps/core.xml), the PDF's dates (its
    page text is compared) and the random id papermill gives the cell it injects; plotly's
    random element ids in SVG charts are replaced by a placeholder.
    """
    import json
    import zipfile

    from pypdf import PdfReader

    out: dict[str, object] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"):
        rel = path.relative_to(folder).as_posix()
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            nb["metadata"].pop("papermill", None)
            for cell in nb["cells"]:
                cell["metadata"].pop("execution", None)
                cell["metadata"].pop("papermill", None)
                if "injected-parameters" in cell["metadata"].get("tags", []):
                    cell.pop("id", None)  # papermill gives the cell it adds a new random id
            out[rel] = nb
        elif path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                out[rel] = {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}
        elif path.suffix == ".pdf":
            out[rel] = [page.extract_text() for page in PdfReader(str(path)).pages]
        elif path.suffix == ".svg":
            out[rel] = _stable_svg(path.read_text(encoding="utf-8"))
        else:
            out[rel] = path.read_bytes()
    return out


@pytest.mark.slow
def test_manifest_and_the_same_inputs_give_the_same_report(scored):
    import shutil

    from healthcheck.batch import run_batch

    project = scored
    [code] = _reportable(project, 1)
    targets, _ = resolve_targets(project, YEAR, [code])
    folder = project.reports_dir(YEAR) / targets[0].slug
    formats = ("html", "docx", "pdf", "xlsx")
    [first] = run_batch(project, YEAR, targets, formats=formats, workers=1, force=True)
    assert first.status == "ok", first.cause
    manifest = _assert_whole(folder)
    # what the manifest records: inputs with their hashes, parameters, package, time, outputs
    assert manifest["org_code"] == code and manifest["year"] == YEAR and manifest["version"]
    inputs = manifest["inputs"]
    assert any(k.endswith("responses.parquet") or "org_scores" in k for k in inputs), inputs
    assert all(v is None or re.fullmatch(r"[0-9a-f]{64}", v) for v in inputs.values())
    assert manifest["settings"]["parameters"]["council"] == code and manifest["settings"]["formats"] == sorted(formats)
    assert manifest["settings"]["package"] and re.match(r"\d{4}-\d{2}-\d{2}T", manifest["created"])
    assert {"report.html", "report.docx", "report.pdf", "report.xlsx", "report.ipynb"} <= set(manifest["outputs"])
    once = _content(folder)
    keep = project.root / "first"
    shutil.copytree(folder, keep)

    [second] = run_batch(project, YEAR, targets, formats=formats, workers=1, force=True)
    assert second.status == "ok", second.cause
    again = _content(folder)
    assert set(again) == set(once)
    differ = [rel for rel in once if once[rel] != again[rel]]
    assert not differ, differ
    assert (folder / "report.html").read_bytes() == (keep / "report.html").read_bytes()  # byte for byte
    assert read_manifest(folder)["inputs"] == manifest["inputs"]
