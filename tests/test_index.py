"""The index pages: the reader's index of a year's published reports, the build record, and the years.

No notebook is run: report folders, manifests and results are made by hand.
"""

from __future__ import annotations

import re

import pandas as pd

from healthcheck.batch import FAILED, NOTEBOOKS, Result, write_run_record
from healthcheck.batch.index import BUILD_RECORD, index_rows, report_years, write_index, write_root_index
from healthcheck.batch.manifest import write_manifest
from healthcheck.batch.reader import file_size, reader_rows

YEAR = 2020
ROW = re.compile(r'<tr class="(\w+)"><td>([^<]*)</td><td>([^<]*)</td>')


def _setup(project) -> None:
    """Three scored organisations in two regions, notebooks 06 and 07, and a return for the year."""
    folder = project.processed_dir(YEAR)
    folder.mkdir(parents=True)
    rows = [("E06000006", "North West"), ("E08000009", "North West"), ("E09000007", "London")]
    pd.DataFrame(rows, columns=["org_code", "region"]).to_parquet(folder / "org_scores.parquet")
    for kind in ("national", "region"):
        (project.notebooks_dir / NOTEBOOKS[kind]).write_text("{}", encoding="utf-8")  # only needs to exist
    project.raw_dir(YEAR).mkdir(parents=True)
    (project.raw_dir(YEAR) / "org_return.csv").write_text("response_id\n", encoding="utf-8")


def _built(project, slug: str, name: str, code: str, kind: str = "council") -> dict[str, str]:
    """A finished report folder (HTML and notebook) with its manifest; its outputs relative to reports/<year>."""
    folder = project.reports_dir(YEAR) / slug
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<!DOCTYPE html>", encoding="utf-8")
    (folder / "report.ipynb").write_text("{}", encoding="utf-8")
    index = {"html": "report.html", "ipynb": "report.ipynb"}
    write_manifest(folder, org_code=code, name=name, year=YEAR, inputs={}, settings={}, outputs_index=index, kind=kind)
    return {k: f"{slug}/{v}" for k, v in index.items()}


def test_year_page_lists_national_and_regional_reports_first_then_councils_by_region(project):
    _setup(project)
    base = project.reports_dir(YEAR)
    results = [
        Result("E92000001", "England", "england", status="ok", kind="national",
               outputs=_built(project, "england", "England", "E92000001", "national")),
        Result("E12000002", "North West", "region-north-west", "North West", status="failed", kind="region",
               cause="ValueError: boom", failed_notebook=f"{FAILED}/region-north-west.ipynb"),
        Result("E06000006", "Halton", "halton", "North West", status="ok", outputs=_built(project, "halton", "Halton", "E06000006")),
        Result("E08000009", "Trafford", "trafford", "North West", status="skipped"),
        Result("", "Atlantis", "", status="failed", cause="UnknownOrganisationError: no organisation matches 'Atlantis'"),
    ]  # fmt: skip
    (base / FAILED).mkdir()
    (base / FAILED / "region-north-west.ipynb").write_text("{}", encoding="utf-8")
    _built(project, "camden", "Camden", "E09000007")  # built by an earlier run

    write_index(project, YEAR, results, seconds=12)
    page = (base / BUILD_RECORD).read_text(encoding="utf-8")
    assert ROW.findall(page) == [
        ("ok", "England", "E92000001"),
        ("missing", "England: organisational return", "E92000001"),
        ("missing", "London", "E12000007"),
        ("failed", "North West", "E12000002"),
        ("earlier", "Camden", "E09000007"),  # London's councils
        ("ok", "Halton", "E06000006"),  # then the North West's
        ("skipped", "Trafford", "E08000009"),
        ("failed", "Atlantis", ""),  # a name no organisation matches: last
    ]
    assert (
        page.index("National and regional reports") < page.index("<h3>London</h3>") < page.index("<h3>North West</h3>")
    )
    assert '<a href="england/report.html">HTML</a>' in page and '<a href="camden/report.html">HTML</a>' in page
    assert f'href="{FAILED}/region-north-west.ipynb"' in page and "ValueError: boom" in page
    assert "4 national or regional reports and 4 organisations" in page
    assert "2 built, 1 up to date,\n2 failed in 12 seconds" in page
    assert '<a href="index.html">The reports, for readers</a>' in page

    # the reader's index: only what is published, every format with its type and size, no status, no notebooks
    reader = (base / "index.html").read_text(encoding="utf-8")
    assert '<a href="../index.html">All years</a>' in reader
    names = re.findall(r'<tr data-name="[^"]*" data-region="([^"]*)"><th scope="row">([^<]*)</th>', reader)
    assert names == [("", "England"), ("London", "Camden"), ("North West", "Halton")]
    assert "HTML, 1 KB</a>" in reader and "Not published" in reader  # no Word file was made
    for word in ("Status", "Problem", "up to date", "run-record.json", ".ipynb", "failed"):
        assert word not in reader, word
    assert 'role="search"' in reader and '<label for="hc-q">Search by name</label>' in reader
    assert '<option value="London">London</option><option value="North West">North West</option>' in reader
    assert f'<a href="{BUILD_RECORD}">build record</a>' in reader


def test_a_report_failed_in_an_earlier_run_keeps_its_cause(project):
    _setup(project)
    base = project.reports_dir(YEAR)
    (base / FAILED).mkdir(parents=True)
    (base / FAILED / "england.ipynb").write_text("{}", encoding="utf-8")
    failed = Result("E92000001", "England", "england", status="failed", cause="KeyError: 's9'", kind="national",
                    failed_notebook=f"{FAILED}/england.ipynb")  # fmt: skip
    write_run_record(project, YEAR, [failed], seconds=1)
    rows = {r.name: r for r in index_rows(project, YEAR, [])}  # a later run that built nothing
    assert (rows["England"].status, rows["England"].cause) == ("failed", "KeyError: 's9'")
    assert rows["England"].links == [("Failed notebook", f"{FAILED}/england.ipynb")]
    assert rows["Halton"].status == "missing" and rows["Halton"].kind == "council"


def test_without_scoring_tables_only_this_runs_results_are_listed(project):
    results = [Result("", "Atlantis", "", status="failed", cause="no match")]
    rows = index_rows(project, YEAR, results)
    assert [(r.name, r.status) for r in rows] == [("Atlantis", "failed")]


def test_root_page_lists_the_years_with_reports_newest_first(project):
    _setup(project)
    write_run_record(project, YEAR, [Result("E06000006", "Halton", "halton", status="ok")], seconds=3)
    _built(project, "halton", "Halton", "E06000006")
    write_index(project, YEAR, [])
    write_index(project, 2019, [])  # a year with no published report: its page, but not in the list of years
    (project.reports_root / "2018").mkdir()  # no index page: not listed
    (project.reports_root / "scratch").mkdir()
    assert report_years(project) == [2020]
    page = (project.reports_root / "index.html").read_text(encoding="utf-8")
    years = re.findall(
        r'<tr><th scope="row"><a href="(\d{4})/index.html">(\d{4})</a></th><td>(\d+)</td><td>(\d+)</td>', page
    )
    assert years == [("2020", "2020", "0", "1")]
    assert "2019" not in page and "2018" not in page and "scratch" not in page
    # a year's folder deleted: the page of the years, written again, no longer lists it
    import shutil

    shutil.rmtree(project.reports_dir(YEAR))
    assert "2020" not in write_root_index(project).read_text(encoding="utf-8")


def test_root_page_with_no_reports(project):
    path = write_root_index(project)
    assert "No reports have been published yet" in path.read_text(encoding="utf-8")


def test_file_sizes_and_reader_rows(project):
    assert [file_size(n) for n in (10, 2048, 900 * 1024, 3 * 1024 * 1024 + 300_000)] == [
        "1 KB",
        "2 KB",
        "900 KB",
        "3.3 MB",
    ]
    _setup(project)
    _built(project, "england", "England", "E92000001", "national")
    rows = reader_rows(project, YEAR)
    assert [(r.name, r.kind, r.region, [f for f, _, _ in r.links]) for r in rows] == [
        ("England", "national", "", ["html"])
    ]
