"""Manifests: input and output hashes, and when a report folder counts as up to date."""

from __future__ import annotations

import json

import pytest

from healthcheck import catalogue
from healthcheck.batch import manifest as mf
from healthcheck.batch.manifest import (
    check_current,
    file_sha256,
    hashes,
    params_sha256,
    report_input_paths,
    report_inputs,
    settings,
    write_manifest,
)  # fmt: skip
from healthcheck.errors import ParameterError

# sha256 of b"abc" (FIPS 180-2, appendix B.1)
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_file_sha256_of_known_bytes_and_missing_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    assert file_sha256(tmp_path / "a.txt") == ABC
    assert file_sha256(tmp_path / "missing.txt") is None


COUNCIL = {"council": "E06000006", "year": 2020, "show_free_text": False}


def _notebook(project, kind="council"):
    return project.notebooks_dir / {"council": "03-council-report.ipynb", "national": "06-national-report.ipynb",
                                    "region": "07-regional-report.ipynb", "return": "05-national-return-report.ipynb"}[kind]  # fmt: skip


def _scored(project, year):
    """Every file the score stage writes, as placeholder bytes: the year counts as scored."""
    folder = project.processed_dir(year)
    folder.mkdir(parents=True, exist_ok=True)
    for entry in catalogue.written_by("score"):
        (folder / entry.file).write_bytes(f"{entry.name} {year}".encode())
    return folder


def test_report_inputs_are_the_declared_files_and_the_notebook(project):
    folder = project.processed_dir(2020)
    folder.mkdir(parents=True)
    (folder / "org_scores.parquet").write_bytes(b"abc")
    (folder / "responses.parquet").write_bytes(b"respondent-level")  # not declared for a report without comments
    (folder / "qa_log.csv").write_bytes(b"cleaning decisions")  # written by the pipeline, read by no report
    notebook = _notebook(project)
    inputs = report_inputs(project, 2020, "council", notebook, COUNCIL)
    declared = catalogue.REPORT_INPUTS["council"].paths(project, 2020, org_code="E06000006")
    assert set(inputs) == {p.relative_to(project.root).as_posix() for p in [*declared, notebook]}
    assert inputs["data/processed/2020/org_scores.parquet"] == ABC
    assert inputs["data/processed/2020/trends.parquet"] is None  # declared, absent: its arrival is a change
    assert "data/processed/2020/responses.parquet" not in inputs
    assert "data/processed/2020/qa_log.csv" not in inputs
    assert inputs["notebooks/03-council-report.ipynb"] == file_sha256(notebook)
    assert inputs["params/scoring.yaml"] == file_sha256(project.params_dir / "scoring.yaml")
    assert inputs["data/reference/return_codebook.csv"] is not None  # the workforce context reads the return
    assert inputs["params/self_assessment/E06000006.csv"] is not None  # Halton's is in params/
    # a council without a self-assessment: recorded as absent, so adding one is a change
    other = report_inputs(project, 2020, "council", notebook, {**COUNCIL, "council": "E08000009"})
    assert other["params/self_assessment/E08000009.csv"] is None
    assert "params/self_assessment/E06000006.csv" not in other
    assert inputs["params/2020/scoring.yaml"] is None


def test_a_council_report_with_comments_reads_the_responses(project):
    folder = project.processed_dir(2020)
    folder.mkdir(parents=True)
    (folder / "responses.parquet").write_bytes(b"abc")
    inputs = report_inputs(project, 2020, "council", _notebook(project), {**COUNCIL, "show_free_text": True})
    assert inputs["data/processed/2020/responses.parquet"] == ABC
    assert report_input_paths(project, 2020, "council", _notebook(project), COUNCIL) == [
        *catalogue.REPORT_INPUTS["council"].paths(project, 2020, org_code="E06000006"), _notebook(project)
    ]  # fmt: skip


def test_each_kind_reads_what_the_catalogue_declares_for_it(project):
    _scored(project, 2020)
    national = report_inputs(project, 2020, "national", _notebook(project, "national"), {"year": 2020})
    assert "params/consent_to_be_named.csv" in national and "data/processed/2020/benchmarks.parquet" in national
    assert not any(k.startswith("params/self_assessment/") for k in national)
    assert "data/processed/2020/org_return.parquet" not in national
    returned = report_inputs(project, 2020, "return", _notebook(project, "return"), {"year": 2020})
    assert "data/processed/2020/org_return.parquet" in returned and "params/2020/return_codebook.csv" in returned
    assert "data/processed/2020/org_scores.parquet" not in returned
    with pytest.raises(ParameterError, match="unknown kind of report"):
        report_inputs(project, 2020, "leaflet", _notebook(project), {})


def test_earlier_scored_years_are_inputs_of_the_trends(project):
    _scored(project, 2020)
    _scored(project, 2021)
    inputs = report_inputs(project, 2021, "council", _notebook(project), {**COUNCIL, "year": 2021})
    assert inputs["data/processed/2020/org_scores.parquet"] == file_sha256(
        project.processed_dir(2020) / "org_scores.parquet"
    )
    assert "data/processed/2020/benchmarks.parquet" in inputs
    assert "params/2020/item_map.csv" in inputs and "params/2021/codebook.csv" in inputs
    assert "data/processed/2020/items.parquet" not in inputs  # the trends read only scores and benchmarks
    assert not any("/2022/" in k for k in inputs)


def test_hashes_are_kept_in_the_cache_given(project):
    path = project.root / "a.txt"
    path.write_bytes(b"abc")
    cache: dict = {}
    assert hashes(project, [path, path], cache=cache) == {"a.txt": ABC}
    path.write_bytes(b"changed")
    assert hashes(project, [path], cache=cache) == {"a.txt": ABC}  # one run: each file hashed once
    assert hashes(project, [path]) == {"a.txt": file_sha256(path)}


def test_a_changed_declared_input_is_why_a_report_is_due(project, tmp_path):
    _scored(project, 2020)
    notebook = _notebook(project)
    made = settings({**COUNCIL, "project_root": str(project.root)}, ("html",), "native")
    folder = tmp_path / "halton"
    folder.mkdir()
    (folder / "report.html").write_bytes(b"abc")
    inputs = report_inputs(project, 2020, "council", notebook, COUNCIL)
    write_manifest(folder, org_code="E06000006", name="Halton", year=2020, inputs=inputs, settings=made,
                   outputs_index={"html": "report.html"})  # fmt: skip

    def now() -> str | None:
        return check_current(folder, inputs=report_inputs(project, 2020, "council", notebook, COUNCIL), settings=made)

    assert now() is None
    (project.processed_dir(2020) / "qa_log.csv").write_bytes(b"not a report input")
    assert now() is None
    (project.processed_dir(2020) / "benchmarks.parquet").write_bytes(b"rescored")
    assert now() == "changed: data/processed/2020/benchmarks.parquet"
    (project.processed_dir(2020) / "trends.parquet").write_bytes(b"new")
    assert now() == "changed: data/processed/2020/benchmarks.parquet, data/processed/2020/trends.parquet"


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
