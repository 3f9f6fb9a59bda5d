"""Benchmark: the naive way of making council reports against `healthcheck`'s batch.

(a) naive: one after another, a fresh `papermill` CLI process per council, then a fresh render
    process (new Python, new browser) per council;
(b) batch: `healthcheck.batch.run_batch` with parallel workers, each keeping one renderer.
Both on the same councils and formats, in one run, on the sample data (made if missing).
Prints both times, their ratio, and seconds per council.

    .venv/bin/python benchmarks/batch.py [--councils 6] [--formats html] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from healthcheck.batch import resolve_targets, run_batch
from healthcheck.config import REPO_ROOT, Project

RENDER = (
    "import sys; from pathlib import Path; from healthcheck.render import Renderer\n"
    "with Renderer(formats=tuple(sys.argv[3].split(','))) as r: r.render(Path(sys.argv[1]), Path(sys.argv[2]))"
)


def prepare(root: Path, year: int) -> Project:
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from conftest import make_project  # the tests' throw-away project: real reference data and params

    from healthcheck.clean import clean_year
    from healthcheck.sample import write_sample
    from healthcheck.score import score_year

    project = make_project(root)
    os.environ["HEALTHCHECK_ROOT"] = str(root)
    write_sample(project, years=[year])
    clean_year(project, year)
    score_year(project, year)
    return project


def naive(project: Project, year: int, codes: list[str], formats: str) -> float:
    bin_dir = Path(sys.executable).parent
    out = project.root / "naive"
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    for code in codes:
        nb = out / f"{code}.ipynb"
        subprocess.run(
            [str(bin_dir / "papermill"), str(project.notebooks_dir / "03-council-report.ipynb"), str(nb),
             "-p", "council", code, "-p", "year", str(year), "-p", "project_root", str(project.root),
             "-k", "python3", "--cwd", str(project.notebooks_dir), "--no-progress-bar"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run([sys.executable, "-c", RENDER, str(nb), str(out / code), formats], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=6)
    parser.add_argument("--formats", default="html")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--year", type=int, default=2020)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = prepare(Path(tmp) / "project", args.year)
        ranks = pd.read_parquet(project.processed_dir(args.year) / "ranks.parquet")
        codes = ranks[ranks["ranked"]].sort_values("org_code")["org_code"].head(args.councils).tolist()
        t_naive = naive(project, args.year, codes, args.formats)
        targets, _ = resolve_targets(project, args.year, codes)
        start = time.perf_counter()
        results = run_batch(project, args.year, targets, formats=tuple(args.formats.split(",")), workers=args.workers, force=True)
        t_batch = time.perf_counter() - start
        failed = [r for r in results if r.status != "ok"]
        shutil.rmtree(project.root / "naive", ignore_errors=True)
    n = len(codes)
    print(f"councils: {n}, formats: {args.formats}, workers: {args.workers}, cores: {os.cpu_count()}")
    print(f"(a) naive, one after another: {t_naive:.1f} s ({t_naive / n:.1f} s per council)")
    print(f"(b) healthcheck batch:        {t_batch:.1f} s ({t_batch / n:.1f} s per council)")
    print(f"speed-up: {t_naive / t_batch:.2f}x; failures: {len(failed)}")
    for r in failed[:3]:
        print(f"  failed {r.org_code}: {r.cause}")
    print(f"extrapolated to 143 organisations (an extrapolation, not a run): naive {143 * t_naive / n / 60:.1f} min, "
          f"batch {143 * t_batch / n / 60:.1f} min")  # fmt: skip


if __name__ == "__main__":
    main()
