"""The reader's index: the page a reader lands on, listing every published report of a year.

``reports/<year>/index.html`` lists the reports whose folders hold a finished report (a
manifest and its documents): national and regional first, then every council by region and
name, each with links to every format it comes in, with the file's type and size. A search box
and a region filter narrow the list (a few lines of script; without it every report is listed).
The page says who publishes the reports and whom to ask (``params/publication.yaml``). What a
run did (status, timings, failures) is the build record's business
(:mod:`healthcheck.batch.index`), not this page's. ``reports/index.html`` lists the years that
have reports, newest first. Self-contained pages, relative links, so the folder can be copied
or zipped as it is.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from healthcheck.batch.manifest import read_manifest
from healthcheck.batch.targets import INDEX, KINDS
from healthcheck.config import Project
from healthcheck.errors import ParameterError
from healthcheck.files import atomic_write_text
from healthcheck.params import Publication, load_publication

#: The formats a reader is offered, in order: (words, file type).
READER_FORMATS = {"html": ("Web page", "HTML"), "docx": ("Word", "DOCX"), "pdf": ("PDF", "PDF"),
                  "xlsx": ("Spreadsheet", "XLSX")}  # fmt: skip
KIND_WORDS = {
    "national": "National report",
    "return": "National report (organisational return)",
    "region": "Regional report",
    "council": "Local report",
}
NO_REGION = "No region"
_YEAR = re.compile(r"^(19|20)\d{2}$")

STYLE = """body { font-family: Arial, 'Liberation Sans', sans-serif; margin: 0; color: #1a1a1a; line-height: 1.5;
  font-size: 1.0625rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { color: #1d3557; font-size: 2rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
p { max-width: 48rem; }
a { color: #1d4f91; }
a:focus, input:focus, select:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
form { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-end; margin: 1.5rem 0 0.5rem; }
form[hidden] { display: none; }
label { display: block; font-weight: bold; margin-bottom: 0.25rem; }
input, select { font: inherit; padding: 0.35rem 0.5rem; border: 2px solid #1a1a1a; border-radius: 0; }
input { width: 18rem; max-width: 80vw; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.95rem; }
caption { text-align: left; font-weight: bold; font-size: 1.1rem; padding: 0.5rem 0; }
th, td { border: 1px solid #8c8c8c; padding: 0.4rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #e3e8ef; border-bottom: 2px solid #404040; }
tbody th { font-weight: bold; }
.hc-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { max-width: 72rem; margin: 0 auto; padding: 0 1.5rem 2rem; font-size: 0.9rem; color: #404040; }
@media print { form, footer { display: none; } main { max-width: none; padding: 0; } a { color: inherit; } }"""

# Narrows the table by name and region; announces the count. Without it, every report shows.
SCRIPT = """(function () {
  var form = document.getElementById('hc-filter');
  var q = document.getElementById('hc-q');
  var region = document.getElementById('hc-region');
  var count = document.getElementById('hc-count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#hc-reports tbody tr'));
  form.hidden = false;
  function update() {
    var words = q.value.trim().toLowerCase();
    var where = region.value;
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!words || row.getAttribute('data-name').indexOf(words) !== -1) &&
               (!where || row.getAttribute('data-region') === where);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = 'Showing ' + shown + ' of ' + rows.length + ' reports.';
  }
  form.addEventListener('submit', function (event) { event.preventDefault(); update(); });
  q.addEventListener('input', update);
  region.addEventListener('change', update);
  update();
})();"""


@dataclass
class ReaderRow:
    """One published report on the reader's index: its links are (format, href, bytes)."""

    name: str
    kind: str
    region: str
    links: list[tuple[str, str, int]] = field(default_factory=list)


def file_size(size: int) -> str:
    """'820 KB', '1.4 MB': a file's size as a reader reads it."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def reader_rows(project: Project, year: int) -> list[ReaderRow]:
    """Every report folder of the year with a manifest and its documents, in the index's order."""
    base = project.reports_dir(year)
    regions = _regions(project)
    rows = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
        if folder.name.startswith((".", "_")):
            continue
        manifest = read_manifest(folder)
        if not manifest:
            continue
        outputs = manifest.get("outputs_index") or {}
        links = []
        for fmt in READER_FORMATS:
            rel = outputs.get(fmt)
            path = folder / rel if isinstance(rel, str) else None
            if path is not None and path.is_file():
                links.append((fmt, f"{folder.name}/{rel}", path.stat().st_size))
        if links:
            kind = str(manifest.get("kind") or "council")
            region = (
                str(manifest.get("name") or "") if kind == "region" else regions.get(str(manifest.get("org_code")), "")
            )
            region = region if kind in ("council", "region") else ""
            rows.append(ReaderRow(str(manifest.get("name") or folder.name), kind, region, links))
    return sorted(rows, key=lambda r: (KINDS.index(r.kind) if r.kind in KINDS else len(KINDS), r.region == "",
                                       r.region, r.name.lower()))  # fmt: skip


def _regions(project: Project) -> dict[str, str]:
    """Each organisation's region, by code, from the reference data (empty when it cannot be read)."""
    from healthcheck.reference.organisations import load_organisations

    try:
        orgs = load_organisations(project)
    except (OSError, ValueError, KeyError, ParameterError):
        return {}
    return {str(c): str(r) for c, r in zip(orgs["org_code"], orgs["region"], strict=True) if isinstance(r, str) and r}


def _publication(project: Project) -> Publication | None:
    try:
        return load_publication(project)
    except ParameterError:
        return None


def _page(title: str, body: str, script: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{STYLE}\n</style></head><body>\n{body}\n"
        + (f"<script>\n{script}\n</script>\n" if script else "")
        + "</body></html>\n"
    )


def _about(publication: Publication | None, year: int | None = None) -> str:
    if publication is None:
        return ""
    c = publication.contact
    phone = f", telephone {html.escape(c.phone)}" if c.phone else ""
    when = f" {year}" if year else ""
    return (
        f"<p>The reports of the {html.escape(publication.survey)}{when}, published by the "
        f"{html.escape(publication.publisher)}. Each report is a web page, a Word document, a PDF and a spreadsheet "
        "of its tables.</p>\n"
        f'<p>Contact: {html.escape(c.team)}, <a href="mailto:{html.escape(c.email, quote=True)}">'
        f"{html.escape(c.email)}</a>{phone}. {html.escape(publication.alternative_formats)}</p>\n"
    )


def _row(row: ReaderRow) -> str:
    cells = []
    by_format = {fmt: (href, size) for fmt, href, size in row.links}
    for fmt, (words, kind) in READER_FORMATS.items():
        if fmt not in by_format:
            cells.append("<td>Not published</td>")
            continue
        href, size = by_format[fmt]
        cells.append(
            f'<td><a href="{html.escape(href, quote=True)}"><span class="hc-hidden">{html.escape(row.name)}, '
            f"{html.escape(words.lower())}: </span>{kind}, {file_size(size)}</a></td>"
        )
    region = row.region or ("" if row.kind in ("national", "return") else NO_REGION)
    return (
        f'<tr data-name="{html.escape(row.name.lower(), quote=True)}" data-region="{html.escape(row.region, quote=True)}">'
        f'<th scope="row">{html.escape(row.name)}</th><td>{html.escape(KIND_WORDS.get(row.kind, row.kind))}</td>'
        f"<td>{html.escape(region or 'England')}</td>{''.join(cells)}</tr>"
    )


def write_reader_index(project: Project, year: int, *, build_record: str | None = None) -> Path:
    """Write ``reports/<year>/index.html``, the reader's index of the year's published reports."""
    rows = reader_rows(project, year)
    publication = _publication(project)
    survey = publication.survey if publication else "Social Work Health Check"
    title = f"{survey} {year}: reports"
    regions = sorted({r.region for r in rows if r.region})
    options = "".join(f'<option value="{html.escape(r, quote=True)}">{html.escape(r)}</option>' for r in regions)
    heads = "".join(f'<th scope="col">{html.escape(words)}</th>' for words, _ in READER_FORMATS.values())
    table = (
        f'<table id="hc-reports"><caption>Reports of {year}: national, regional and local</caption>\n'
        f'<thead><tr><th scope="col">Report</th><th scope="col">Kind</th><th scope="col">Region</th>{heads}</tr></thead>\n'
        "<tbody>\n" + "\n".join(_row(r) for r in rows) + "\n</tbody></table>"
        if rows
        else "<p>No report of this year has been published yet.</p>"
    )
    search = (
        '<form id="hc-filter" role="search" hidden>\n'
        '<div><label for="hc-q">Search by name</label><input id="hc-q" type="search" autocomplete="off"></div>\n'
        f'<div><label for="hc-region">Region</label><select id="hc-region"><option value="">All regions</option>{options}'
        "</select></div>\n</form>\n"
        '<p id="hc-count" role="status"></p>\n'
        if rows
        else ""
    )
    footer = (
        f'<footer><p>For the analysts who produce these reports: <a href="{html.escape(build_record)}">build record</a>.'
        "</p></footer>"
        if build_record
        else ""
    )
    body = (
        f'<main id="main">\n<p><a href="../{INDEX}">All years</a></p>\n<h1>{html.escape(title)}</h1>\n'
        f"{_about(publication, year)}{search}{table}\n</main>\n{footer}"
    )
    return atomic_write_text(project.reports_dir(year) / INDEX, _page(title, body, SCRIPT if rows else ""))


def report_years(project: Project) -> list[int]:
    """Years whose folder under ``reports/`` has an index page and at least one published report, newest first."""
    root = project.reports_root
    if not root.is_dir():
        return []
    years = [int(p.name) for p in root.iterdir() if p.is_dir() and _YEAR.match(p.name) and (p / INDEX).is_file()]
    return sorted((y for y in years if reader_rows(project, y)), reverse=True)


def write_root_index(project: Project) -> Path:
    """Write ``reports/index.html``: every year that has reports, newest first, with how many."""
    publication = _publication(project)
    survey = publication.survey if publication else "Social Work Health Check"
    lines = []
    for year in report_years(project):
        rows = reader_rows(project, year)
        councils = sum(r.kind == "council" for r in rows)
        lines.append(
            f'<tr><th scope="row"><a href="{year}/{INDEX}">{year}</a></th><td>{len(rows) - councils}</td>'
            f"<td>{councils}</td></tr>"
        )
    table = (
        "<table><caption>Reports by survey year</caption>\n"
        '<thead><tr><th scope="col">Survey year</th><th scope="col">National and regional reports</th>'
        '<th scope="col">Local reports</th></tr></thead>\n<tbody>\n' + "\n".join(lines) + "\n</tbody></table>"
        if lines
        else "<p>No reports have been published yet.</p>"
    )
    title = f"{survey}: reports"
    body = f'<main id="main">\n<h1>{html.escape(title)}</h1>\n{_about(publication)}{table}\n</main>'
    return atomic_write_text(project.reports_root / INDEX, _page(title, body))


__all__ = [
    "KIND_WORDS", "READER_FORMATS", "ReaderRow", "file_size", "reader_rows", "report_years",
    "write_reader_index", "write_root_index",
]  # fmt: skip
