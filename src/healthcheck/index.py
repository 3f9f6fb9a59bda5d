"""The index page of a year's reports: every organisation, its status and its outputs."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from .batch import Result
from .config import Project
from .files import atomic_write_text

LABELS = {"html": "HTML", "docx": "Word", "pdf": "PDF", "xlsx": "Spreadsheet", "ipynb": "Notebook"}


def write_index(project: Project, year: int, results: Sequence[Result], *, seconds: float | None = None) -> Path:
    """Write ``reports/<year>/index.html`` (self-contained, no scripts) and return its path."""
    base = project.reports_dir(year)
    rows = []
    for r in sorted(results, key=lambda r: (r.region or "~", r.name)):
        links = []
        for key, label in LABELS.items():
            target = r.outputs.get(key)
            if target and Path(target).is_file():
                rel = os.path.relpath(target, base)
                links.append(f'<a href="{html.escape(rel)}">{label}</a>')
        status = {"ok": "Done", "skipped": "Up to date", "failed": "Failed"}.get(r.status, r.status)
        rows.append(
            "<tr>"
            f"<td>{html.escape(r.name)}</td><td>{html.escape(r.org_code)}</td>"
            f"<td>{html.escape(r.region or '')}</td><td class='{r.status}'>{status}</td>"
            f"<td>{' · '.join(links)}</td><td>{html.escape(r.cause)}</td>"
            "</tr>"
        )
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed")}
    when = datetime.now(timezone.utc).strftime("%d %B %Y %H:%M UTC")
    took = f" in {seconds:.0f} seconds" if seconds is not None else ""
    page = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Social Work Health Check {year}: reports</title>
<style>
body {{ font-family: Arial, 'Liberation Sans', sans-serif; margin: 2rem; color: #1b1b1b; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #b1b4b6; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f2f1; }}
td.failed {{ font-weight: bold; color: #942514; }}
</style></head><body>
<h1>Social Work Health Check {year}: reports</h1>
<p>{len(results)} organisations: {counts['ok']} built, {counts['skipped']} up to date, {counts['failed']} failed{took}.
Updated {when}.</p>
<table><caption>Reports by organisation</caption>
<thead><tr><th scope="col">Organisation</th><th scope="col">Code</th><th scope="col">Region</th>
<th scope="col">Status</th><th scope="col">Outputs</th><th scope="col">Problem</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""
    return atomic_write_text(base / "index.html", page)
