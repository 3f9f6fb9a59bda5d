"""The committee paper draft: its structure, every figure from the data, boiler plate, house style, appendix."""

from __future__ import annotations

import os
import re
import shutil

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from typer.testing import CliRunner

from healthcheck import catalogue, pipeline
from healthcheck.cli import app
from healthcheck.config import Project
from healthcheck.errors import InputError, ParameterError
from healthcheck.findings import council as findings
from healthcheck.paper import build_paper, load_boilerplate, make_paper
from healthcheck.paper.content import todo
from healthcheck.synthetic.returns import write_return
from healthcheck.synthetic.survey import write_sample
from healthcheck.views.council import load_council_view

runner = CliRunner()
YEARS = [2020, 2021]


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    """Two small sample years, cleaned and scored (no reports yet); the package's root while the module runs."""
    from conftest import make_project

    project = make_project(tmp_path_factory.mktemp("paper") / "project")
    write_sample(project, years=YEARS, n_orgs=12, scale=0.4, seed=7)
    write_return(project, YEARS, seed=7)
    pipeline.ensure(project, YEARS[-1])
    before = os.environ.get("HEALTHCHECK_ROOT")
    os.environ["HEALTHCHECK_ROOT"] = str(project.root)
    yield project
    if before is None:
        os.environ.pop("HEALTHCHECK_ROOT", None)
    else:
        os.environ["HEALTHCHECK_ROOT"] = before


def _text(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_the_paper_has_the_committee_structure_and_the_datas_figures(sampled):
    paper = build_paper(sampled, 2021, "Halton")
    assert [s.number for s in paper.sections] == list(range(1, 10))
    assert [s.title for s in paper.sections][:3] == ["PURPOSE OF THE REPORT", "RECOMMENDATION: That:",
                                                      "SUPPORTING INFORMATION"]  # fmt: skip
    supporting = paper.sections[2].numbered()
    numbers = [n for n, b in supporting if n]
    assert numbers == [f"3.{i}" for i in range(1, len(numbers) + 1)]
    said = {b.text for _, b in supporting}
    view = load_council_view(sampled, 2021, "E06000006")
    assert any(t.startswith(f"In Halton, there were {findings.respondents_phrase(view)}") for t in said)
    assert f"In relation to the first question, {findings.highest_lowest(view)[0].lower()}" in " ".join(said)
    assert any(findings.rank_phrase(view) in t for t in said)
    subheadings = [b.text for _, b in supporting if b.kind == "subheading"]
    assert subheadings == ["Background", "Social Work Health Check 2021", "Change since last year",
                           "Self-Assessment against the Standards", "Next steps"]  # fmt: skip
    tables = [b for _, b in supporting if b.kind == "table"]
    assert tables[0].table.columns.tolist() == ["Standard", "Action", "Priority", "Owner", "Target date"]
    assert tables[1].table.columns.tolist()[2:5] == ["2020 score", "2021 score", "Change"]
    assert paper.sections[1].blocks[0].items == ["PPB note the contents of the report."]
    header = dict(paper.header)
    assert header["REPORT TO:"] == "Health Policy and Performance Board"
    assert header["DATE:"] == todo("the date of the meeting")


def test_the_word_paper_numbers_its_paragraphs_highlights_the_boxes_and_appends_the_report(sampled):
    result = runner.invoke(app, ["paper", "--council", "Halton", "--year", "2021"])
    assert result.exit_code == 0, result.output
    path = sampled.reports_dir(2021) / "committee-papers" / "halton-adults.docx"
    assert f"wrote {path}" in result.output.replace("\n", "")
    document = docx.Document(str(path))
    text = _text(document)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:9] == [
        "1.0\tPURPOSE OF THE REPORT", "2.0\tRECOMMENDATION: That:", "3.0\tSUPPORTING INFORMATION",
        "4.0\tPOLICY IMPLICATIONS", "5.0\tOTHER/FINANCIAL IMPLICATIONS", "6.0\tIMPLICATIONS FOR THE COUNCIL'S PRIORITIES",
        "7.0\tRISK ANALYSIS", "8.0\tEQUALITY AND DIVERSITY ISSUES",
        "9.0\tLIST OF BACKGROUND PAPERS UNDER SECTION 100D OF THE LOCAL GOVERNMENT ACT 1972",
    ]  # fmt: skip
    assert headings[9].startswith("Appendix 1: Halton local report")
    numbered = [t.split("\t")[0] for t in text if re.match(r"^3\.[1-9]\d*\t", t)]
    assert numbered == [f"3.{i}" for i in range(1, len(numbered) + 1)] and len(numbered) > 15
    boxes = [r for p in document.paragraphs for r in p.runs if r.text.startswith("[To be completed")]
    assert boxes and all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in boxes)
    after = text[text.index(headings[9]) :]
    # the local report, under its own title, follows its appendix heading
    assert "Headline" in after and "Halton: Social Work Health Check 2021, local report" in after[1:]
    assert document.core_properties.language == "en-GB"
    assert document.tables[0].rows[0].cells[0].text == "REPORT TO:"
    second = result.output
    again = runner.invoke(app, ["paper", "--council", "E06000006", "--year", "2021"])
    assert again.exit_code == 0 and "local report (reused)" in again.output and "built" in second


def test_a_house_style_gives_the_paper_its_styles(sampled, tmp_path):
    style = docx.Document()
    style.styles["Heading 1"].font.name = "Georgia"
    style.add_paragraph("sample text that must not appear")
    folder = sampled.params_dir / "house_style"
    folder.mkdir(exist_ok=True)
    style.save(str(catalogue.HOUSE_STYLE.path(sampled, org_code="E06000006")))
    try:
        path, _ = make_paper(sampled, 2021, "Halton", out=tmp_path / "paper.docx")
        document = docx.Document(str(path))
        assert document.styles["Heading 1"].font.name == "Georgia"
        assert "sample text that must not appear" not in _text(document)
    finally:
        shutil.rmtree(folder)


def test_the_boiler_plate_is_merged_and_checked(sampled):
    own = catalogue.PAPER.path(sampled, org_code="E08000011")
    own.write_text("board: Adults Scrutiny Committee\nmeeting_date: 3 March 2022\nrecommendations:\n"
                   "  - '{board} note the report.'\n  - '{board} endorse the action plan.'\n", encoding="utf-8")  # fmt: skip
    try:
        plate = load_boilerplate(sampled, "E08000011")
        assert plate.board == "Adults Scrutiny Committee" and plate.wards == "Borough-wide"
        assert plate.service["adults"] == "Adult Social Care"
        own.write_text("board: X\nboard_colour: red\n", encoding="utf-8")
        with pytest.raises(InputError, match="board_colour") as err:
            load_boilerplate(sampled, "E08000011")
        assert err.value.file.endswith("E08000011.yaml")
        own.write_text("board: [unclosed\n", encoding="utf-8")
        with pytest.raises(InputError, match="not readable YAML"):
            load_boilerplate(sampled, "E08000011")
    finally:
        own.unlink()


def test_an_unknown_service_or_council_is_a_clear_error(sampled):
    result = runner.invoke(app, ["paper", "--council", "Halton", "--service", "housing", "--year", "2021"])
    assert result.exit_code == 2 and "--service must be one of adults, children, both" in result.output
    result = runner.invoke(app, ["paper", "--council", "Borsetshire", "--year", "2021"])
    assert result.exit_code == 2 and "no organisation matches 'Borsetshire'" in result.output
    with pytest.raises(ParameterError):
        build_paper(sampled, 2021, "Halton", service="housing")


def test_a_council_without_a_self_assessment_gets_a_box(sampled):
    from conftest import reportable_codes

    code = next(c for c in reportable_codes(sampled, 2021) if c != "E06000006")
    paper = build_paper(sampled, 2021, code)
    said = " ".join(b.text for s in paper.sections for b in s.blocks)
    assert "No self-assessment against the Standards was supplied" in said
    assert todo("the recommendation") not in said


def test_return_only_year_builds_its_return_report(tmp_path, monkeypatch):
    from conftest import make_project

    project = make_project(tmp_path / "return-only")
    monkeypatch.setenv("HEALTHCHECK_ROOT", str(project.root))
    write_return(project, [2018], seed=5)
    assert not catalogue.WORKER_SURVEY.exists(project, 2018)
    steps = pipeline.ensure(project, 2018)
    status = {(s.year, s.stage): s.status for s in steps}
    assert status[(2018, "clean")] == "skipped" and status[(2018, "clean_return")] == "built"
    result = runner.invoke(app, ["report", "--year", "2018", "--org-return", "--formats", "html"])
    assert result.exit_code == 0, result.output
    assert "no worker survey" in result.output
    assert (project.reports_dir(2018) / "england-organisational-return" / "report.html").is_file()
    result = runner.invoke(app, ["run", "--year", "2018", "--formats", "html"])
    assert result.exit_code == 0, result.output
    assert "no worker survey for 2018: the council reports are skipped" in result.output.replace("\n", " ")
    result = runner.invoke(app, ["paper", "--council", "Halton", "--year", "2018"])
    assert result.exit_code == 2 and "no worker survey for 2018" in result.output
    assert Project(project.root).resolve_year(None) == 2018


def test_clean_and_score_on_a_return_only_year(tmp_path, monkeypatch):
    from conftest import make_project

    project = make_project(tmp_path / "return-only")
    monkeypatch.setenv("HEALTHCHECK_ROOT", str(project.root))
    write_return(project, [2018], seed=5)
    result = runner.invoke(app, ["clean", "--year", "2018"])
    assert result.exit_code == 0, result.output
    assert "no worker survey" in result.output and catalogue.ORG_RETURN.exists(project, 2018)
    result = runner.invoke(app, ["score", "--year", "2018"])
    assert result.exit_code == 2 and "no worker survey for 2018: there is nothing to score" in result.output
