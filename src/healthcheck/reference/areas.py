"""The areas the survey scores: the eight standards and the other areas, from ``data/reference/areas.csv``."""

from __future__ import annotations

import pandas as pd

from healthcheck.config import Project
from healthcheck.reference.readers import read_reference_csv

STANDARDS = [f"s{i}" for i in range(1, 9)]
OTHER_AREAS = ["covid", "contribution", "tensions", "satisfaction", "stay"]
AREAS = STANDARDS + OTHER_AREAS


def load_areas(project: Project | None = None) -> pd.DataFrame:
    """The thirteen areas: id, kind (standard/other), number, title, short title, order."""
    project = project or Project.default()
    areas = read_reference_csv(project.reference_dir / "areas.csv", ["area", "kind", "title", "short_title", "order"])
    areas["order"] = areas["order"].astype(int)
    areas["number"] = pd.to_numeric(areas["number"], errors="coerce").astype("Int64")
    return areas.sort_values("order").reset_index(drop=True)
