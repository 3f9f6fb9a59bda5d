"""How many bytes each report's outputs take: the per-council total of all formats, and a year's total.

Builds (unless ``--reports`` names a year folder built already) a throw-away project with the
sample data and every report of the sample's latest year in all formats, then sums, for every
report folder, every file in it (HTML, Word, PDF, spreadsheet, chart images, executed notebook,
manifest), by format. The goal is under 3 MB for a council's folder.

    PYTHONPATH=src python benchmarks/output_size.py                 # build and measure 10 councils
    PYTHONPATH=src python benchmarks/output_size.py --councils 0    # every report of the year
    PYTHONPATH=src python benchmarks/output_size.py --reports reports/2022   # measure what is there
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

GOAL_MB = 3.0
REPO = Path(__file__).resolve().parents[1]


def kind(path: Path) -> str:
    """Which output a file belongs to: its format, or 'figures' for the chart images."""
    if "figures" in path.parts:
        return "figures"
    return path.suffix.lstrip(".") or path.name


def measure(year_dir: Path) -> dict[str, dict[str, int]]:
    """Bytes by output kind for every report folder in ``year_dir``."""
    sizes: dict[str, dict[str, int]] = {}
    for folder in sorted(p for p in year_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        by_kind: dict[str, int] = defaultdict(int)
        for file in folder.rglob("*"):
            if file.is_file():
                by_kind[kind(file.relative_to(folder))] += file.stat().st_size
        sizes[folder.name] = dict(by_kind)
    return sizes


def build(root: Path, councils: int) -> Path:
    """A project at ``root`` with the sample data and its latest year's reports; returns the year folder."""
    for part in ("data/reference", "params", "notebooks"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("20[0-9][0-9]", ".ipynb_checkpoints"))
    (root / "data" / "raw").mkdir(parents=True)
    env = {**os.environ, "HEALTHCHECK_ROOT": str(root)}
    cli = [sys.executable, "-m", "healthcheck.cli"]
    subprocess.run([*cli, "sample"], env=env, check=True, stdout=subprocess.DEVNULL)
    year = max(int(p.name) for p in (root / "data" / "raw").iterdir() if p.name.isdigit())
    args = ["run", "--year", str(year)]
    if councils:
        for stage in ("clean", "score"):
            subprocess.run([*cli, stage, "--year", str(year)], env=env, check=True, stdout=subprocess.DEVNULL)
        import pandas as pd

        scores = pd.read_parquet(root / "data" / "processed" / str(year) / "org_scores.parquet")
        codes = scores.loc[scores["reportable"].astype(bool), "org_code"].drop_duplicates().sort_values()
        for code in codes.tolist()[:councils]:
            args += ["--council", code]
    subprocess.run([*cli, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return root / "reports" / str(year)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, help="a year's report folder already built (reports/2022)")
    parser.add_argument("--councils", type=int, default=10, help="councils to build (0: every report)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="healthcheck-size-") as tmp:
        year_dir = opts.reports or build(Path(tmp), opts.councils)
        sizes = measure(year_dir)
    kinds = sorted({k for s in sizes.values() for k in s})
    totals = {name: sum(s.values()) for name, s in sizes.items()}
    special = ("england", "england-organisational-return")
    councils = {n: t for n, t in totals.items() if n not in special and not n.startswith("region-")}
    print(f"{'report':<34}" + "".join(f"{k:>10}" for k in kinds) + f"{'total MB':>10}")
    for name, by_kind in sizes.items():
        row = "".join(f"{by_kind.get(k, 0) / 1e6:>10.2f}" for k in kinds)
        print(f"{name:<34}{row}{totals[name] / 1e6:>10.2f}")
    year_total = sum(totals.values())
    print(f"\n{len(totals)} reports, {year_total / 1e6:.1f} MB in all")
    if councils:
        worst = max(councils.values()) / 1e6
        mean = sum(councils.values()) / len(councils) / 1e6
        print(f"per council: mean {mean:.2f} MB, largest {worst:.2f} MB (goal under {GOAL_MB:g} MB): "
              f"{'met' if worst < GOAL_MB else 'NOT met'}")  # fmt: skip
        print(f"a year of 152 reports at the council mean: about {152 * mean / 1e3:.2f} GB")
    if opts.json:
        opts.json.write_text(json.dumps({"sizes": sizes, "totals": totals}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
