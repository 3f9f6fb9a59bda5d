"""Manifests: input and output hashes, and when a report folder counts as up to date."""

from __future__ import annotations

import json

import pytest

from healthcheck.batch import manifest as mf
from healthcheck.batch.manifest import check_current, file_sha256, input_hashes, params_sha256, settings, write_manifest

# sha256 of b"abc" (FIPS 180-2, appendix B.1)
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_file_sha256_of_known_bytes_and_missing_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    assert file_sha256(tmp_path / "a.txt") == ABC
    assert file_sha256(tmp_path / "missing.txt") is None


def test_input_hashes_name_every_input_relative_to_the_project(project):
    folder = project.processed_dir(2020)
    folder.mkdir(parents=True)
    (folder / "org_scores.parquet").write_bytes(b"abc")
    (folder / "responses.parquet").write_bytes(b"respondent-level")  # never a report input
    notebook = project.notebooks_dir / "03-council-report.ipynb"
    inputs = input_hashes(project, 2020, "E06000006", notebook)
    assert inputs["data/processed/2020/org_scores.parquet"] == ABC
    assert "data/processed/2020/responses.parquet" not in inputs
    assert inputs["notebooks/03-council-report.ipynb"] == file_sha256(notebook)
    assert inputs["params/scoring.yaml"] == file_sha256(project.params_dir / "scoring.yaml")
    assert inputs["params/self_assessment/E06000006.csv"] is not None  # Halton's is in params/
    # a council without a self-assessment: recorded as absent, so adding one is a change
    assert input_hashes(project, 2020, "E08000009", notebook)["params/self_assessment/E08000009.csv"] is None
    assert inputs["params/2020/scoring.yaml"] is None


def _folder(tmp_path, formats=("html",)):
    folder = tmp_path / "halton"
    folder.mkdir()
    (folder / "report.ipynb").write_bytes(b"{}")
    (folder / "report.html").write_bytes(b"abc")
    (folder / ".scratch").write_bytes(b"hidden files are not outputs")
    params = {"council": "E06000006", "year": 2020, "project_root": "/somewhere", "show_free_text": False}
    inputs = {"params/scoring.yaml": "1" * 64, "params/self_assessment/E06000006.csv": None}
    made = settings(params, formats, "native")
    write_manifest(
        folder, org_code="E06000006", name="Halton", year=2020, inputs=inputs, settings=made,
        outputs_index={"html": "report.html", "ipynb": "report.ipynb"}, timings={"execute": 1.23456},
    )  # fmt: skip
    return folder, inputs, made


def test_manifest_records_outputs_inputs_parameters_and_version(tmp_path):
    folder, inputs, _ = _folder(tmp_path)
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert data["outputs"] == {"report.html": ABC, "report.ipynb": file_sha256(folder / "report.ipynb")}
    assert data["inputs"] == inputs
    assert data["settings"]["parameters"]["council"] == "E06000006"
    assert data["settings"]["package"]["version"] == mf.__version__
    assert data["timings"] == {"execute": 1.235}
    assert data["created"].endswith("+00:00")


def test_up_to_date_only_when_inputs_settings_and_outputs_all_match(tmp_path):
    folder, inputs, made = _folder(tmp_path, formats=("html", "docx"))
    assert check_current(folder, inputs=inputs, settings=made) is None
    # fewer formats than last time: still up to date; more: not
    assert check_current(folder, inputs=inputs, settings={**made, "formats": ["html"]}) is None
    assert check_current(folder, inputs=inputs, settings={**made, "formats": ["html", "pdf"]}) == (
        "format(s) pdf not made last time"
    )
    # the project folder moved: the same report
    moved = {**made, "parameters": {**made["parameters"], "project_root": "/elsewhere"}}
    assert check_current(folder, inputs=inputs, settings=moved) is None
    # a council's self-assessment appears
    changed = {**inputs, "params/self_assessment/E06000006.csv": "2" * 64}
    assert check_current(folder, inputs=changed, settings=made) == "changed: params/self_assessment/E06000006.csv"
    assert check_current(folder, inputs=inputs, settings={**made, "engine": "quarto"}) == "engine changed"
    new_code = {**made, "package": {"version": "9.9.9", "source_sha256": "0"}}
    assert check_current(folder, inputs=inputs, settings=new_code) == "package changed"
    # an output edited or deleted by hand
    (folder / "report.html").write_bytes(b"edited")
    assert check_current(folder, inputs=inputs, settings=made) == "output(s) missing or changed: report.html"
    assert check_current(tmp_path / "nowhere", inputs=inputs, settings=made) == "no report yet"
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    assert check_current(folder, inputs=inputs, settings=made) == "no readable manifest"


def test_params_hash_changes_with_any_params_file(project):
    before = params_sha256(project)
    assert before == params_sha256(project)
    path = project.params_dir / "self_assessment" / "E08000009.csv"
    path.write_text("standard,element,status,notes\n", encoding="utf-8")
    assert params_sha256(project) != before


@pytest.mark.parametrize("key", ["version", "source_sha256"])
def test_package_fingerprint_has_version_and_source_hash(key):
    assert mf.package_fingerprint()[key]
