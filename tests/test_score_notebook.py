"""The scoring notebook runs top to bottom through papermill on a small sample."""

from __future__ import annotations

import papermill as pm
import pytest

from healthcheck.ingest.survey import clean_year
from healthcheck.synthetic.survey import write_sample


@pytest.mark.slow
def test_score_notebook_runs(project, tmp_path):
    write_sample(project, years=[2020], n_orgs=10, scale=0.3, seed=3)
    clean_year(project, 2020)
    out = tmp_path / "02-score.ipynb"
    pm.execute_notebook(
        str(project.notebooks_dir / "02-score.ipynb"), str(out), parameters={"year": 2020},
        kernel_name="python3", cwd=str(project.notebooks_dir), progress_bar=False,
    )  # fmt: skip
    text = out.read_text()
    assert "org_scores.parquet" in text
    assert (project.processed_dir(2020) / "ranks.parquet").is_file()
