"""The regional report: the region against England, its organisations' spread, and naming only by consent.

The hand-made tables come from test_national (three reporting organisations in the North West,
Halton 80, Warrington 70, Blackburn with Darwen 60 in every area but Tensions; Bolton too small;
two in the North East). The slow test at the end executes notebooks 06 and 07 on the sample data
with papermill and renders them.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import OTHER_AREAS, read_all
from scipy import stats
from test_national import GROUPS, MEANS, make_view

from healthcheck.charts import distributions as charts
from healthcheck.errors import InputError, ParameterError
from healthcheck.findings.regional import headline, notes, unnamed_note
from healthcheck.publish.display import TableSpec
from healthcheck.reference.organisations import load_organisations
from healthcheck.views.consent import load_consent, read_consent
from healthcheck.views.regional import (
    build_regional_view,
    comparison,
    comparison_table,
    distribution,
    named_table,
    resolve_region,
    spread_shown,
    unlabelled_scores,
)

HALTON, WARRINGTON, BLACKBURN, BOLTON = "E06000006", "E06000007", "E06000008", "E08000001"
UNNAMED = ["Warrington", "Blackburn", "Bolton", WARRINGTON, BLACKBURN, BOLTON]


def regional(region: str = "North West", consent: set[str] | None = None):
    return build_regional_view(make_view(), region, consent or set())


# --------------------------------------------------------------------------------------
# the region against England
# --------------------------------------------------------------------------------------
def rest_of_england(area: str) -> tuple[int, float, float]:
    """The North East and the rest together: n, mean, sd, worked out from their groups."""
    (n1, s1), (n2, s2) = GROUPS["North East"], GROUPS["rest"]
    m1, m2 = MEANS["North East"][area], MEANS["rest"][area]
    n = n1 + n2
    m = (n1 * m1 + n2 * m2) / n
    ss = (n1 - 1) * s1**2 + (n2 - 1) * s2**2 + n1 * (m1 - m) ** 2 + n2 * (m2 - m) ** 2
    return n, m, math.sqrt(ss / (n - 1))


def test_region_is_tested_against_the_rest_of_england():
    comp = comparison(regional()).set_index("area")
    # the rest of England: 300 respondents with mean 70 and sd sqrt((49 * 121 + 249 * 144) / 299)
    n, m, sd = rest_of_england("s1")
    assert (n, m, sd) == (300, 70.0, pytest.approx(math.sqrt((49 * 121 + 249 * 144) / 299)))
    expected = stats.ttest_ind_from_stats(80.0, 10.0, 100, m, sd, n, equal_var=False)
    assert comp.loc["s1", "t_stat"] == pytest.approx(expected.statistic, rel=1e-9)
    assert comp.loc["s1", "p_value"] == pytest.approx(expected.pvalue, rel=1e-6)
    assert comp.loc["s1", "significance"] == "above"
    assert comp.loc["s6", "significance"] == "below"  # 60 against 70
    assert comp.loc["s2", "t_stat"] == pytest.approx(0.0, abs=1e-9)  # 70 against 70
    assert comp.loc["s2", "significance"] == "no difference"
    assert comp.loc["s1", "diff_national"] == pytest.approx(80 - 72.5)


def test_comparison_table_beside_england():
    table = comparison_table(regional())
    assert table.columns.tolist() == [
        "Area", "Base (n)", "North West score", "North West rating", "England score", "England rating",
        "Difference from England", "Compared with the rest of England",
    ]  # fmt: skip
    s1 = table.iloc[0]
    # 80 against 72.5, shown 73: a difference of 7 as printed
    assert s1[["Base (n)", "North West score", "North West rating", "England rating"]].tolist() == [
        100, 80.0, "Green (sustain)", "Amber (monitor)"]  # fmt: skip
    assert s1["Difference from England"] == 7
    assert s1["Compared with the rest of England"] == "Significantly above"
    cpd = table.iloc[5]
    assert (cpd["Difference from England"], cpd["Compared with the rest of England"]) == (
        60 - 68,
        "Significantly below",
    )
    assert table.iloc[1]["Compared with the rest of England"] == "No significant difference"


def test_resolve_region_reads_any_case_and_refuses_unknown_names():
    assert resolve_region("north west") == "North West"
    assert resolve_region("Yorkshire and the Humber") == "Yorkshire and The Humber"
    assert resolve_region("The East of England") == "East of England"
    with pytest.raises(ParameterError, match="no English region is called 'Narnia'"):
        resolve_region("Narnia")


# --------------------------------------------------------------------------------------
# naming and the spread
# --------------------------------------------------------------------------------------
def test_only_consenting_reporting_organisations_are_named():
    view = regional(consent={HALTON, BOLTON})  # Bolton consents but has 7 responses
    assert view.named() == [HALTON]
    assert view.unnamed() == [WARRINGTON, BLACKBURN]
    table = named_table(view)
    assert table["Organisation"].tolist() == ["Halton"]
    assert table.columns.tolist()[:3] == ["Organisation", "Overall score", "1. Social work framework"]
    assert table.iloc[0]["Overall score"] == 80.0 and table.iloc[0]["1. Social work framework"] == 80.0
    other = named_table(view, OTHER_AREAS)
    assert other.columns.tolist() == ["Organisation", "COVID", "Employee contribution", "Tensions",
                                      "Overall satisfaction", "Desire to stay"]  # fmt: skip
    assert other.iloc[0]["Tensions"] == 40.0


def test_without_consent_nobody_is_named():
    view = regional(consent=set())
    assert view.named() == [] and named_table(view).empty


def test_named_organisations_sorted_by_name_not_score():
    table = named_table(regional(consent={HALTON, WARRINGTON, BLACKBURN}))
    assert table["Organisation"].tolist() == ["Blackburn with Darwen", "Halton", "Warrington"]
    assert table["Overall score"].tolist() == [60.0, 80.0, 70.0]


def test_spread_needs_min_region_orgs_and_no_lone_unnamed_organisations():
    # three reporting, none named: shown
    assert spread_shown(regional(consent=set()))[0]
    # all three named: shown
    assert spread_shown(regional(consent={HALTON, WARRINGTON, BLACKBURN}))[0]
    # one named, two unnamed: two unnamed are fewer than min_region_orgs (3), so hidden
    shown, reason = spread_shown(regional(consent={HALTON}))
    assert not shown and reason.startswith("Only 2 of the region's reporting organisations have not agreed")
    assert distribution(regional(consent={HALTON})).empty
    assert unlabelled_scores(regional(consent={HALTON})) == {}
    # two named, one unnamed: hidden
    assert not spread_shown(regional(consent={HALTON, WARRINGTON}))[0]
    # the North East has two reporting organisations: never shown
    shown, reason = spread_shown(regional("North East"))
    assert not shown and "Fewer than 3 organisations in the North East had enough responses to report (2)" in reason


def test_region_distribution_worked_out_by_hand():
    view = regional(consent=set())
    table = distribution(view)
    s1 = table.iloc[0]
    assert [s1[c] for c in ("Organisations", "Lowest", "Lower quartile", "Median", "Upper quartile", "Highest")] == [
        3, 60.0, 65.0, 70.0, 75.0, 80.0]  # fmt: skip
    assert [s1["Rated Green"], s1["Rated Amber"], s1["Rated Red"]] == [1, 2, 0]
    assert unlabelled_scores(view)["s1"] == (60.0, 70.0, 80.0)
    assert unlabelled_scores(view)["tensions"] == (30.0, 40.0, 45.0)


def test_headline_of_the_region():
    lines = headline(regional(consent={HALTON}))
    assert lines[0] == (
        "In the North West, 74 social workers from 4 organisations (4 councils) responded to the 2020 Social Work "
        "Health Check, out of 146 across England."
    )
    assert lines[2] == (
        "The North West's highest scoring standards were Social work framework and Professional registration "
        "(both 80) and its lowest CPD (60)."
    )
    assert (
        lines[3]
        == "The North West scored significantly above the rest of England on Social work framework and significantly below it on CPD."
    )
    assert (
        lines[4]
        == "Of the 3 organisations with enough responses to report, 1 agreed to be named in this report; the other 2 appear only as unnamed values."
    )


def _report_text(view) -> str:
    """Everything the regional notebook shows for a view, as the renderer receives it."""
    parts = [*list(headline(view)), unnamed_note(view), notes(view), spread_shown(view)[1]]
    frames = {"cmp": comparison_table(view), "dist": distribution(view), "named": named_table(view),
              "named2": named_table(view, OTHER_AREAS)}  # fmt: skip
    for name, frame in frames.items():
        if not frame.empty:
            parts.append(TableSpec.from_frame(frame, name=name, title="t", source="s").to_markdown())
    made = [charts.region_comparison(view)]
    if spread_shown(view)[0]:
        made.append(charts.region_distribution(view))
        parts.append(charts.region_distribution_alt(view))
    parts.append(charts.region_comparison_alt(view))
    parts += [chart.figure.to_json() + chart.title + chart.alt for chart in made]
    return "\n".join(parts)


@pytest.mark.parametrize("consent", [{HALTON}, set(), {HALTON, BOLTON}])
def test_unconsented_names_and_codes_never_appear(consent):
    text = _report_text(regional(consent=consent))
    for word in UNNAMED:
        assert word not in text
    assert ("Halton" in text) == (HALTON in consent)
    assert HALTON not in text  # codes are never shown, even for named organisations


def test_region_distribution_chart_has_bare_dots():
    view = regional(consent=set())
    chart = charts.region_distribution(view)
    assert chart.name == "region_distribution_chart"
    fig = chart.figure
    dots = fig.data[0]
    assert dots.hoverinfo == "skip" and dots.text is None and dots.hovertext is None
    assert sorted(x for x, y in zip(dots.x, dots.y, strict=True) if round(y) == 0) == [60.0, 70.0, 80.0]
    with pytest.raises(Exception, match="Only 2 of the region's"):
        charts.region_distribution(regional(consent={HALTON}))


def test_region_comparison_chart_marks_region_and_england_apart():
    chart = charts.region_comparison(regional())
    assert chart.name == "region_comparison" and "in each of the 8 standards and 5 other areas" in chart.alt
    fig = chart.figure
    assert [t.name for t in fig.data] == ["England", "North West (with 95% confidence interval)"]
    assert [t.marker.symbol for t in fig.data] == ["circle-open", "square"]
    assert fig.data[1].x[0] == 80.0 and chart.title.startswith("The North West compared with England")


# --------------------------------------------------------------------------------------
# the consent file
# --------------------------------------------------------------------------------------
@pytest.fixture
def orgs(project):
    return load_organisations(project)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "consent_to_be_named.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_consent_file_read_and_checked(tmp_path, orgs):
    path = write(
        tmp_path,
        "org_code,consent,date,source\ne06000006,Yes,2021-01-18,e-mail\n\nE06000007,no,,\nE06000008,yes,12/01/2021,\n",
    )
    consent = read_consent(path, orgs)
    assert consent["org_code"].tolist() == ["E06000006", "E06000007", "E06000008"]
    assert consent["consent"].tolist() == [True, False, True]
    assert [str(d) for d in consent["date"]] == ["2021-01-18", "None", "2021-01-12"]
    assert consent["source"].tolist() == ["e-mail", "", ""]


def test_missing_consent_file_names_nobody(tmp_path, orgs):
    assert read_consent(tmp_path / "absent.csv", orgs).empty


@pytest.mark.parametrize(
    ("text", "row", "column", "message"),
    [
        (
            "org_code,consent,date,source\nE06000006,maybe,2021-01-18,x\n",
            2,
            "consent",
            "consent must be yes or no, got 'maybe'",
        ),
        (
            "org_code,consent,date,source\nE06000006,yes,,x\nE99999999,yes,,x\n",
            3,
            "org_code",
            "unknown organisation code 'E99999999'",
        ),
        (
            "org_code,consent,date,source\nE06000006,yes,,x\ne06000006,no,,x\n",
            3,
            "org_code",
            "listed twice (first on row 2)",
        ),
        ("org_code,consent,date,source\nE06000006,yes,18 Jan,x\n", 2, "date", "date must be a date such as 2021-01-12"),
        ("org_code,consent,date,source\nE06000006,yes,2021-02-30,x\n", 2, "date", "date must be a date"),
        ("org_code,consent,date,source\nE06000006,yes,,\n", 2, "date", "a consent needs a date or a source"),
        ("org_code,consent,date,source\n,yes,2021-01-01,x\n", 2, "org_code", "org_code is blank"),
        ("org_code,agreed,date\nE06000006,yes,2021-01-01\n", 1, "consent", "missing required column 'consent'"),
    ],
)
def test_consent_file_errors_name_file_row_and_column(tmp_path, orgs, text, row, column, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_consent(path, orgs)
    err = info.value
    assert (err.file, err.row, err.column) == (str(path), row, column)
    assert message in str(err)
    assert str(err).startswith(f"file {path}, row {row}, column '{column}'")


def test_project_consent_file_is_valid_and_leaves_some_out_in_every_region(project):
    consent = load_consent(project)
    orgs = load_organisations(project).set_index("org_code")
    yes = set(consent.loc[consent["consent"], "org_code"])
    assert "E06000006" in yes  # Halton
    for region, members in orgs.groupby("region").groups.items():
        named = yes & set(members)
        assert named and set(members) - named, region


# --------------------------------------------------------------------------------------
# end to end: notebooks 06 and 07 executed by papermill on the sample and rendered
# --------------------------------------------------------------------------------------
def _visible_html(path: Path) -> str:
    """The HTML without its scripts (plotly.js carries a list of world place names) but with the charts' data."""
    html = path.read_text(encoding="utf-8")
    return re.sub(r"<script[^>]*>(?:(?!</script>).){200000,}</script>", "", html, flags=re.DOTALL)


@pytest.mark.slow
def test_notebooks_06_and_07_run_on_the_sample_and_render(project, tmp_path):
    import openpyxl
    import papermill as pm

    from healthcheck import pipeline
    from healthcheck.publish.render import Renderer
    from healthcheck.synthetic.survey import write_sample

    write_sample(project, years=[2020])
    pipeline.ensure(project, 2020)
    out = tmp_path / "out"
    runs = [
        ("06-national-report.ipynb", "national", {"year": 2020, "project_root": str(project.root)}),
        (
            "07-regional-report.ipynb",
            "north-west",
            {"region": "North West", "year": 2020, "project_root": str(project.root)},
        ),
    ]
    results = {}
    with Renderer(("html", "xlsx")) as renderer:
        for notebook, slug, params in runs:
            executed = out / slug / "report.ipynb"
            executed.parent.mkdir(parents=True)
            pm.execute_notebook(str(project.notebooks_dir / notebook), str(executed), parameters=params,
                                kernel_name="python3", progress_bar=False, cwd=str(project.notebooks_dir))  # fmt: skip
            results[slug] = renderer.render(executed, out / slug)

    folder = project.processed_dir(2020)
    n_responses = len(pd.read_parquet(folder / "responses.parquet"))
    bench = read_all(folder / "benchmarks.parquet").set_index(["group", "area"])
    national_html = _visible_html(results["national"]["html"])
    assert f"Across England, {n_responses:,} social workers" in national_html
    cpd = math.floor(bench.loc[("England", "s6"), "score"] + 0.5)
    assert f"its lowest CPD ({cpd})" in national_html or f"and CPD ({cpd})" in national_html
    wb = openpyxl.load_workbook(results["national"]["xlsx"])
    contents = [r[1] for r in wb["Contents"].iter_rows(min_row=4, values_only=True)]
    for words in ("England: pooled score", "Spread of reporting organisations", "Pooled score of each region",
                  "England: how closely each standard goes", "England: share agreeing"):  # fmt: skip
        assert any(words in str(c) for c in contents), words
    assert wb.sheetnames[:4] == ["Cover", "Contents", "Notes", "Table_1"]

    # the North West: Halton consented and reports; the others that did not consent never appear
    html = _visible_html(results["north-west"]["html"])
    nb = json.loads((out / "north-west" / "report.ipynb").read_text(encoding="utf-8"))
    outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]])
    assert "Halton" in html
    ranks = read_all(folder / "ranks.parquet")
    named = set(load_consent(project).query("consent")["org_code"])
    nw = ranks[ranks["region"] == "North West"]
    hidden = nw[~nw["org_code"].isin(named) | ~nw["ranked"]]
    assert len(hidden) >= 3
    for code, name in zip(hidden["org_code"], hidden["org_name"], strict=True):
        assert not re.search(rf"\b{re.escape(name)}\b", html), name
        assert not re.search(rf"\b{re.escape(name)}\b", outputs), name
        assert code not in html
    nw_s1 = math.floor(bench.loc[("North West", "s1"), "score"] + 0.5)
    book = openpyxl.load_workbook(results["north-west"]["xlsx"])
    contents = {r[0]: str(r[1]) for r in book["Contents"].iter_rows(min_row=4, values_only=True)}
    sheet = book[next(s for s, t in contents.items() if "North West and England: pooled score" in t)]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert any(isinstance(v, float) and math.floor(v + 0.5) == nw_s1 for v in values)
    assert "The North West and England" in html


def test_a_region_without_responses_says_so():
    view = regional("London")
    assert headline(view) == [
        "No valid responses were received from organisations in London in the 2020 Social Work Health Check, "
        "so there are no regional figures."
    ]
    assert not spread_shown(view)[0] and named_table(view).empty
