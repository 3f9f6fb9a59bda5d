"""Benchmark: every council's report, the naive way against the batch runner.

(a) naive: for each council, one after another, a fresh ``papermill`` command-line process
    (new interpreter, new kernel, every import again) and then a render in a fresh process
    (new interpreter and imports, a new Chromium for the chart images when Word or PDF are
    asked for; ``--naive-render inline`` renders in the benchmark's own process instead);
(b) the batch runner behind ``healthcheck run``: worker processes, each with a warm kernel and
    one Chromium, in parallel (``run_batch(force=True)``).

Both on the same councils and formats of a sample project in a temporary folder (full-size
2020 sample: ~143 organisations). Prints both wall times, their ratio, the marginal seconds per
extra council, where the time goes step by step, and how busy the machine was (its load
average, and the share of all cores busy during each run: anything else running on the
machine slows every figure here). Goals on 2 cores: all HTML reports in under 3 minutes,
all formats in under 8 minutes, (b) at least 5 times faster than (a).

    .venv/bin/python benchmarks/batch.py [--councils N] [--formats html,docx,pdf,xlsx]
        [--workers N] [--naive-councils M] [--naive-render process|inline] [--skip-naive]
        [--root PATH] [--json PATH]

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
    from healthcheck.config import Project
    from healthcheck.ingest.survey import clean_year
    from healthcheck.scoring.score import score_year
    from healthcheck.synthetic.survey import write_sample
    from healthcheck.views.council import scoring_complete

    project = Project(root)
    if scoring_complete(project, YEAR):
        return
    if not project.raw_dir(YEAR).is_dir():
        write_sample(project, years=[YEAR])
    clean_year(project, YEAR)
    score_year(project, YEAR)


#: (a)'s render step as its own process: a fresh interpreter, fresh imports, a new browser.
RENDER_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from healthcheck.publish.render import Renderer
notebook, folder, formats = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
with Renderer(formats=formats) as renderer:
    renderer.render(notebook, folder, stem="report")
timings = dict(renderer.timings)
timings["process"] = time.perf_counter() - t0
print(json.dumps(timings))
"""


def naive(root: Path, targets: list, formats: tuple[str, ...], out: Path, *, render_in_process: bool = False) -> dict:
    """(a): per council, one after another: a papermill CLI process, then a render in a fresh process.

    ``render_in_process`` renders in this process instead (a fresh Renderer, and so a fresh
    Chromium, per council, but the imports made once): the definition used before.
    """
    import nbformat

    from healthcheck.batch.targets import NOTEBOOK
    from healthcheck.publish.render import Renderer

    papermill = shutil.which("papermill", path=str(Path(sys.executable).parent)) or "papermill"
    notebook = root / "notebooks" / NOTEBOOK
    steps: dict[str, float] = defaultdict(float)
    per_council = []
    cpu0 = machine_cpu()
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
        if render_in_process:
            with Renderer(formats=formats) as renderer:
                renderer.render(executed, folder, stem="report")
                timings = dict(renderer.timings)
        else:
            t1 = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", RENDER_SCRIPT, str(executed), str(folder), ",".join(formats)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            timings = json.loads(done.stdout.strip().splitlines()[-1])
            wall = time.perf_counter() - t1
            # the process's own wall time less the render itself: interpreter start and imports
            steps["render process start (interpreter, imports)"] += wall - timings.pop("total")
            timings.pop("process", None)
        for step, seconds in timings.items():
            if step != "total":
                steps[step] += seconds
        per_council.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "per_council": per_council,
        "steps": dict(steps),
        "busy": busy_share(cpu0, machine_cpu()),
    }


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat (Linux; else zeros)."""
    try:
        fields = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return (sum(fields) - idle) / tick, sum(fields) / tick


def busy_share(before: tuple[float, float], after: tuple[float, float]) -> float | None:
    """How busy the machine's cores were between two :func:`machine_cpu` readings (0-1)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else None


def batch(root: Path, targets: list, formats: tuple[str, ...], workers: int) -> dict:
    """(b): the batch runner (warm kernels, one browser per worker, parallel)."""
    from healthcheck.batch import run_batch
    from healthcheck.config import Project

    done_at: list[float] = []
    cpu0 = machine_cpu()
    started = time.perf_counter()
    results = run_batch(
        Project(root), YEAR, targets, formats=formats, workers=workers, force=True,
        on_result=lambda r: done_at.append(time.perf_counter() - started),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    steps: dict[str, float] = defaultdict(float)
    per_step: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for step, value in result.timings.items():
            steps[step] += value
            per_step[step].append(value)
    failed = [(r.org_code, r.cause) for r in results if r.status == "failed"]
    medians = {step: statistics.median(values) for step, values in per_step.items()}
    return {"seconds": seconds, "done_at": done_at, "steps": dict(steps), "median_per_council": medians,
            "failed": failed, "busy": busy_share(cpu0, machine_cpu())}  # fmt: skip


def marginal(done_at: list[float]) -> float | None:
    """Seconds per extra council once running: slope of finish time against count (least squares)."""
    points = sorted(done_at)
    if len(points) < 4:
        return None
    skip = max(1, len(points) // 10)  # leave out the start-up (kernels and browsers starting)
    ys = points[skip:]
    xs = list(range(skip, len(points)))
    return statistics.linear_regression(xs, ys).slope


def show_steps(title: str, steps: dict[str, float], councils: int, medians: dict[str, float] | None = None) -> None:
    total = sum(steps.values()) or 1.0
    extra = "; median" if medians else ""
    print(f"  where the time goes, {title} (seconds summed over councils; mean per council{extra}; share):")
    for step, seconds in sorted(steps.items(), key=lambda kv: -kv[1]):
        median = f"  {medians[step]:6.2f} s" if medians and step in medians else ""
        print(f"    {step:<46} {seconds:8.1f} s  {seconds / councils:6.2f} s{median}  {100 * seconds / total:5.1f}%")


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.0f}%"


def load() -> str:
    """The machine's load averages (1, 5, 15 min): other work on it slows every figure here."""
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=None, help="number of councils (default: all in the sample)")
    parser.add_argument("--formats", default="html,docx,pdf,xlsx")
    parser.add_argument("--workers", type=int, default=None, help="batch workers (default: number of cores)")
    parser.add_argument("--naive-councils", type=int, default=None, help="time (a) on this many and scale it up")
    parser.add_argument(
        "--naive-render",
        choices=("process", "inline"),
        default="process",
        help="(a)'s render: a fresh process per council (default) or in the benchmark's process",
    )
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
    print(f"load average before: {load()}")

    b = batch(root, targets, formats, workers)
    print(f"(b) batch runner: {b['seconds']:.1f} s ({b['seconds'] / n:.2f} s per council of wall time); "
          f"machine {percent(b['busy'])} busy, load average after: {load()}")  # fmt: skip
    if b["failed"]:
        print(f"    {len(b['failed'])} failed: {b['failed'][:3]}")
    slope = marginal(b["done_at"])
    if slope is not None:
        print(f"    marginal: {slope:.2f} s per extra council")
    show_steps("batch, all workers", b["steps"], n, b["median_per_council"])

    record = {"councils": n, "formats": list(formats), "workers": workers, "batch": b, "marginal_batch": slope}
    if not args.skip_naive:
        m = min(args.naive_councils or n, n)
        with tempfile.TemporaryDirectory(prefix="healthcheck-naive-") as tmp:
            a = naive(root, targets[:m], formats, Path(tmp), render_in_process=args.naive_render == "inline")
        scaled = a["seconds"] * n / m
        note = f" (timed on {m}, scaled to {n})" if m < n else ""
        print(f"(a) naive ({'render in a fresh process' if args.naive_render == 'process' else 'render in-process'}): "
              f"{scaled:.1f} s{note}; {statistics.mean(a['per_council']):.2f} s per council; "
              f"machine {percent(a['busy'])} busy, load average after: {load()}")  # fmt: skip
        print(f"    marginal: {statistics.mean(a['per_council']):.2f} s per extra council (sequential)")
        show_steps("naive", a["steps"], m)
        ratio = scaled / b["seconds"]
        print(f"speed-up (a)/(b): {scaled:.1f} s / {b['seconds']:.1f} s = {ratio:.1f}x (goal: at least 5x: "
              f"{'met' if ratio >= 5 else 'NOT met'})")  # fmt: skip
        record["naive"] = {**a, "scaled_seconds": scaled, "timed_councils": m, "render": args.naive_render}
        record["ratio"] = ratio
    goal = 180 if set(formats) == {"html"} else 480
    verdict = "met" if b["seconds"] < goal else "NOT met"
    if n < 143:
        estimate = b["seconds"] + (slope or b["seconds"] / n) * (143 - n)
        verdict += f" on {n} councils; about {estimate:.0f} s for 143 at the marginal rate"
    print(f"goal for (b): under {goal} s for all ~143 councils: {verdict}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    print(f"details: {args.json}")


if __name__ == "__main__":
    main()
