"""Hostile and broken input: malformed exports, paths out of reports/, formulas in text cells.

The hypothesis tests throw exports at the cleaner (``read_raw`` then ``clean``): random bytes,
text in the wrong encoding, missing, duplicated and shuffled columns, huge cells, mixed cell
types in XLSX, empty files. Each must end in a valid result or a
:class:`~healthcheck.errors.HealthcheckError` whose message names the file (and the row or
column where there is one), never another exception. Examples are bounded and derandomised so
the file runs in seconds and the same way every time.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_clean import codebook, orgs  # noqa: F401 - the cleaning tests' fixture codebook and organisations

from healthcheck import batch
from healthcheck.config import Project
from healthcheck.errors import HealthcheckError, InputError
from healthcheck.ingest.readers import read_raw
from healthcheck.ingest.survey import QA_COLUMNS, clean, clean_year
from healthcheck.reference.organisations import slug

FIXTURES = Path(__file__).parent / "fixtures" / "clean"
ITEMS = ["s1_1", "s1_2", "s5_1", "stay_1"]
REQUIRED = ["response_id", "submitted", "org_code", "org_name", "service", "role", "completed"]
COMMENTS = ["comment_best", "comment_improve"]
HEADER = [*REQUIRED, *ITEMS, *COMMENTS]
# a pandas deprecation today is tomorrow's crash on odd input: fail on it here
pytestmark = pytest.mark.filterwarnings("error::pandas.errors.Pandas4Warning")
FORMULA_START = ("=", "+", "-", "@")


def bounded(examples: int) -> settings:
    """Few examples, no deadline (a clean takes a few tenths of a second), the same ones every run."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def _note(text: str) -> None:
    """Count outcomes in hypothesis's statistics (pytest --hypothesis-show-statistics)."""
    from hypothesis.control import currently_in_test_context

    if currently_in_test_context():
        event(text)


def attempt(path: Path, codebook: pd.DataFrame, orgs: pd.DataFrame):
    """Read and clean ``path``: the result, or the HealthcheckError raised (checked to name the file)."""
    try:
        result = clean(read_raw(path), source=path, codebook=codebook, orgs=orgs)
        _note(f"cleaned: {min(result.rows_out, 2)}+ rows kept")
        return result
    except HealthcheckError as exc:
        _note(f"refused: {str(exc).split(': ', 1)[-1][:30]}")
        message = str(exc)
        assert message.strip(), "an error with no message"
        if isinstance(exc, InputError):
            assert exc.file is not None and Path(exc.file).name == path.name, message
            assert message.startswith(f"file {exc.file}"), message
            if exc.row is not None:
                assert f"row {exc.row}" in message and exc.row >= 1
            if exc.column is not None:
                assert f"column '{exc.column}'" in message
        return exc
    # any other exception propagates and fails the test: that is the point


def check_result(result, n_rows: int | None = None) -> None:
    """A result's own bookkeeping holds: rows in = rows out + rows excluded, the log has its columns."""
    assert list(result.qa_log.columns) == QA_COLUMNS
    assert result.rows_in == result.rows_out + result.rows_excluded
    if n_rows is not None:
        assert result.rows_in == n_rows
    assert result.responses["response_id"].is_unique


# --------------------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------------------
ANSWERS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree",
           "Don't know", "Not applicable", "", "1", "3", "5", "0", "9", "4.0", "agree", "AGREE"]  # fmt: skip
PLAUSIBLE = st.sampled_from(["Halton", "E06000006", "e06000006", "Kent County Council", "halton bc", "", " ", "Zoë"])
FORMULAS = st.sampled_from(["=1+1", "+44 7700 900123", "-", "@SUM(A1)", '=HYPERLINK("http://x","y")'])
READABLE = st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), max_size=30)
# text cells: plausible values, formula-like text, any readable text, and now and then control characters
TEXT = st.one_of(PLAUSIBLE, PLAUSIBLE, FORMULAS, READABLE, READABLE, st.text(max_size=10))
GOOD = {
    "submitted": st.sampled_from(["05/10/2020 09:00", "2020-10-05T09:00:00Z", "", "5/1/2021 7:05", "2020-10-05"]),
    "service": st.sampled_from(["Adults", "children", "Both", "adult services"]),
    "completed": st.sampled_from(["Yes", "No", "", "y", "TRUE"]),
    "response_id": st.sampled_from(["R1", "R2", "R3", "=R4", "5"]),
}
BAD = {
    "submitted": st.sampled_from(["31/02/2020", "yesterday", "2020-13-01"]),
    "service": st.sampled_from(["", "Martians"]),
    "completed": st.sampled_from(["maybe", "2"]),
    "response_id": st.sampled_from([""]),
}


@st.composite
def rows_for(draw, header: list[str], valid: bool = False) -> list[list[str]]:
    """Data rows for a header, each cell drawn for its column.

    ``valid``: every cell readable (answers in the answer set, known services, dates that parse),
    though rows may still be blank, tests, duplicates, incomplete or unresolved. Otherwise a
    cell is now and then wrong.
    """
    n = draw(st.integers(min_value=0 if not valid else 1, max_value=8))
    rows = []
    for _ in range(n):
        row = []
        for column in header:
            wrong = not valid and draw(st.integers(0, 9)) == 0  # one cell in ten
            if column in ITEMS:
                row.append(draw(TEXT if wrong else st.sampled_from(ANSWERS)))
            elif column in GOOD:
                row.append(draw(BAD[column] if wrong else GOOD[column]))
            else:
                row.append(draw(TEXT if not valid else st.one_of(PLAUSIBLE, READABLE, FORMULAS)))
        cut = draw(st.integers(min_value=0, max_value=3))  # a ragged row now and then
        rows.append(row[: len(row) - cut] if cut and draw(st.booleans()) else row)
    return rows


@st.composite
def headers(draw) -> list[str]:
    """The right columns, or with some missing, duplicated (also in other case), shuffled or extra."""
    header = list(HEADER)
    if draw(st.booleans()):
        for column in draw(st.lists(st.sampled_from(HEADER), max_size=2, unique=True)):
            header.remove(column)
    if draw(st.booleans()):
        column = draw(st.sampled_from(HEADER))
        header.append(draw(st.sampled_from([column, column.upper(), f" {column} "])))
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(["", "extra", "Unnamed: 3", "\ufeffresponse_id"])))
    return draw(st.permutations(header))


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1", "utf-32"]


# --------------------------------------------------------------------------------------
# the cleaner
# --------------------------------------------------------------------------------------
@bounded(40)
@given(data=st.binary(max_size=3000))
def test_random_bytes(folder, codebook, orgs, data):
    path = folder / "random.csv"
    path.write_bytes(data)
    attempt(path, codebook, orgs)


@bounded(20)
@given(
    data=st.binary(min_size=1, max_size=400),
    prefix=st.sampled_from(
        [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xff\xfe", b"\xef\xbb\xbf", b"%PDF-1.7\n"]
    ),
)
def test_random_bytes_behind_a_file_signature(folder, codebook, orgs, data, prefix):
    path = folder / "signed.csv"
    path.write_bytes(prefix + data)
    result = attempt(path, codebook, orgs)
    if prefix in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-1.7\n"):
        assert isinstance(result, InputError)


@bounded(25)
@given(header=headers(), data=st.data(), encoding=st.sampled_from(ENCODINGS))
def test_malformed_csv_exports(folder, codebook, orgs, header, data, encoding):
    rows = data.draw(rows_for(header))
    path = folder / "export.csv"
    path.write_bytes(to_csv(header, rows).encode(encoding, errors="replace"))
    result = attempt(path, codebook, orgs)
    if not isinstance(result, HealthcheckError):
        check_result(result)


@bounded(15)
@given(data=st.data(), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_well_formed_exports_clean_to_a_valid_table(folder, codebook, orgs, data, encoding):
    """The right header and readable cells: the export is cleaned, or refused with row and column."""
    rows = data.draw(rows_for(HEADER, valid=True))
    path = folder / "wellformed.csv"
    path.write_bytes(to_csv(HEADER, rows).encode(encoding, errors="replace"))
    result = attempt(path, codebook, orgs)
    nonblank = len(rows)
    while nonblank and not any(c.strip() for c in rows[nonblank - 1]):
        nonblank -= 1
    if isinstance(result, HealthcheckError):
        assert isinstance(result, InputError)
        if nonblank:  # a data problem names where it is (a file that is not text at all: the file)
            assert (
                result.row is not None
                or result.column is not None
                or "no responses" in str(result)
                or "not a readable" in str(result)
            ), str(result)
    else:
        check_result(result, nonblank)


def _typed(value: str, kind: int) -> object:
    """A text cell as another type a spreadsheet might hold: a number, a date-time, a bool, empty."""
    if kind == 1 and re.fullmatch(r"[0-9]+(\.[0-9]+)?", value):  # ASCII digits: '²' is a digit to isdigit
        return float(value) if "." in value else int(value)
    if kind == 2 and re.fullmatch(r"[0-9]{2}", value[:2]) and "/" in value:
        return datetime.strptime(value.split()[0], "%d/%m/%Y")
    if kind == 3:
        return None
    if kind == 4:
        return True
    if kind == 5:
        return 4.5
    return value


@bounded(12)
@given(header=st.one_of(st.just(HEADER), headers()), data=st.data())
def test_mixed_types_in_xlsx(folder, codebook, orgs, header, data):
    """XLSX cells of every type (numbers, dates, booleans, empty) where text is expected."""
    from openpyxl import Workbook

    rows = data.draw(rows_for(header, valid=True))
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        kinds = data.draw(st.lists(st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5]), min_size=len(row), max_size=len(row)))
        sheet.append([_typed(v, k) for v, k in zip(row, kinds, strict=False)])
    path = folder / "export.xlsx"
    book.save(path)
    result = attempt(path, codebook, orgs)
    if not isinstance(result, HealthcheckError):
        check_result(result)


@pytest.mark.parametrize("size", [50_000, 131_072, 131_073, 1_000_000])
@pytest.mark.parametrize("where", ["comment_best", "org_name", "s1_1", "response_id"])
def test_huge_cells(folder, codebook, orgs, size, where):
    """Up to the csv module's limit (131,072 characters) a cell is read; beyond it the error gives the row."""
    row = [
        "R1",
        "05/10/2020 09:00",
        "E06000006",
        "Halton",
        "Adults",
        "Social worker",
        "Yes",
        "Agree",
        "Agree",
        "Agree",
        "Agree",
        "",
        "",
    ]
    row[HEADER.index(where)] = "x" * size
    path = folder / "huge.csv"
    path.write_text(to_csv(HEADER, [row]), encoding="utf-8")
    result = attempt(path, codebook, orgs)
    if size > 131_072:
        assert isinstance(result, InputError) and result.row == 2 and "too long" in str(result)
    elif where == "s1_1":  # a huge item cell is no answer: refused with its row and column
        assert isinstance(result, InputError) and result.row == 2 and result.column == "s1_1"
        assert len(str(result)) < 2_000  # the message quotes the cell shortened, not whole
    else:  # org_name too: the code resolves the organisation
        check_result(result, 1)
        assert result.rows_out == 1


@pytest.mark.parametrize(
    "payload",
    [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf\r\n", ",,,,\r\n,,,\r\n", b"\x00" * 64,
     "response_id\r\n".encode("utf-16")],
)  # fmt: skip
def test_empty_files_are_no_responses(folder, codebook, orgs, payload):
    path = folder / "empty.csv"
    path.write_bytes(payload if isinstance(payload, bytes) else payload.encode())
    result = attempt(path, codebook, orgs)
    assert isinstance(result, InputError)


def test_windows_1252_is_not_read_as_latin_1(folder, codebook, orgs):
    """0x92 is a curly apostrophe in Windows-1252 (a control character in Latin-1)."""
    row = ["R1", "05/10/2020 09:00", "E06000006", "Halton", "Adults", "Social worker", "Yes",
           "Don\u2019t know", "Agree", "Agree", "Agree", "It\u2019s a good team", ""]  # fmt: skip
    path = folder / "cp1252.csv"
    path.write_bytes(to_csv(HEADER, [row]).encode("cp1252"))
    result = attempt(path, codebook, orgs)
    assert result.encoding == "Windows-1252"
    assert result.responses.at[0, "comment_best"] == "It\u2019s a good team"
    assert pd.isna(result.responses.at[0, "s1_1"])


def test_utf16_export_is_read(folder, codebook, orgs):
    row = [
        "R1",
        "05/10/2020 09:00",
        "E06000006",
        "Halton",
        "Adults",
        "Social worker",
        "Yes",
        "Agree",
        "Agree",
        "Agree",
        "Agree",
        "Zoë",
        "",
    ]
    path = folder / "utf16.csv"
    path.write_bytes(to_csv(HEADER, [row]).encode("utf-16"))
    result = attempt(path, codebook, orgs)
    assert result.encoding == "UTF-16" and result.responses.at[0, "comment_best"] == "Zoë"


def test_a_very_long_field_names_its_row(folder, codebook, orgs):
    """Beyond the csv module's field limit the error says so and gives the row."""
    row = [
        "R1",
        "05/10/2020 09:00",
        "E06000006",
        "Halton",
        "Adults",
        "Social worker",
        "Yes",
        "Agree",
        "Agree",
        "Agree",
        "Agree",
        "",
        "",
    ]
    rows = [row, [*row[:11], "y" * 200_000, ""], row]
    rows[2] = ["R3", *row[1:]]
    path = folder / "long.csv"
    path.write_text(to_csv(HEADER, rows), encoding="utf-8")
    result = attempt(path, codebook, orgs)
    if isinstance(result, InputError):
        assert result.row == 3 and "too long" in str(result)
    else:
        check_result(result, 3)


@bounded(10)
@given(data=st.data(), xlsx=st.booleans())
def test_clean_year_writes_or_refuses(project, data, xlsx):
    """From files to files on a throw-away project: the three outputs written and read back, or
    an InputError and no output at all."""
    import shutil

    import pyarrow.parquet as pq

    raw = project.raw_dir(2020)
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(project.processed_dir(2020), ignore_errors=True)
    raw.mkdir(parents=True)
    book = project.year_params_dir(2020) / "codebook.csv"
    book.parent.mkdir(parents=True, exist_ok=True)
    book.write_bytes((FIXTURES / "codebook.csv").read_bytes())
    rows = data.draw(rows_for(HEADER, valid=data.draw(st.sampled_from([True, True, True, False]))))
    if xlsx:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        workbook = Workbook()
        workbook.active.append(HEADER)
        for row in rows:  # (a worksheet cannot hold control characters, and '=...' would be a formula)
            workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", c).lstrip("=") for c in row])
        workbook.save(raw / "worker_survey.xlsx")
    else:
        encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
        (raw / "worker_survey.csv").write_bytes(to_csv(HEADER, rows).encode(encoding, errors="replace"))
    try:
        result = clean_year(project, 2020)
    except HealthcheckError as exc:
        _note("refused")
        assert isinstance(exc, InputError) and exc.file and "worker_survey" in exc.file, exc
        assert not project.processed_dir(2020).exists() or not any(project.processed_dir(2020).iterdir())
        return
    _note("written")
    check_result(result)
    out = project.processed_dir(2020)
    table = pq.read_table(out / "responses.parquet").to_pandas()
    assert len(table) == result.rows_out
    log = pd.read_csv(out / "qa_log.csv", dtype=str, keep_default_na=False)
    assert len(log) == len(result.qa_log) and list(log.columns) == QA_COLUMNS
    assert (out / "qa_summary.md").read_text(encoding="utf-8").startswith("# Cleaning summary, 2020")


# --------------------------------------------------------------------------------------
# the QA log is formula-safe
# --------------------------------------------------------------------------------------
def test_qa_log_csv_text_never_starts_a_formula(project):
    """Text typed into the export reaches qa_log.csv; none of it can start a formula there."""
    export = project.raw_dir(2020) / "worker_survey.csv"
    export.parent.mkdir(parents=True)
    good = ["R1", "05/10/2020 09:00", "E06000006", "Halton", "Adults", "Social worker", "Yes"]
    rows = [
        [*good, "Agree", "Agree", "Agree", "Agree", "", ""],
        ["=cmd|' /C calc'!A0", "05/10/2020 10:00", "", "=HYPERLINK(\"http://evil\",\"x\")", "Adults", "Social worker", "Yes",
         "Agree", "Agree", "Agree", "Agree", "", ""],  # unresolved organisation: excluded and logged
        ["+R3", "05/10/2020 11:00", "E06000006", "Halton", "Adults", "@SUM(A1:A9)", "Yes", "9", "Agree", "Agree", "Agree", "", ""],
        ["-R4", "05/10/2020 12:00", "E06000006", "Halton", "Adults", "-2+3", "No", "", "", "", "Agree", "", ""],
    ]  # fmt: skip
    # the fixture codebook: four items
    book = project.year_params_dir(2020) / "codebook.csv"
    book.parent.mkdir(parents=True, exist_ok=True)
    book.write_bytes((FIXTURES / "codebook.csv").read_bytes())
    export.write_text(to_csv(HEADER, rows), encoding="utf-8")
    result = clean_year(project, 2020)
    assert "=cmd|' /C calc'!A0" in result.qa_log["response_id"].tolist()  # in memory: as typed
    log_path = project.processed_dir(2020) / "qa_log.csv"
    with log_path.open(encoding="utf-8", newline="") as handle:
        cells = [cell for record in csv.reader(handle) for cell in record]
    assert len(cells) > len(QA_COLUMNS) * 3
    assert not [c for c in cells if c.startswith(FORMULA_START)], [c for c in cells if c.startswith(FORMULA_START)]
    assert {"'=cmd|' /C calc'!A0", "'+R3", "'-R4", "'@SUM(A1:A9)"} <= set(cells)
    logged = pd.read_csv(log_path, dtype=str, keep_default_na=False)
    assert set(logged["rule"]) >= {"unresolved_org", "out_of_range", "role_other", "incomplete"}


def test_spreadsheet_and_csv_tables_keep_formulas_as_text(tmp_path):
    from openpyxl import load_workbook

    from healthcheck.publish.display import TableSpec
    from healthcheck.publish.xlsx import format_for_csv, write_workbook

    hostile = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x","y")', "\t=1", "ok"]
    spec = TableSpec(name="t", title="=title", columns=["=col", "n"], rows=[[h, -1.5] for h in hostile], source="@src")
    path = write_workbook([spec], tmp_path / "t.xlsx", title="=Report", source="+source")
    book = load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    values = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert set(hostile) <= values and -1.5 in values  # shown as typed; numbers stay numbers
    rows = format_for_csv(spec)
    text_cells = [c for r in rows for c in r if isinstance(c, str)]
    assert not [c for c in text_cells if c.startswith(FORMULA_START)]
    assert rows[1] == ["'=1+1", -1.5]


# --------------------------------------------------------------------------------------
# paths: nothing is written outside reports/
# --------------------------------------------------------------------------------------
def _files_outside(root: Path, before: set[Path]) -> set[Path]:
    return set(root.rglob("*")) - before


@pytest.mark.parametrize(
    "council",
    ["../../etc", "E06000006/../../x", "/etc/passwd", "..", "halton/../../../tmp", "E06000006\x00", "C:\\Windows"],
)
def test_council_parameters_never_leave_reports(project, council):
    targets, unknown = batch.resolve_targets(project, 2020, [council])
    assert targets == [] and len(unknown) == 1 and unknown[0].status == "failed"
    assert "UnknownOrganisationError" in unknown[0].cause


def test_a_name_in_the_reference_data_with_a_path_in_it(project):
    """A hostile name in params/organisations_extra.csv slugs to a plain folder inside reports/<year>/."""
    extra = project.params_dir / "organisations_extra.csv"
    lines = extra.read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines += [
        "NC901,../../../../tmp/evil,../../evil Ltd,Non-council,,",
        'NC902,"..\\..\\windows",x,Non-council,,',
        "NC903,/etc/passwd,y,Non-council,,",
        "NC904,..,z,Non-council,,",
        'NC905,"=HYPERLINK(""http://x"")",w,Non-council,,',
    ]
    extra.write_text("\n".join(lines) + "\n", encoding="utf-8")
    targets, unknown = batch.resolve_targets(project, 2020, ["NC901", "NC902", "NC903", "NC904", "NC905"])
    assert not unknown
    base = project.reports_dir(2020).resolve()
    assert [t.slug for t in targets] == ["tmp-evil", "windows", "etc-passwd", "organisation", "hyperlink-http-x"]
    for target in targets:
        assert batch.safe_out_dir(project, 2020, target.slug).parent == base


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(name=st.text(max_size=60))
def test_any_name_slugs_to_a_folder_inside_reports(name):
    project = Project(Path("/nonexistent/project"))
    folder = slug(name)
    assert folder and set(folder) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") and not folder.startswith("-")
    assert batch.safe_out_dir(project, 2020, folder).parent == project.reports_dir(2020).resolve()


def test_report_command_with_a_path_as_council_writes_nothing_outside(project, tmp_path):
    """`healthcheck report --council ../../x`: refused, exit code not 0, no file made anywhere else."""
    from typer.testing import CliRunner

    from healthcheck.cli import app

    before = set(tmp_path.rglob("*"))
    result = CliRunner().invoke(
        app, ["report", "--council", "../../evil", "--council", "E06000006/../../x", "--formats", "html"]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, (SystemExit, type(None), HealthcheckError)), result.exception
    made = _files_outside(tmp_path, before)
    assert not [p for p in made if "evil" in p.name or p.name == "x"]
    assert not [p for p in made if project.reports_root not in p.parents and p != project.reports_root
                and project.root / "data" not in p.parents and p != project.root / "data"]  # fmt: skip


def test_yaml_is_loaded_safely(project):
    """A YAML tag that would build a Python object is refused, not run."""
    from healthcheck.params import load_scoring_params

    marker = project.root / "pwned"
    (project.params_dir / "scoring.yaml").write_text(
        f"min_respondents: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8"
    )
    with pytest.raises(HealthcheckError):
        load_scoring_params(project)
    assert not marker.exists()


def test_no_eval_or_unsafe_yaml_in_the_package():
    """No module calls eval/exec or a YAML loader other than safe_load."""
    unsafe = re.compile(r"(?<![\w.])(?:eval|exec)\(|yaml\.(?:load|unsafe_load|full_load)\(|yaml\.Loader\b")
    assert unsafe.search("x = yaml.load(text)") and unsafe.search("eval(code)")  # the scan finds them
    assert not unsafe.search("self.execute(nb); yaml.safe_load(f); kc.exec_count")
    source = Path(batch.__file__).parent
    found = [
        f"{p.name}: {m.group(0)}"
        for p in sorted(source.glob("*.py"))
        for m in unsafe.finditer(p.read_text(encoding="utf-8"))
    ]
    assert not found, found


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(folder, codebook, orgs, encoding):
    row = [
        "R1",
        "05/10/2020 09:00",
        "E06000006",
        "Halton",
        "Adults",
        "Social worker",
        "Yes",
        "Agree",
        "Agree",
        "Agree",
        "Agree",
        "Zoë",
        "",
    ]
    path = folder / "utf16-nobom.csv"
    path.write_bytes(to_csv(HEADER, [row]).encode(encoding))
    result = attempt(path, codebook, orgs)
    assert result.encoding == "UTF-16" and result.responses.at[0, "comment_best"] == "Zoë"
