"""The accessible spreadsheet: cover sheet, one Excel Table per sheet, text never a formula."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from healthcheck.publish.display import TableSpec
from healthcheck.publish.xlsx import number_from_text, sheet_name, table_name, write_workbook
from healthcheck.text.cells import safe_text


def scores() -> TableSpec:
    return TableSpec(
        name="scores",
        title="Scores by standard, Testshire, 2020",
        source="Social Work Health Check 2020",
        columns=("Standard", "Score", "Respondents"),
        rows=(("Leadership", 74.333333, 1234), ("Workload", 61.05, 40), ("Caseloads", None, 7)),
        notes=("Scores run from 0 to 100.", "Blank where fewer than 10 answered."),
        formats=(None, ",.1f", ",.0f"),
    )


def themes() -> TableSpec:
    return TableSpec(
        name="themes: [free]/text?",
        title="Comment themes",
        source="Free-text comments",
        columns=("Theme", "Mentions"),
        rows=(
            ('=HYPERLINK("http://example.org")', 3),
            ("+44 helpline", 2),
            ("-5 staff", 1),
            ("@risk", 4),
            ("Plain", 5),
        ),
        formats=(None, ",.0f"),
    )


@pytest.fixture
def workbook(tmp_path: Path) -> tuple[Path, openpyxl.Workbook]:
    path = write_workbook([scores(), themes()], tmp_path / "out" / "report.xlsx", title="Health Check 2020: Testshire",
                          source="Social Work Health Check 2020")  # fmt: skip
    return path, openpyxl.load_workbook(path)


def test_cover_contents_and_notes(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, wb = workbook
    assert wb.sheetnames == ["Cover", "Contents", "Notes", "Table_1", "Table_2"]
    cover = wb["Cover"]
    assert cover["A1"].value == "Health Check 2020: Testshire" and cover["A1"].style == "Headline 1"
    texts = [c.value for c in cover["A"] if c.value]
    assert "Source" in texts and "Social Work Health Check 2020" in texts
    assert "[x]: not available: not collected, not given, or no figure can be worked out" in texts  # explained
    assert "Contact" not in texts  # no publication details given: no empty headings
    contents = wb["Contents"]
    rows = {r[0]: r[1] for r in contents.iter_rows(min_row=4, values_only=True)}
    assert rows["Table_1"] == "Table 1: Scores by standard, Testshire, 2020 [note 1] [note 2]"
    assert rows["Table_2"] == "Table 2: Comment themes"
    link = contents["A6"]
    assert link.value == "Table_1" and (
        link.hyperlink.location == "'Table_1'!A1" or link.hyperlink.target == "#'Table_1'!A1"
    )
    notes = list(wb["Notes"].iter_rows(min_row=4, values_only=True))
    assert notes == [("[note 1]", "Scores run from 0 to 100.", "Table_1"),
                     ("[note 2]", "Blank where fewer than 10 answered.", "Table_1")]  # fmt: skip
    assert set(wb["Notes"].tables) == {"Notes_table"} and set(contents.tables) == {"Contents_table"}
    assert wb.properties.title == "Health Check 2020: Testshire"


def test_publication_details_on_the_cover(tmp_path: Path) -> None:
    props = {"author": "Local Government Association", "publisher": "Local Government Association",
             "date": "2023-03-15", "subject": "Social Work Health Check 2020: local report for Testshire",
             "keywords": ["Social Work Health Check", "2020"], "description": "Source data fingerprint (SHA-256) ab12.",
             "contact": {"team": "Workforce team", "email": "team@example.org", "phone": "020 7000 0000"},
             "alternative_formats": "Ask us for large print."}  # fmt: skip
    path = write_workbook([scores()], tmp_path / "r.xlsx", title="T", source="S", properties=props)
    wb = openpyxl.load_workbook(path)
    texts = [c.value for c in wb["Cover"]["A"] if c.value]
    assert "15 March 2023 by the Local Government Association" in texts
    assert "team@example.org" in texts and "020 7000 0000" in texts
    assert any("Ask us for large print." in str(t) for t in texts)
    assert (
        wb.properties.creator == "Local Government Association"
        and wb.properties.keywords == "Social Work Health Check; 2020"
    )
    assert wb.properties.description == "Source data fingerprint (SHA-256) ab12."


def test_table_sheet_layout(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, wb = workbook
    ws = wb["Table_1"]
    assert ws["A1"].value == "Table 1: Scores by standard, Testshire, 2020 [note 1] [note 2]"
    assert ws["A1"].font.b  # a heading style, not just big text
    assert ws["A2"].value == "This worksheet contains one table, starting in the row below the source."
    assert ws["A3"].value == "Source: Social Work Health Check 2020"
    assert ws["A4"].value.startswith("Shorthand: [x] not available")
    assert [c.value for c in ws[5]] == ["Standard", "Score", "Respondents"]
    ((name, ref),) = ws.tables.items()
    assert (name, ref) == ("scores", "A5:C8")
    assert ws.freeze_panes == "A6"
    assert not ws.merged_cells.ranges
    assert ws.max_column == 3  # no blank columns
    assert ws.column_dimensions["A"].width >= len("Standard")
    # print set-up: A4, one page wide, the header row on every page
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$5:$5"


def test_numbers_stay_numbers(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, wb = workbook
    ws = wb["Table_1"]
    assert ws["B6"].value == pytest.approx(74.333333) and ws["B6"].data_type == "n"
    assert ws["B6"].number_format == "#,##0.0"  # shown as 74.3, stored in full
    assert ws["C6"].value == 1234 and ws["C6"].number_format == "#,##0"
    assert ws["B8"].value == "[x]"  # missing: shorthand explained on the sheet and the cover, never a blank


def test_text_figures_and_old_marks_become_numbers_and_shorthand(tmp_path: Path) -> None:
    spec = TableSpec(name="w", title="Workforce", source="Return", columns=("Measure", "Halton", "England"),
                     rows=(("Vacancy rate", "11.3%", "[c]"), ("Caseload", "21.0", "n/a"), ("Under half", "*", "1,234")))  # fmt: skip
    ws = openpyxl.load_workbook(write_workbook([spec], tmp_path / "w.xlsx", title="T", source="S"))["Table_1"]
    top = 5
    assert ws.cell(top + 1, 2).value == pytest.approx(0.113) and ws.cell(top + 1, 2).number_format == "0.0%"
    assert ws.cell(top + 2, 2).value == 21.0 and ws.cell(top + 2, 2).number_format == "0.0"
    assert ws.cell(top + 3, 3).value == 1234 and ws.cell(top + 3, 3).number_format == "#,##0"
    assert [ws.cell(top + 1, 3).value, ws.cell(top + 2, 3).value, ws.cell(top + 3, 2).value] == ["[c]", "[x]", "[low]"]
    assert ws["A4"].value.startswith("Shorthand: [c] confidential")
    assert number_from_text("-5 staff") is None and number_from_text("2. Workforce") is None


def test_formula_looking_text_stays_text(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    path, wb = workbook
    ws = wb["Table_2"]
    cells = {ws.cell(r, 1).value: ws.cell(r, 1) for r in range(5, ws.max_row + 1)}
    for text in ('=HYPERLINK("http://example.org")', "+44 helpline", "-5 staff", "@risk"):
        cell = cells[text]
        assert cell.data_type == "s", text  # a string, not 'f' (formula)
        assert cell.quotePrefix, text
    assert cells["Plain"].data_type == "s" and not cells["Plain"].quotePrefix
    # and in the file itself no cell holds a formula
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and all("<f>" not in z.read(n).decode() for n in sheets)


def test_tables_have_alt_text(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    path, _ = workbook
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.startswith("xl/tables/")]
        xml = next(z.read(n).decode() for n in names if 'displayName="scores"' in z.read(n).decode())
    assert 'altText="Scores by standard, Testshire, 2020"' in xml
    assert 'altTextSummary="Scores by standard, Testshire, 2020. Source: Social Work Health Check 2020.' in xml
    assert xml.index("<extLst>") > xml.index("<tableStyleInfo")  # the schema's order


def test_no_temporary_files_left(tmp_path: Path, workbook: tuple[Path, openpyxl.Workbook]) -> None:
    path, _ = workbook
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.xlsx"]


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl.workbook.workbook as wbmod

    def broken(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(wbmod.Workbook, "save", broken)
    target = tmp_path / "report.xlsx"
    with pytest.raises(OSError, match="disk full"):
        write_workbook([scores()], target, title="T", source="S")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("scores", "scores"),
        ("a[b]:c*d?e/f\\g", "a_b__c_d_e_f_g"),
        ("x" * 40, "x" * 31),
        ("History", "History_"),
        ("'quoted'", "quoted"),
    ],
)
def test_sheet_names(raw: str, expected: str) -> None:
    assert sheet_name(raw, set()) == expected


def test_sheet_names_unique() -> None:
    taken: set[str] = set()
    assert [sheet_name("y" * 35, taken) for _ in range(3)] == ["y" * 31, "y" * 29 + "_2", "y" * 29 + "_3"]
    assert sheet_name("Scores", {"scores"}) == "Scores_2"  # Excel compares without case


def test_table_names() -> None:
    taken: set[str] = set()
    assert table_name("scores-bar", taken) == "scores_bar"
    assert table_name("2020 scores", taken) == "Table_2020_scores"
    assert table_name("A1", taken) == "Table_A1"  # would read as a cell reference
    assert table_name("scores-bar", taken) == "scores_bar_2"


def test_safe_text() -> None:
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("+44") == "'+44"
    assert safe_text("-5 staff") == "'-5 staff"
    assert safe_text("@risk") == "'@risk"
    assert safe_text("\tx") == "'\tx"
    assert safe_text("Leadership") == "Leadership"
    assert safe_text(-5) == -5  # numbers are data
    assert safe_text(None) is None
