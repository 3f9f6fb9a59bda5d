"""The accessible spreadsheet: cover sheet, one Excel Table per sheet, text never a formula."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from healthcheck.publish.display import TableSpec
from healthcheck.publish.xlsx import sheet_name, table_name, write_workbook
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


def test_cover_sheet(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, wb = workbook
    assert wb.sheetnames == ["Cover", "scores", "themes_ _free__text_"]
    cover = wb["Cover"]
    assert cover["A1"].value == "Health Check 2020: Testshire"
    assert cover["A2"].value == "Source: Social Work Health Check 2020"
    texts = [c.value for c in cover["A"] if c.value]
    assert "Contents" in texts and "Notes" in texts
    # contents: each sheet with its table's title, linked
    rows = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, cover.max_row + 1)}
    assert rows["scores"] == "Scores by standard, Testshire, 2020"
    assert rows["themes_ _free__text_"] == "Comment themes"
    link = next(c for c in cover["A"] if c.value == "scores")
    assert link.hyperlink.location == "'scores'!A1" or link.hyperlink.target == "#'scores'!A1"
    assert any("[x]" in str(t) for t in texts)  # the missing score is explained
    assert wb.properties.title == "Health Check 2020: Testshire"


def test_table_sheet_layout(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, wb = workbook
    ws = wb["scores"]
    assert ws["A1"].value == "Scores by standard, Testshire, 2020"
    assert ws["A1"].font.b  # a heading style, not just big text
    assert ws["A2"].value == "Source: Social Work Health Check 2020"
    assert ws["A3"].value == "Note: Scores run from 0 to 100."
    assert ws["A4"].value == "Note: Blank where fewer than 10 answered."
    assert ws["A5"].value == "[x] means the figure is not available."
    assert ws["A6"].value == "This worksheet contains one table, starting in the row below."
    assert [c.value for c in ws[7]] == ["Standard", "Score", "Respondents"]
    ((name, ref),) = ws.tables.items()
    assert (name, ref) == ("scores", "A7:C10")
    assert ws.freeze_panes == "A8"
    assert not ws.merged_cells.ranges
    assert ws.max_column == 3  # no blank columns
    assert ws.column_dimensions["A"].width >= len("Standard")


def test_numbers_stay_numbers(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    _, wb = workbook
    ws = wb["scores"]
    assert ws["B8"].value == pytest.approx(74.333333) and ws["B8"].data_type == "n"
    assert ws["B8"].number_format == "#,##0.0"  # shown as 74.3, stored in full
    assert ws["C8"].value == 1234 and ws["C8"].number_format == "#,##0"
    assert ws["B10"].value == "[x]"  # missing: a marker explained above, never a blank


def test_formula_looking_text_stays_text(workbook: tuple[Path, openpyxl.Workbook]) -> None:
    path, wb = workbook
    ws = wb["themes_ _free__text_"]
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
        xml = z.read("xl/tables/table1.xml").decode()
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
