"""Shared fixtures: a throw-away project root with the real reference data and parameters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.params import ScoringParams, load_scoring_params
from healthcheck.reference.areas import area_codes, load_areas, other_codes, standard_codes
from healthcheck.reference.services import of_service

FIXTURES = Path(__file__).parent / "fixtures"
#: The repository's areas, from data/reference/areas.csv, for tests that build tables by hand.
AREA_TABLE = load_areas(Project(REPO_ROOT))
AREAS = area_codes(AREA_TABLE)
STANDARDS = standard_codes(AREA_TABLE)
OTHER_AREAS = other_codes(AREA_TABLE)


def scoring_params(**changes: object) -> ScoringParams:
    """The project's scoring parameters (params/scoring.yaml), with ``changes`` for a test."""
    return load_scoring_params(Project(REPO_ROOT)).but(**changes)


def make_project(root: Path) -> Project:
    """A project folder with the repository's reference data, params and notebooks."""
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    (root / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (root / "reports").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_ROOT / "data" / "reference", root / "data" / "reference", dirs_exist_ok=True)
    shutil.copytree(
        REPO_ROOT / "params", root / "params", dirs_exist_ok=True, ignore=shutil.ignore_patterns("20[0-9][0-9]")
    )
    shutil.copytree(REPO_ROOT / "notebooks", root / "notebooks", dirs_exist_ok=True)
    if (REPO_ROOT / "_quarto.yml").is_file():
        shutil.copy(REPO_ROOT / "_quarto.yml", root / "_quarto.yml")
    return Project(root)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """An empty project (reference data and params only) that the package treats as its root."""
    proj = make_project(tmp_path / "project")
    monkeypatch.setenv("HEALTHCHECK_ROOT", str(proj.root))
    return proj


def read_all(path: Path, **kwargs: object) -> pd.DataFrame:
    """A processed scoring or trend table's all-services rows (what the pre-service tables held)."""
    return of_service(pd.read_parquet(path, **kwargs), "all")


def reportable_codes(project: Project, year: int, n: int | None = None) -> list[str]:
    """The first ``n`` (or all) organisations, by code, with enough respondents for a full report."""
    scores = read_all(project.processed_dir(year) / "org_scores.parquet")
    codes = scores.loc[scores["reportable"].astype(bool), "org_code"].drop_duplicates().sort_values().tolist()
    assert n is None or len(codes) >= n, f"only {len(codes)} reportable organisations"
    return codes if n is None else codes[:n]


@pytest.fixture
def frozen_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package's fingerprint held still: someone editing the source mid-test would make every
    report due again ("package changed"), which is right, but not what the rerun tests test."""
    from healthcheck.batch import manifest

    fingerprint = manifest.package_fingerprint()
    monkeypatch.setattr(manifest, "package_fingerprint", lambda: dict(fingerprint))
