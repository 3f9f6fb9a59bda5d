"""The build record page, for the analysts who run the batch: every report of a year and its state.

``reports/<year>/build-record.html`` lists first the national and regional reports (the national
worker-survey report, the national report of the organisational return, one per region), then
every organisation in the year's scoring tables by region (and any name a run could not
match), whether or not this run touched it: a report this run did not build shows the state
of its folder (built earlier, or not built), with its seconds, its executed notebook and the
cause of a failure; ``run-record.json`` beside it has the run's details. Readers land on the
reader's index instead (:mod:`healthcheck.batch.reader`): :func:`write_index` writes both, and
the page of the years.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from healthcheck.batch.build import FAILED
from healthcheck.batch.manifest import read_manifest
from healthcheck.batch.reader import NO_REGION, report_years, write_reader_index, write_root_index
from healthcheck.batch.record import RUN_RECORD, counts, read_run_record
from healthcheck.batch.targets import INDEX, KINDS, Result, Target, resolve_targets, special_targets
from healthcheck.config import Project
from healthcheck.errors import HealthcheckError
from healthcheck.files import atomic_write_text

#: The build record's page, beside the reader's index.
BUILD_RECORD = "build-record.html"
LABELS = {"html": "HTML", "docx": "Word", "pdf": "PDF", "xlsx": "Spreadsheet", "ipynb": "Notebook"}
STATUS_TEXT = {
    "ok": "built in this run",
    "skipped": "up to date (not rebuilt)",
    "failed": "failed",
    "earlier": "built in an earlier run",
    "missing": "not built yet",
}
KIND_LABEL = {
    "national": "National report (worker survey)",
    "return": "National report (organisational return)",
    "region": "Regional report",
    "council": "Council report",
}

STYLE = """body { font-family: Arial, 'Liberation Sans', sans-serif; margin: 2rem; color: #1b1b1b; line-height: 1.4; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
caption { text-align: left; font-weight: bold; padding: .5rem 0; }
th, td { border: 1px solid #b1b4b6; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f2f1; }
tr.failed td { background: #fbeaea; }
.status { font-weight: bold; }
tr.failed .status { color: #942514; }
a { color: #1d70b8; }"""


@dataclass
class Row:
    """One report's line on the index page."""

    name: str
    org_code: str
    region: str
    status: str  # ok / skipped / failed / earlier / missing
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href relative to the page)
    cause: str = ""
    kind: str = "council"
    seconds: float | None = None


def _links(base: Path, outputs: dict[str, str]) -> list[tuple[str, str]]:
    links = []
    for key, label in LABELS.items():
        rel = outputs.get(key)
        if rel and (base / rel).is_file():
            links.append((label, rel))
    return links


def _all_targets(project: Project, year: int) -> list[Target]:
    """Every report the year could have: national, return and regional ones, then every organisation."""
    try:
        specials, _ = special_targets(project, year)
    except HealthcheckError:
        specials = []
    try:
        councils, _ = resolve_targets(project, year, None)
    except HealthcheckError:  # no scoring tables: list this run's results alone
        councils = []
    return [*specials, *councils]


def index_rows(project: Project, year: int, results: Sequence[Result]) -> list[Row]:
    """A row for every report the year has or could have, and every result of this run.

    Sorted: national and regional reports first (national, return, then regions by name),
    then councils by region and name, organisations without a region last.
    """
    base = project.reports_dir(year)
    by_slug = {r.slug: r for r in results if r.slug}
    previous = read_run_record(project, year) or {}
    old_causes = {
        f.get("notebook"): f.get("cause", "")
        for f in previous.get("failures", [])
        if isinstance(f, dict) and f.get("notebook")
    }
    rows: list[Row] = []
    for target in _all_targets(project, year):
        region = target.region or ""
        result = by_slug.pop(target.slug, None)
        if result is not None:
            rows.append(_row(base, result))
            continue
        manifest = read_manifest(base / target.slug)
        failed = f"{FAILED}/{target.slug}.ipynb"
        if manifest is not None:
            outputs = {k: f"{target.slug}/{v}" for k, v in (manifest.get("outputs_index") or {}).items()}
            rows.append(Row(target.name, target.org_code, region, "earlier", _links(base, outputs), kind=target.kind))
        elif (base / failed).is_file():
            cause = old_causes.get(failed, "failed in an earlier run")
            rows.append(
                Row(target.name, target.org_code, region, "failed", [("Failed notebook", failed)], cause, target.kind)
            )
        else:
            rows.append(Row(target.name, target.org_code, region, "missing", kind=target.kind))
    rows += [_row(base, r) for r in results if not r.slug or r.slug in by_slug]
    return sorted(rows, key=_order)


def _order(row: Row) -> tuple:
    kind = KINDS.index(row.kind) if row.kind in KINDS else len(KINDS)
    return (kind, row.region == "", row.region, row.name.lower())


def _row(base: Path, result: Result) -> Row:
    links = _links(base, result.outputs)
    if result.failed_notebook and (base / result.failed_notebook).is_file():
        links.append(("Failed notebook", result.failed_notebook))
    kind = getattr(result, "kind", "council")
    return Row(result.name, result.org_code, result.region or "", result.status, links, result.cause, kind,
               result.seconds if result.status != "skipped" else None)  # fmt: skip


def _tr(row: Row, *, first: str) -> str:
    links = " · ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in row.links)
    status = html.escape(row.status if row.status in ("ok", "skipped", "failed") else "-")
    return (
        f'<tr class="{row.status}"><td>{html.escape(row.name)}</td><td>{html.escape(row.org_code)}</td>'
        f"<td>{html.escape(first)}</td>"
        f'<td><span class="status">{status}</span> {html.escape(STATUS_TEXT.get(row.status, row.status))}</td>'
        f"<td>{links}</td><td>{'' if row.seconds is None else f'{row.seconds:.1f}'}</td><td>{html.escape(row.cause)}</td></tr>"
    )


def _table(caption: str, third: str, lines: list[str]) -> str:
    return (
        f"<table><caption>{html.escape(caption)}</caption>\n"
        f'<thead><tr><th scope="col">Report</th><th scope="col">Code</th><th scope="col">{html.escape(third)}</th>'
        '<th scope="col">Status</th><th scope="col">Outputs</th><th scope="col">Seconds</th><th scope="col">Problem</th>'
        "</tr></thead>\n"
        "<tbody>\n" + "\n".join(lines) + "\n</tbody></table>"
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{STYLE}\n</style></head><body>\n{body}\n</body></html>\n"
    )


def write_index(project: Project, year: int, results: Sequence[Result], *, seconds: float | None = None) -> Path:
    """Write the year's build record and reader's index, and ``reports/index.html`` (atomically);
    returns the reader's index of the year."""
    base = project.reports_dir(year)
    rows = index_rows(project, year, results)
    specials = [r for r in rows if r.kind != "council"]
    councils = [r for r in rows if r.kind == "council"]
    sections = []
    if specials:
        lines = [_tr(r, first=KIND_LABEL.get(r.kind, r.kind)) for r in specials]
        sections.append(
            "<h2>National and regional reports</h2>\n" + _table("National and regional reports", "Kind", lines)
        )
    if councils:
        sections.append("<h2>Council reports by region</h2>")
        regions = list(dict.fromkeys(r.region for r in councils))
        for region in regions:
            label = region or NO_REGION
            lines = [_tr(r, first=label) for r in councils if r.region == region]
            sections.append(f"<h3>{html.escape(label)}</h3>\n" + _table(f"Council reports: {label}", "Region", lines))
    tally = counts(results)
    when = datetime.now(UTC).strftime("%d %B %Y %H:%M UTC")
    took = f" in {seconds:.0f} seconds" if seconds is not None else ""
    body = (
        f'<p><a href="{INDEX}">The reports, for readers</a></p>\n'
        f"<h1>Social Work Health Check {year}: build record</h1>\n"
        f"<p>{_count(len(specials), 'national or regional report')} and {_count(len(councils), 'organisation')}. Last run: "
        f"{tally['ok']} built, {tally['skipped']} up to date,\n{tally['failed']} failed{took}; updated "
        f'{html.escape(when)}. The run\'s details are in\n<a href="{RUN_RECORD}">{RUN_RECORD}</a>.</p>\n'
        + "\n".join(sections)
    )
    atomic_write_text(base / BUILD_RECORD, _page(f"Social Work Health Check {year}: build record", body))
    path = write_reader_index(project, year, build_record=BUILD_RECORD)
    write_root_index(project)
    return path


__all__ = ["BUILD_RECORD", "INDEX", "Row", "index_rows", "report_years", "write_index", "write_root_index"]
