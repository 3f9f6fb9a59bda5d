"""Benchmark: score a synthetic national file 100 times the size of the sample.

Builds ~900,000 cleaned responses from ~143 organisations directly with numpy (seeded), then
runs every scoring table in memory (area scores, CIs, Welch tests, benchmarks, ranks, drivers
with per-organisation Spearman, regression, item shares). Prints wall time and peak memory.
Targets: under 60 s and under 4 GB on 2 cores.

    .venv/bin/python benchmarks/score.py [--responses 900000] [--orgs 143]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from healthcheck.config import REPO_ROOT, Project
from healthcheck.params import load_scoring_params
from healthcheck.reference.areas import load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import REGIONS
from healthcheck.scoring.score import score_all


def synthetic(n: int, orgs: int, seed: int = 2020) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codebook = load_codebook()
    org_codes = np.array([f"E0{6 + i % 4}{i:06d}" for i in range(orgs)])
    org_region = rng.choice(REGIONS, size=orgs)
    weights = rng.gamma(2.0, 1.0, orgs)
    org_idx = rng.choice(orgs, size=n, p=weights / weights.sum())
    org_effect = rng.normal(0, 0.3, orgs)
    person = rng.normal(0, 0.8, n) + org_effect[org_idx]
    frame = {
        "response_id": np.char.add("R", np.arange(n).astype(str)),
        "org_code": org_codes[org_idx],
        "org_name": org_codes[org_idx],
        "org_type": "Unitary Authority",
        "region": org_region[org_idx],
    }
    for item in codebook["item"]:
        latent = 3.8 + person + rng.normal(0, 0.9, n)
        codes = np.clip(np.rint(latent), 1, 5).astype("float")
        codes[rng.random(n) < 0.06] = np.nan
        frame[item] = pd.array(codes, dtype="Float64").astype("Int8")
    return pd.DataFrame(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=900_000)
    parser.add_argument("--orgs", type=int, default=143)
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = synthetic(args.responses, args.orgs)
    built = time.perf_counter() - t0
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t1 = time.perf_counter()
    project = Project(REPO_ROOT)
    tables = score_all(data, load_codebook(None, project), load_scoring_params(project), load_areas(project))
    elapsed = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"responses: {len(data):,} from {data.org_code.nunique()} organisations (built in {built:.1f} s)")
    print(f"scoring time: {elapsed:.1f} s (target < 60 s)")
    print(
        f"peak memory (max RSS of the process): {peak / 1024:.2f} GB (after building the data: {base_rss / 1024:.2f} GB; target < 4 GB)"
    )
    print("rows: " + ", ".join(f"{k} {len(v):,}" for k, v in tables.items()))
    ok = elapsed < 60 and peak < 4096
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
