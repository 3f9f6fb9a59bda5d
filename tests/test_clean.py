"""Cleaning: each rule's count on a hand-made export, every bad-input error, reading and writing.

The fixture ``tests/fixtures/clean/export.csv`` has 18 data rows (spreadsheet rows 2-19) and a
four-item codebook, so "at least half the items" means two. What each row should become was
worked out by hand and is written out in ``EXPECTED_RULES`` below.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError
from healthcheck.ingest.readers import read_raw, tidy
from healthcheck.ingest.rules import rule_test
from healthcheck.ingest.survey import RULES, CleanResult, clean, clean_year
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import load_organisations

FIXTURES = Path(__file__).parent / "fixtures" / "clean"
EXPORT = FIXTURES / "export.csv"
HEADER = (
    "response_id,submitted,org_code,org_name,service,role,completed,s1_1,s1_2,s5_1,stay_1,comment_best,comment_improve"
)

#: spreadsheet row -> the rule that excludes it (rows not listed are kept)
EXPECTED_RULES = {
    4: "blank",  # every cell empty
    6: "test",  # org_name 'Test'
    7: "test",  # comment 'TEST - please ignore'
    10: "duplicate_id",  # R07 again, submitted 8 Oct; row 9 (9 Oct, read day first) is later
    11: "duplicate_submission",  # R08 = R09 (Greenwich, Children, Team manager, 4 4 5 4, same comment)
    13: "incomplete",  # completed No, 1 of 4 answered
    15: "unresolved_org",  # Borsetshire Council
    16: "unresolved_org",  # Borsetshire Council
    17: "unresolved_org",  # XX999 / Ambridge Trust
}
EXPECTED_KEPT = ["R01", "R02", "R03", "R06", "R07", "R09", "R11", "R15", "R16"]


@pytest.fixture(scope="module")
def codebook() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "codebook.csv", dtype=str)


@pytest.fixture(scope="module")
def orgs() -> pd.DataFrame:
    return load_organisations(Project(REPO_ROOT))


@pytest.fixture(scope="module")
def result(codebook: pd.DataFrame, orgs: pd.DataFrame) -> CleanResult:
    return clean(read_raw(EXPORT), source=EXPORT, codebook=codebook, orgs=orgs)


def count(result: CleanResult, rule: str) -> int:
    return int(result.counts.set_index("rule").at[rule, "rows"])


def logged(result: CleanResult, rule: str) -> list[int]:
    return sorted(result.qa_log.loc[result.qa_log["rule"] == rule, "source_row"].tolist())


def row_of(result: CleanResult, response_id: str) -> pd.Series:
    rows = result.responses[result.responses["response_id"] == response_id]
    assert len(rows) == 1, f"{response_id} should be kept once"
    return rows.iloc[0]


def write(tmp_path: Path, text: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def clean_text(tmp_path: Path, text: str, codebook: pd.DataFrame, orgs: pd.DataFrame, **kw) -> CleanResult:
    path = write(tmp_path, text, **kw)
    return clean(read_raw(path), source=path, codebook=codebook, orgs=orgs)


GOOD = "R1,05/10/2020 09:00,E06000006,Halton,Adults,Social worker,Yes,Agree,Agree,Agree,Agree,,"


# --- 1. reading and shape ----------------------------------------------------------------------


def test_read_raw_gives_strings_as_typed():
    raw = read_raw(EXPORT)
    assert raw.shape == (18, 13)
    assert raw.attrs["encoding"] == "UTF-8"
    assert raw.iloc[1]["org_name"] == " halton borough council "  # not stripped yet: clean does that
    assert raw.iloc[2].tolist() == [""] * 13
    assert all(str(dtype) == "str" for dtype in raw.dtypes)


def test_tidy_strips_cells_matches_column_names_and_numbers_rows():
    raw = pd.DataFrame({" Response ID ": [" R1 ", ""], "ORG_NAME": ["  Halton\u00a0", "x"]})
    frame, ignored = tidy(raw)
    assert list(frame.columns[:2]) == ["response_id", "org_name"]
    assert frame.index.tolist() == [2, 3]  # spreadsheet rows: the header is row 1
    assert frame.at[2, "response_id"] == "R1" and frame.at[2, "org_name"] == "Halton"
    assert pd.isna(frame.at[3, "response_id"])
    assert ignored == []


def test_windows_1252_with_curly_quotes(tmp_path, codebook, orgs):
    row = "R1,05/10/2020 09:00,E06000006,Halton,Adults,Social worker,Yes,Agree,Don\u2019t know,Agree,Agree,"
    text = f"{HEADER}\r\n{row}\u2018Brilliant\u2019 team \u2013 thanks,\r\n"
    path = write(tmp_path, text, encoding="cp1252")
    assert b"\x92" in path.read_bytes()  # really Windows-1252, not UTF-8
    raw = read_raw(path)
    assert raw.attrs["encoding"] == "Windows-1252"
    assert raw.at[0, "s1_2"] == "Don\u2019t know"
    res = clean(raw, source=path, codebook=codebook, orgs=orgs)
    assert res.responses.at[0, "comment_best"] == "\u2018Brilliant\u2019 team \u2013 thanks"
    assert pd.isna(res.responses.at[0, "s1_2"])  # Don't know is missing
    assert res.responses.at[0, "s1_1"] == 4


def test_utf8_with_bom_and_messy_header(tmp_path, codebook, orgs):
    header = HEADER.replace("response_id", "Response_ID").replace("org_name", " Org_Name ")
    res = clean_text(tmp_path, f"{header}\n{GOOD}\n", codebook, orgs, encoding="utf-8-sig")
    assert res.encoding == "UTF-8 with BOM"
    assert res.responses["response_id"].tolist() == ["R1"]


def test_xlsx_is_read(tmp_path, codebook, orgs):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    meta = ["E06000006", "Halton", "Adults", "Social worker", "Yes"]
    sheet.append(["X1", datetime(2020, 10, 5, 14, 30), *meta, 4, 5.0, "Disagree", 1, "Great", None])
    meta = [None, "Halton BC", "Children", "Team manager", "Yes"]
    sheet.append(["X2", "06/10/2020 09:00", *meta, "Agree", None, 9, "Strongly agree", None, None])
    sheet.append([None] * 13)  # a trailing empty row is not a row of the export
    path = tmp_path / "export.xlsx"
    book.save(path)
    raw = read_raw(path)
    assert raw.attrs["encoding"] == "xlsx"
    assert raw.shape == (2, 13)
    assert raw.at[0, "submitted"] == "2020-10-05T14:30:00"
    res = clean(raw, source=path, codebook=codebook, orgs=orgs)
    out = res.responses.set_index("response_id")
    assert out.loc["X1", ["s1_1", "s1_2", "s5_1", "stay_1"]].tolist() == [4, 5, 2, 1]
    assert out.at["X1", "submitted"] == pd.Timestamp("2020-10-05 14:30")
    assert out.at["X2", "submitted"] == pd.Timestamp("2020-10-06 09:00")
    assert out.at["X2", "org_code"] == "E06000006"
    assert pd.isna(out.at["X2", "s5_1"]) and count(res, "out_of_range") == 1


# --- 2. validation: every bad input is one clear InputError ----------------------------------


def test_missing_column_names_file_and_column(tmp_path, codebook, orgs):
    text = f"{HEADER.replace(',role', '')}\nR1,05/10/2020 09:00,E06000006,Halton,Adults,Yes,Agree,Agree,Agree,Agree,,\n"
    with pytest.raises(InputError) as err:
        clean_text(tmp_path, text, codebook, orgs)
    assert err.value.column == "role"
    assert str(tmp_path / "export.csv") in str(err.value) and "'role'" in str(err.value)
    assert "missing required column" in str(err.value)


def test_missing_item_column(tmp_path, codebook, orgs):
    text = f"{HEADER.replace(',stay_1', '')}\n{GOOD[:-2]}\n"
    with pytest.raises(InputError, match="missing required column.*'stay_1'") as err:
        clean_text(tmp_path, text, codebook, orgs)
    assert err.value.column == "stay_1"


def test_duplicated_column_names_file_and_column(tmp_path, codebook, orgs):
    text = f"{HEADER}, S1_1 \n{GOOD},Agree\n"
    with pytest.raises(InputError, match="appear more than once") as err:
        clean_text(tmp_path, text, codebook, orgs)
    assert err.value.column == "s1_1"
    assert err.value.file == str(tmp_path / "export.csv")
    assert "column 's1_1'" in str(err.value)


@pytest.mark.parametrize(
    "name, payload",
    [
        ("junk.csv", random.Random(3).randbytes(4000)),  # binary junk with a .csv name
        ("export.xlsx", b"PK\x03\x04" + random.Random(4).randbytes(500)),  # a broken zip
        ("export.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)),  # an old .xls
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
    ],
)
def test_unreadable_file_names_the_file(tmp_path, name, payload):
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(InputError) as err:
        read_raw(path)
    assert err.value.file == str(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("text", ["", "\n\n", f"{HEADER}\n", f"{HEADER}\r\n\r\n"])
def test_empty_file_or_header_only_means_no_responses(tmp_path, codebook, orgs, text):
    with pytest.raises(InputError, match="no responses") as err:
        clean_text(tmp_path, text, codebook, orgs)
    assert str(tmp_path / "export.csv") in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="missing"):
        read_raw(tmp_path / "nope.csv")


def test_unknown_labels_listed_with_row_and_column(tmp_path, codebook, orgs):
    text = "\n".join(
        [
            HEADER,
            GOOD,
            "R2,05/10/2020 09:00,E06000006,Halton,Adults,Social worker,Yes,Agree,Agreee,Agree,Agree,,",
            GOOD.replace("R1", "R3"),
            "R4,05/10/2020 09:00,E06000006,Halton,Adults,Social worker,Yes,Agree,Agree,Agree,Mostly,,",
        ]
    )
    with pytest.raises(InputError) as err:
        clean_text(tmp_path, text + "\n", codebook, orgs)
    message = str(err.value)
    assert (err.value.row, err.value.column) == (3, "s1_2")  # the first offending cell
    assert str(tmp_path / "export.csv") in message
    assert "2 cell(s)" in message
    assert "row 3, column 's1_2': 'Agreee'" in message
    assert "row 5, column 'stay_1': 'Mostly'" in message


def test_many_unknown_labels_are_summarised(tmp_path, codebook, orgs):
    rows = [GOOD.replace("R1", f"R{i}").replace("Yes,Agree", "Yes,Sort of") for i in range(9)]
    with pytest.raises(InputError, match=r"9 cell\(s\).*and 4 more"):
        clean_text(tmp_path, "\n".join([HEADER, *rows]) + "\n", codebook, orgs)


@pytest.mark.parametrize("bad", ["31/02/2020 10:00", "yesterday", "2020/10/05", "05/10/20 10:00"])
def test_unreadable_date_names_row_and_column(tmp_path, codebook, orgs, bad):
    text = f"{HEADER}\n{GOOD}\n{GOOD.replace('R1', 'R2').replace('05/10/2020 09:00', bad)}\n"
    with pytest.raises(InputError, match="cannot be read") as err:
        clean_text(tmp_path, text, codebook, orgs)
    assert (err.value.row, err.value.column) == (3, "submitted")
    assert str(tmp_path / "export.csv") in str(err.value) and repr(bad) in str(err.value)


def test_unknown_service_is_an_error(tmp_path, codebook, orgs):
    text = f"{HEADER}\n{GOOD}\n{GOOD.replace('R1', 'R2').replace('Adults', 'Housing')}\n"
    with pytest.raises(InputError, match="unknown service.*'Housing'") as err:
        clean_text(tmp_path, text, codebook, orgs)
    assert (err.value.row, err.value.column) == (3, "service")


def test_row_with_too_many_values_is_an_error(tmp_path, codebook, orgs):
    text = f"{HEADER}\n{GOOD}\n{GOOD.replace('R1', 'R2')},Great, really\n"
    with pytest.raises(InputError, match="15 values but the header has 13") as err:
        clean_text(tmp_path, text, codebook, orgs)
    assert err.value.row == 3


def test_errors_never_leak_pandera(tmp_path, codebook, orgs):
    from pandera.errors import SchemaError, SchemaErrors

    text = f"{HEADER}\n{GOOD.replace('Agree', 'Agreee', 1)}\n"
    with pytest.raises(InputError) as err:
        clean_text(tmp_path, text, codebook, orgs)
    assert not isinstance(err.value.__cause__, (SchemaError, SchemaErrors))
    assert err.value.__suppress_context__


# --- 3-7. exclusion rules, each with its count on the fixture ---------------------------------


def test_rules_are_counted_in_the_order_applied(result):
    assert result.counts["rule"].tolist() == [rule for rule, _ in RULES]
    assert result.counts["rule"].tolist() == [
        "blank", "test", "duplicate_id", "duplicate_submission", "incomplete",
        "partial_kept", "unresolved_org", "successor_org", "ended_org", "out_of_range", "role_other",
        "headcount_below_responses",
    ]  # fmt: skip


def test_rule_blank(result):
    assert count(result, "blank") == 1
    assert logged(result, "blank") == [4]
    assert result.qa_log.loc[result.qa_log["rule"] == "blank", "response_id"].tolist() == [""]


def test_rule_test(result):
    assert count(result, "test") == 2
    assert logged(result, "test") == [6, 7]
    assert "R06" in result.responses["response_id"].tolist()  # 'Testing times ...' is a real comment


def test_rule_test_patterns():
    frame = pd.DataFrame(
        {
            "org_name": ["test", " Testing council", "Halton", "Halton", "Halton", "Halton", "Testvalley", "Halton"],
            "comment_best": [None, None, "this is a test", "Testing times", None, "Test and trace was hard", None, ""],
            "comment_improve": [None, None, None, None, "Please  IGNORE this", None, None, "TEST!"],
        }
    )
    hit, _ = rule_test(frame)
    assert hit.tolist() == [True, True, True, False, True, False, False, True]


def test_rule_duplicate_id_keeps_the_latest_submission(result):
    assert count(result, "duplicate_id") == 1
    assert logged(result, "duplicate_id") == [10]
    kept = row_of(result, "R07")
    # 09/10/2020 read day first (9 October) is later than 2020-10-08, although it comes first
    assert kept["submitted"] == pd.Timestamp("2020-10-09 08:00")
    assert kept["s1_1"] == 4


def test_rule_duplicate_submission_keeps_the_latest(result):
    assert count(result, "duplicate_submission") == 1
    assert logged(result, "duplicate_submission") == [11]
    assert "R08" not in result.responses["response_id"].tolist()
    assert row_of(result, "R09")["org_code"] == "E09000011"


def test_straight_duplicate_rows_same_time_keep_the_later_row(tmp_path, codebook, orgs):
    res = clean_text(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD}\n{GOOD}\n", codebook, orgs)
    assert count(res, "duplicate_id") == 2 and logged(res, "duplicate_id") == [2, 3]
    assert len(res.responses) == 1


def test_different_answers_are_not_duplicate_submissions(tmp_path, codebook, orgs):
    other = GOOD.replace("R1", "R2").replace("Agree,,", "Disagree,,")
    res = clean_text(tmp_path, f"{HEADER}\n{GOOD}\n{other}\n", codebook, orgs)
    assert count(res, "duplicate_submission") == 0 and len(res.responses) == 2


def test_rule_incomplete_and_partial_kept(result):
    assert count(result, "incomplete") == 1
    assert logged(result, "incomplete") == [13]
    assert count(result, "partial_kept") == 1
    assert logged(result, "partial_kept") == [14]
    assert row_of(result, "R11")["s1_2"] == 2


def test_rule_unresolved_org(result):
    assert count(result, "unresolved_org") == 3
    assert logged(result, "unresolved_org") == [15, 16, 17]
    assert result.unresolved.to_dict("records") == [
        {"org_name": "Borsetshire Council", "org_code": "", "rows": 2},
        {"org_name": "Ambridge Trust", "org_code": "XX999", "rows": 1},
    ]


def test_name_map_resolves_names(codebook, orgs):
    name_map = pd.DataFrame({"org_name": ["borsetshire council"], "org_code": ["e10000016"]})
    res = clean(read_raw(EXPORT), source=EXPORT, codebook=codebook, orgs=orgs, name_map=name_map)
    assert count(res, "unresolved_org") == 1
    assert res.responses.set_index("response_id").loc[["R12", "R13"], "org_name"].tolist() == ["Kent", "Kent"]


def test_name_map_with_unknown_code_is_an_error(codebook, orgs):
    name_map = pd.DataFrame({"org_name": ["Halton", "Borsetshire"], "org_code": ["E06000006", "E99999999"]})
    with pytest.raises(InputError, match="E99999999") as err:
        clean(read_raw(EXPORT), source=EXPORT, codebook=codebook, orgs=orgs, name_map=name_map)
    assert (err.value.row, err.value.column) == (3, "org_code")


def test_organisations_resolved_from_awkward_spellings(result):
    out = result.responses.set_index("response_id")
    assert out.loc[["R01", "R02", "R03"], "org_code"].tolist() == ["E06000006"] * 3  # code, e0..., HALTON B.C.
    assert out.loc["R16", ["org_code", "org_name", "org_type", "region"]].tolist() == [
        "E06000010", "Kingston upon Hull", "Unitary Authority", "Yorkshire and The Humber",
    ]  # fmt: skip
    assert out.loc["R15", ["org_name", "org_type", "region"]].tolist() == [
        "Mersey Care NHS Foundation Trust", "Non-council", "North West",
    ]  # fmt: skip


# --- 8-11. recoding and output ---------------------------------------------------------------


def test_answers_recoded(result):
    items = ["s1_1", "s1_2", "s5_1", "stay_1"]
    out = result.responses.set_index("response_id")
    assert out.loc["R01", items].tolist() == [4, 5, 2, 4]
    assert out.loc["R02", items].tolist() == [4, 5, 2, 4]  # numbers 1-5
    r03 = out.loc["R03", items]  # Strongly disagree, Don't know, Not applicable, Neither
    assert r03["s1_1"] == 1 and r03["stay_1"] == 3 and r03[["s1_2", "s5_1"]].isna().all()
    assert pd.isna(out.at["R16", "stay_1"])  # Don’t know with a curly apostrophe


def test_out_of_range_cells_set_missing_and_logged(result):
    assert count(result, "out_of_range") == 1  # one row, two cells
    cells = result.qa_log[result.qa_log["rule"] == "out_of_range"]
    assert cells[["source_row", "column", "value"]].values.tolist() == [[18, "s1_2", "9"], [18, "s5_1", "0"]]
    r15 = row_of(result, "R15")
    assert r15["s1_1"] == 4 and pd.isna(r15["s1_2"]) and pd.isna(r15["s5_1"]) and r15["stay_1"] == 4


def test_service_and_role_tidied(result):
    out = result.responses.set_index("response_id")
    assert out.loc["R02", ["service", "role"]].tolist() == ["Children", "Senior practitioner"]
    assert out.at["R15", "role"] == "Other"
    assert count(result, "role_other") == 1
    other = result.qa_log[result.qa_log["rule"] == "role_other"]
    assert other[["response_id", "value"]].values.tolist() == [["R15", "Approved mental health professional"]]


def test_output_columns_and_types(result):
    out = result.responses
    assert out.columns.tolist() == [
        "response_id", "submitted", "org_code", "org_name", "org_type", "region", "service", "role",
        "s1_1", "s1_2", "s5_1", "stay_1", "comment_best", "comment_improve",
    ]  # fmt: skip
    assert out["response_id"].tolist() == EXPECTED_KEPT  # sorted by response id
    assert all(str(out[c].dtype) == "Int8" for c in ["s1_1", "s1_2", "s5_1", "stay_1"])
    assert str(out["submitted"].dtype).startswith("datetime64")
    assert row_of(result, "R16")["comment_best"] == "Curly \u2018quotes\u2019 are fine"  # spaces tidied
    assert row_of(result, "R01")["submitted"] == pd.Timestamp("2020-10-05 09:00")  # day first


def test_rows_in_equal_rows_out_plus_excluded(result):
    excluded = result.qa_log[result.qa_log["rule"].isin([r for r, a in RULES if a == "excluded"])]
    assert result.rows_in == 18
    assert len(result.responses) + len(excluded) == 18
    assert result.rows_out == 9 and result.rows_excluded == 9
    assert dict(zip(excluded["source_row"], excluded["rule"], strict=False)) == EXPECTED_RULES
    assert excluded["source_row"].is_unique  # each row excluded once


def test_summary_text(result):
    text = result.summary()
    assert "rows in:  18" in text and "rows out: 9" in text and "excluded: 9" in text
    assert "unresolved_org        excluded        3" in text
    assert "'Borsetshire Council' (code ''): 2 row(s)" in text


def test_clean_the_sample_export(project):
    """Cleaning the team's seeded sample keeps exactly the responses it was built to have."""
    from healthcheck.synthetic.survey import generate

    data = generate(2020, seed=5, n_orgs=12, scale=0.3, project=project)
    book, orgs = load_codebook(2020, project), load_organisations(project)
    res = clean(data.raw, source=Path("sample.csv"), codebook=book, orgs=orgs)
    assert res.rows_in == len(data.raw)
    per_org = res.responses["org_code"].value_counts().sort_index()
    truth = data.truth.set_index("org_code")["n_intended"].sort_index()
    assert per_org.to_dict() == truth[truth > 0].to_dict()
    assert count(res, "blank") == data.mess["blank_rows"]
    assert count(res, "test") == data.mess["test_responses"]
    assert count(res, "incomplete") == data.mess["incomplete_excluded"]
    assert count(res, "duplicate_id") == data.mess["exact_duplicates"]
    assert count(res, "duplicate_submission") == data.mess["repeat_submissions"]


def test_completed_values(tmp_path, codebook, orgs):
    half = "Agree,Agree,,"  # two of four answered: kept when not completed
    one = "Agree,,,"  # one of four: excluded when not completed
    rows = [
        f"R1,05/10/2020 09:00,E06000006,Halton,Adults,Social worker,YES,{one},a,",  # completed: kept
        f"R2,05/10/2020 09:00,E06000006,Halton,Adults,Social worker,n,{one},b,",
        f"R3,05/10/2020 09:00,E06000006,Halton,Adults,Social worker,,{one},c,",  # blank counts as No
        f"R4,05/10/2020 09:00,E06000006,Halton,Adults,Social worker,,{half},d,",
    ]
    res = clean_text(tmp_path, "\n".join([HEADER, *rows]) + "\n", codebook, orgs)
    assert res.responses["response_id"].tolist() == ["R1", "R4"]
    assert logged(res, "incomplete") == [3, 4] and logged(res, "partial_kept") == [5]
    bad = rows[0].replace("YES", "Maybe")
    with pytest.raises(InputError, match="completed must be Yes or No") as err:
        clean_text(tmp_path, f"{HEADER}\n{GOOD}\n{bad}\n", codebook, orgs)
    assert (err.value.row, err.value.column) == (3, "completed")


def test_blank_response_id_on_a_real_row_is_an_error(tmp_path, codebook, orgs):
    with pytest.raises(InputError, match="response_id is blank") as err:
        clean_text(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD.replace('R1', '')}\n", codebook, orgs)
    assert (err.value.row, err.value.column) == (3, "response_id")


def test_comment_columns_optional_and_extra_columns_ignored(tmp_path, codebook, orgs):
    header = HEADER.replace(",comment_best,comment_improve", ",ip_address,")
    res = clean_text(tmp_path, f"{header}\n{GOOD[:-2]},10.0.0.1,\n", codebook, orgs)
    assert res.responses["comment_best"].isna().all() and len(res.responses) == 1
    assert res.ignored_columns == ["ip_address"]
    assert "Columns not used: ip_address" in res.summary()


def test_iso_dates_with_offsets_are_local_time(tmp_path, codebook, orgs):
    def row(rid: str, submitted: str) -> str:  # different comments: not duplicate submissions
        return GOOD.replace("R1", rid).replace("05/10/2020 09:00", submitted)[:-2] + f",{rid},"

    rows = [
        row("R1", "2020-10-05T08:00:00Z"),  # 09:00 British Summer Time
        row("R2", "2020-12-05 09:00:00+01:00"),  # 08:00 GMT
        row("R3", "5/1/2021 7:05"),  # day first: 5 January
        row("R4", ""),
    ]
    res = clean_text(tmp_path, "\n".join([HEADER, *rows]) + "\n", codebook, orgs)
    assert res.responses["submitted"].tolist()[:3] == [
        pd.Timestamp("2020-10-05 09:00"), pd.Timestamp("2020-12-05 08:00"), pd.Timestamp("2021-01-05 07:05"),
    ]  # fmt: skip
    assert pd.isna(res.responses["submitted"].iloc[3])


# --- clean_year: files ------------------------------------------------------------------------


def put_export(project: Project, year: int = 2020) -> Path:
    """The fixture export, with the real codebook's other items left blank."""
    book = load_codebook(year, project)
    raw = pd.read_csv(EXPORT, dtype=str, keep_default_na=False)
    for item in book["item"]:
        if item not in raw.columns:
            raw[item] = raw["s1_1"].where(raw["response_id"] != "R10", "")  # R10 stays incomplete
    folder = project.raw_dir(year)
    folder.mkdir(parents=True, exist_ok=True)
    raw.to_csv(folder / "worker_survey.csv", index=False)
    return folder / "worker_survey.csv"


def test_clean_year_writes_three_files_deterministically(project):
    put_export(project)
    first = clean_year(project, 2020)
    folder = project.processed_dir(2020)
    names = ["responses.parquet", "qa_log.csv", "qa_summary.md"]
    before = {n: (folder / n).read_bytes() for n in names}
    clean_year(project, 2020)
    assert {n: (folder / n).read_bytes() for n in names} == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)  # no temporary files left

    table = pq.read_table(folder / "responses.parquet")
    assert "__index_level_0__" not in table.column_names
    back = table.to_pandas()
    assert back["response_id"].tolist() == EXPECTED_KEPT
    assert str(back["s1_1"].dtype) == "Int8"
    assert len(back) == first.rows_out == 9
    log = pd.read_csv(folder / "qa_log.csv", dtype=str, keep_default_na=False)
    assert log.columns.tolist() == ["response_id", "source_row", "rule", "column", "value", "detail"]
    assert len(log) == len(first.qa_log) == 13
    summary = (folder / "qa_summary.md").read_text(encoding="utf-8")
    assert "`data/raw/2020/worker_survey.csv`" in summary  # relative: same bytes in any checkout
    assert "| Borsetshire Council |   | 2 |" in summary
    assert "params/org_name_map.csv" in summary and "`org_name,org_code`" in summary


def test_clean_year_reads_the_name_map(project):
    put_export(project)
    (project.params_dir / "org_name_map.csv").write_text("org_name,org_code\nBorsetshire Council,E10000016\n")
    res = clean_year(project, 2020)
    assert count(res, "unresolved_org") == 1
    assert res.unresolved["org_name"].tolist() == ["Ambridge Trust"]


def test_clean_year_without_export(project):
    with pytest.raises(InputError, match="no raw export for 2020"):
        clean_year(project, 2020)


# --- the notebook, end to end ----------------------------------------------------------------


@pytest.mark.slow
def test_notebook_cleans_the_sample(project):
    """notebooks/01-clean.ipynb runs through papermill on a small seeded sample."""
    import nbformat
    import papermill as pm

    from healthcheck.synthetic.survey import generate, write_sample

    write_sample(project, years=[2020], seed=11, n_orgs=12, scale=0.3)
    truth = generate(2020, seed=11, n_orgs=12, scale=0.3, project=project)
    notebooks = project.notebooks_dir
    out = project.root / "executed-01-clean.ipynb"
    pm.execute_notebook(
        str(notebooks / "01-clean.ipynb"),
        str(out),
        parameters={"year": 2020},
        kernel_name="python3",
        cwd=str(notebooks),
        progress_bar=False,
    )
    responses = pd.read_parquet(project.processed_dir(2020) / "responses.parquet")
    assert len(responses) == truth.n_valid
    assert responses["org_code"].nunique() == 12
    text = "".join(
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for cell in nbformat.read(out, as_version=4).cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
    )
    assert f"rows out: {truth.n_valid:,} valid responses" in text
    assert "duplicate_submission" in text and "Halton" in text
    assert (project.processed_dir(2020) / "qa_summary.md").is_file()


def test_notebook_is_saved_without_outputs():
    book = json.loads((REPO_ROOT / "notebooks" / "01-clean.ipynb").read_text(encoding="utf-8"))
    assert book["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in book["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1 and "".join(params[0]["source"]).endswith("year = None")
    call = "clean_year(Project.default(), Project.default().resolve_year(year))"
    assert any(call in "".join(c["source"]) for c in code)
