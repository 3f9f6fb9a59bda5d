"""The pipeline's stages: built in order when missing, again only when an input or their code changed."""

from __future__ import annotations

import pandas as pd
import pytest

from healthcheck import catalogue, pipeline
from healthcheck.errors import InputError
from healthcheck.synthetic.survey import write_sample


def _built(steps: list[pipeline.Step]) -> list[tuple[int, str]]:
    return [(s.year, s.stage) for s in steps if s.status == "built"]


@pytest.fixture
def two_years(project):
    write_sample(project, years=[2021, 2022], n_orgs=8, scale=0.3, seed=5)
    return project


def test_ensure_builds_earlier_years_first_then_nothing(two_years):
    steps = pipeline.ensure(two_years, 2022)
    assert _built(steps) == [
        (2021, "clean"), (2021, "score"), (2021, "trends"), (2022, "clean"), (2022, "score"), (2022, "trends"),
    ]  # fmt: skip
    assert [s.reason for s in steps if s.status == "skipped"] == ["no org_return for 2022"]  # the sample survey alone
    assert catalogue.scored_years(two_years) == [2021, 2022]
    assert catalogue.TRENDS.exists(two_years, 2022) and not catalogue.TRENDS.exists(two_years, 2021)
    assert _built(pipeline.ensure(two_years, 2022)) == []  # all current
    record = pipeline.read_record(two_years, 2022)
    assert set(record) == {"clean", "score", "trends"}
    assert record["score"]["inputs"]["data/processed/2022/responses.parquet"] is not None
    assert record["score"]["inputs"]["params/2022/headcounts.csv"] is not None


def test_a_changed_parameter_rebuilds_only_what_depends_on_it(two_years):
    pipeline.ensure(two_years, 2022)
    scoring = catalogue.SCORING.path(two_years)
    scoring.write_text(scoring.read_text(encoding="utf-8").replace("alpha: 0.05", "alpha: 0.01"), encoding="utf-8")
    assert pipeline.due(two_years, 2022, "clean") is None
    assert pipeline.due(two_years, 2022, "score") == "changed: params/scoring.yaml"
    steps = pipeline.ensure(two_years, 2022)
    assert _built(steps) == [(2021, "score"), (2021, "trends"), (2022, "score"), (2022, "trends")]
    meta = pd.read_json(catalogue.SCORES_META.path(two_years, 2022), typ="series")
    assert meta["params"]["alpha"] == 0.01


def test_a_changed_raw_export_is_cleaned_again_and_the_next_year_compared_again(two_years):
    pipeline.ensure(two_years, 2022)
    raw = catalogue.WORKER_SURVEY.path(two_years, 2021)
    lines = raw.read_bytes().split(b"\r\n") if b"\r\n" in raw.read_bytes() else raw.read_bytes().split(b"\n")
    sep = b"\r\n" if b"\r\n" in raw.read_bytes() else b"\n"
    raw.write_bytes(sep.join([*lines[:-5], b""]))  # the platform re-exported with a few rows fewer
    reason = pipeline.due(two_years, 2021, "clean")
    assert reason == "changed: data/raw/2021/worker_survey.csv"
    built = _built(pipeline.ensure(two_years, 2022))
    assert built[:3] == [(2021, "clean"), (2021, "score"), (2021, "trends")]
    assert (2022, "trends") in built and (2022, "clean") not in built  # 2022 compares with the new 2021


def test_changed_code_makes_a_stage_due(two_years, monkeypatch):
    pipeline.ensure(two_years, 2022)
    monkeypatch.setattr(pipeline, "source_sha256", lambda parts: "edited")
    assert pipeline.due(two_years, 2022, "score") == "the package's code changed"


def test_processed_tables_without_raw_data_are_kept(two_years):
    pipeline.ensure(two_years, 2022)
    catalogue.WORKER_SURVEY.path(two_years, 2021).unlink()  # raw data archived elsewhere
    catalogue.RESPONSES.path(two_years, 2021).unlink()
    steps = pipeline.ensure(two_years, 2022)
    assert _built(steps) == []
    assert {(s.year, s.stage): s.status for s in steps}[(2021, "score")] == "current"


def test_a_year_with_nothing_to_build_from_is_a_clear_error(project):
    with pytest.raises(InputError, match=r"data/raw/2023/worker_survey.csv.*no raw export for 2023"):
        pipeline.ensure(project, 2023)


def test_forcing_a_stage_without_its_input_gives_the_stage_error(project):
    with pytest.raises(InputError, match="no raw export for 2023"):
        pipeline.run(project, 2023, "clean", force=True)
    assert pipeline.run(project, 2023, "clean").status == "skipped"


def test_sample_if_empty_never_writes_over_real_data(project):
    real = catalogue.WORKER_SURVEY.path(project, 2020)
    real.parent.mkdir(parents=True)
    real.write_text("real export\n", encoding="utf-8")
    assert pipeline.sample_if_empty(project) == ([], [])
    assert real.read_text(encoding="utf-8") == "real export\n"
    assert project.raw_years() == [2020]


def test_every_stage_writes_what_the_catalogue_says():
    written = {e.name for stage in pipeline.STAGES for e in pipeline.STAGES[stage].writes}
    produced = {e.name for e in catalogue.PROCESSED if e.stage in pipeline.STAGES}
    assert written == produced
    assert list(pipeline.STAGES) == ["clean", "score", "trends", "clean_return"]
    for name, stage in pipeline.STAGES.items():
        assert set(stage.needs) <= set(list(pipeline.STAGES)[: list(pipeline.STAGES).index(name)])
