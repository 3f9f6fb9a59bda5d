"""The index page of a year's reports: every organisation, its status, its outputs, its problem.

``reports/<year>/index.html`` lists every organisation in the year's scoring tables (and any
name a run could not match), whether or not this run touched it: an organisation this run did
not build shows the state of its folder (built earlier, or not built). One self-contained page,
no scripts, links relative so the folder can be copied or zipped as it is.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .batch import FAILED, Result, read_run_record, resolve_targets
from .config import Project
from .errors import HealthcheckError
from .manifest import read_manifest

INDEX = "index.html"
LABELS = {"html": "HTML", "docx": "Word", "pdf": "PDF", "xlsx": "Spreadsheet", "ipynb": "Notebook"}
STATUS_TEXT = {
    "ok": "built in this run",
    "skipped": "up to date (not rebuilt)",
    "failed": "failed",
    "earlier": "built in an earlier run",
    "missing": "not built yet",
}


@dataclass
class Row:
    """One organisation's line on the index page."""

    name: str
    org_code: str
    region: str
    status: str  # ok / skipped / failed / earlier / missing
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href relative to the page)
    cause: str = ""


def _links(base: Path, outputs: dict[str, str]) -> list[tuple[str, str]]:
    links = []
    for key, label in LABELS.items():
        rel = outputs.get(key)
        if rel and (base / rel).is_file():
            links.append((label, rel))
    return links


def index_rows(project: Project, year: int, results: Sequence[Result]) -> list[Row]:
    """A row for every organisation scored (and every result of this run), in region and name order."""
    base = project.reports_dir(year)
    by_code = {r.org_code: r for r in results if r.org_code}
    try:
        targets, _ = resolve_targets(project, year, None)
    except HealthcheckError:  # no scoring tables: list this run's results alone
        targets = []
    previous = read_run_record(project, year) or {}
    old_causes = {f.get("org_code"): f.get("cause", "") for f in previous.get("failures", []) if isinstance(f, dict)}
    rows: list[Row] = []
    for target in targets:
        result = by_code.pop(target.org_code, None)
        if result is not None:
            rows.append(_row(base, result))
            continue
        manifest = read_manifest(base / target.slug)
        if manifest is not None:
            outputs = {k: f"{target.slug}/{v}" for k, v in (manifest.get("outputs_index") or {}).items()}
            rows.append(Row(target.name, target.org_code, target.region or "", "earlier", _links(base, outputs)))
        elif (base / FAILED / f"{target.slug}.ipynb").is_file():
            cause = old_causes.get(target.org_code, "failed in an earlier run")
            links = [("Failed notebook", f"{FAILED}/{target.slug}.ipynb")]
            rows.append(Row(target.name, target.org_code, target.region or "", "failed", links, cause))
        else:
            rows.append(Row(target.name, target.org_code, target.region or "", "missing"))
    rows += [_row(base, r) for r in results if not r.org_code or r.org_code in by_code]
    return sorted(rows, key=lambda r: (r.region == "", r.region, r.name.lower()))


def _row(base: Path, result: Result) -> Row:
    links = _links(base, result.outputs)
    if result.failed_notebook and (base / result.failed_notebook).is_file():
        links.append(("Failed notebook", result.failed_notebook))
    return Row(result.name, result.org_code, result.region or "", result.status, links, result.cause)


def write_index(project: Project, year: int, results: Sequence[Result], *, seconds: float | None = None) -> Path:
    """Write ``reports/<year>/index.html`` (atomically) and return its path."""
    base = project.reports_dir(year)
    rows = index_rows(project, year, results)
    body = []
    for row in rows:
        links = " · ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in row.links)
        body.append(
            f'<tr class="{row.status}"><td>{html.escape(row.name)}</td><td>{html.escape(row.org_code)}</td>'
            f"<td>{html.escape(row.region)}</td>"
            f'<td><span class="status">{html.escape(row.status if row.status in ("ok", "skipped", "failed") else "-")}'
            f"</span> {html.escape(STATUS_TEXT.get(row.status, row.status))}</td>"
            f"<td>{links}</td><td>{html.escape(row.cause)}</td></tr>"
        )
    tally = {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed")}
    when = datetime.now(timezone.utc).strftime("%d %B %Y %H:%M UTC")
    took = f" in {seconds:.0f} seconds" if seconds is not None else ""
    page = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Social Work Health Check {year}: reports</title>
<style>
body {{ font-family: Arial, 'Liberation Sans', sans-serif; margin: 2rem; color: #1b1b1b; line-height: 1.4; }}
table {{ border-collapse: collapse; width: 100%; }}
caption {{ text-align: left; font-weight: bold; padding: .5rem 0; }}
th, td {{ border: 1px solid #b1b4b6; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f2f1; }}
tr.failed td {{ background: #fbeaea; }}
.status {{ font-weight: bold; }}
tr.failed .status {{ color: #942514; }}
a {{ color: #1d70b8; }}
</style></head><body>
<h1>Social Work Health Check {year}: reports</h1>
<p>{len(rows)} organisations. Last run: {tally['ok']} built, {tally['skipped']} up to date,
{tally['failed']} failed{took}; updated {html.escape(when)}. The run's details are in
<a href="run-record.json">run-record.json</a>.</p>
<table><caption>Reports by organisation</caption>
<thead><tr><th scope="col">Organisation</th><th scope="col">Code</th><th scope="col">Region</th>
<th scope="col">Status</th><th scope="col">Outputs</th><th scope="col">Problem</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
</body></html>
"""
    base.mkdir(parents=True, exist_ok=True)
    path = base / INDEX
    tmp = base / f".{INDEX}.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
