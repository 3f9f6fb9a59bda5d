"""Benchmark: every council's report, the naive way against the batch runner.

(a) naive: for each council, one after another, a fresh ``papermill`` command-line process
    (new interpreter, new kernel, every import again) and then a fresh renderer (a new
    Chromium for the chart images when Word or PDF are asked for);
(b) the batch runner behind ``healthcheck run``: worker processes, each with a warm kernel and
    one Chromium, in parallel (``run_batch(force=True)``).

Both on the same councils and formats of a sample project in a temporary folder (full-size
2020 sample: ~143 organisations). Prints both wall times, their ratio, the marginal seconds per
extra council, and where the time goes. Goals on 2 cores: all HTML reports in under 3 minutes,
all formats in under 8 minutes, (b) at least 5 times faster than (a).

    .venv/bin/python benchmarks/batch.py [--councils N] [--formats html,docx,pdf,xlsx]
        [--workers N] [--naive-councils M] [--skip-naive] [--root PATH] [--json PATH]

``--naive-councils M`` times (a) on the first M councils only and scales it to all of them
(it is strictly sequential, so linear); the output says when it did.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
YEAR = 2020


def make_project(root: Path) -> None:
    """A project like the repository (reference data, params, notebooks) with the 2020 sample, scored."""
    for sub in ("data/raw", "data/processed", "reports"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference", dirs_exist_ok=True)
    shutil.copytree(REPO / "params", root / "params", dirs_exist_ok=True, ignore=shutil.ignore_patterns("20[0-9][0-9]"))
    shutil.copytree(REPO / "notebooks", root / "notebooks", dirs_exist_ok=True)


def prepare(root: Path) -> None:
    from healthcheck.clean import clean_year
    from healthcheck.config import Project
    from healthcheck.council import scoring_complete
    from healthcheck.sample import write_sample
    from healthcheck.score import score_year

    project = Project(root)
    if scoring_complete(project, YEAR):
        return
    if not project.raw_dir(YEAR).is_dir():
        write_sample(project, years=[YEAR])
    clean_year(project, YEAR)
    score_year(project, YEAR)


def naive(root: Path, targets: list, formats: tuple[str, ...], out: Path) -> dict:
    """(a): papermill CLI process + a fresh renderer per council, sequentially."""
    import nbformat

    from healthcheck.render import Renderer

    papermill = shutil.which("papermill", path=str(Path(sys.executable).parent)) or "papermill"
    notebook = root / "notebooks" / "03-council-report.ipynb"
    steps: dict[str, float] = defaultdict(float)
    per_council = []
    started = time.perf_counter()
    for target in targets:
        t0 = time.perf_counter()
        folder = out / target.slug
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / "report.ipynb"
        cmd = [
            papermill, str(notebook), str(executed), "-p", "council", target.org_code, "-p", "year", str(YEAR),
            "-p", "project_root", str(root), "--no-progress-bar", "--cwd", str(notebook.parent), "-k", "python3",
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True)
        process = time.perf_counter() - t0
        duration = float(nbformat.read(str(executed), as_version=4).metadata.papermill.duration or 0)
        steps["kernel start (process, kernel, imports)"] += process - duration
        steps["execute"] += duration
        with Renderer(formats=formats) as renderer:
            renderer.render(executed, folder, stem="report")
            for step, seconds in renderer.timings.items():
                if step != "total":
                    steps[step] += seconds
        per_council.append(time.perf_counter() - t0)
    return {"seconds": time.perf_counter() - started, "per_council": per_council, "steps": dict(steps)}


def batch(root: Path, targets: list, formats: tuple[str, ...], workers: int) -> dict:
    """(b): the batch runner (warm kernels, one browser per worker, parallel)."""
    from healthcheck.batch import run_batch
    from healthcheck.config import Project

    done_at: list[float] = []
    started = time.perf_counter()
    results = run_batch(
        Project(root), YEAR, targets, formats=formats, workers=workers, force=True,
        on_result=lambda r: done_at.append(time.perf_counter() - started),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    steps: dict[str, float] = defaultdict(float)
    for result in results:
        for step, value in result.timings.items():
            steps[step] += value
    failed = [(r.org_code, r.cause) for r in results if r.status == "failed"]
    return {"seconds": seconds, "done_at": done_at, "steps": dict(steps), "failed": failed}


def marginal(done_at: list[float]) -> float | None:
    """Seconds per extra council once running: slope of finish time against count (least squares)."""
    points = sorted(done_at)
    if len(points) < 4:
        return None
    skip = max(1, len(points) // 10)  # leave out the start-up (kernels and browsers starting)
    ys = points[skip:]
    xs = list(range(skip, len(points)))
    return statistics.linear_regression(xs, ys).slope


def show_steps(title: str, steps: dict[str, float], councils: int) -> None:
    total = sum(steps.values()) or 1.0
    print(f"  where the time goes, {title} (seconds summed over councils; per council; share):")
    for step, seconds in sorted(steps.items(), key=lambda kv: -kv[1]):
        print(f"    {step:<40} {seconds:8.1f} s  {seconds / councils:6.2f} s  {100 * seconds / total:5.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=None, help="number of councils (default: all in the sample)")
    parser.add_argument("--formats", default="html,docx,pdf,xlsx")
    parser.add_argument("--workers", type=int, default=None, help="batch workers (default: number of cores)")
    parser.add_argument("--naive-councils", type=int, default=None, help="time (a) on this many and scale it up")
    parser.add_argument("--skip-naive", action="store_true", help="time (b) only")
    parser.add_argument("--root", type=Path, default=None, help="project folder to use (default: a new temporary one)")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "out" / "batch.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    root = args.root or Path(tempfile.mkdtemp(prefix="healthcheck-bench-"))
    if not (root / "notebooks").is_dir():
        make_project(root)
    os.environ["HEALTHCHECK_ROOT"] = str(root)
    prepare(root)

    from healthcheck.batch import check_options, default_workers, resolve_targets
    from healthcheck.config import Project

    formats = check_options(args.formats.split(","), "native", "local", args.workers)
    workers = args.workers or default_workers()
    targets, _ = resolve_targets(Project(root), YEAR)
    targets = targets[: args.councils] if args.councils else targets
    n = len(targets)
    print(f"project {root}; {n} councils; formats {','.join(formats)}; {workers} worker(s) on {os.cpu_count()} cores")

    b = batch(root, targets, formats, workers)
    print(f"(b) batch runner: {b['seconds']:.1f} s ({b['seconds'] / n:.2f} s per council of wall time)")
    if b["failed"]:
        print(f"    {len(b['failed'])} failed: {b['failed'][:3]}")
    slope = marginal(b["done_at"])
    if slope is not None:
        print(f"    marginal: {slope:.2f} s per extra council")
    show_steps("batch, all workers", b["steps"], n)

    record = {"councils": n, "formats": list(formats), "workers": workers, "batch": b}
    if not args.skip_naive:
        m = min(args.naive_councils or n, n)
        with tempfile.TemporaryDirectory(prefix="healthcheck-naive-") as tmp:
            a = naive(root, targets[:m], formats, Path(tmp))
        scaled = a["seconds"] * n / m
        note = f" (timed on {m}, scaled to {n})" if m < n else ""
        print(f"(a) naive: {scaled:.1f} s{note}; {statistics.mean(a['per_council']):.2f} s per council")
        print(f"    marginal: {statistics.mean(a['per_council']):.2f} s per extra council (sequential)")
        show_steps("naive", a["steps"], m)
        print(f"speed-up (a)/(b): {scaled / b['seconds']:.1f}x (goal: at least 5x)")
        record["naive"] = {**a, "scaled_seconds": scaled, "timed_councils": m}
    goal = 180 if set(formats) == {"html"} else 480
    print(f"goal for (b): under {goal} s for all ~143 councils: {'met' if b['seconds'] < goal else 'NOT met'} ({n} councils)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    print(f"details: {args.json}")


if __name__ == "__main__":
    main()
