"""The one reader of raw exports (``healthcheck.ingest.readers``) and what both instruments share with it.

The worker survey's reading errors are tested with its cleaning (tests/test_clean.py,
tests/test_hostile.py); here: the encodings and cells of either export, the tidy frame, the
rules both instruments apply and the formula-safe QA log.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
import pyarrow.parquet as pq
import pytest

from healthcheck.errors import InputError
from healthcheck.ingest.outputs import formula_safe, write_parquet, write_qa_csv
from healthcheck.ingest.readers import cell_text, column_key, read_raw, tidy
from healthcheck.ingest.returns import rule_test as return_rule_test
from healthcheck.ingest.rules import (
    TEST_COMMENT,
    latest_first_order,
    marked_as_test,
    only_test_phrase,
    tidy_text,
)

TEXT = "response_id,org_name,comment\r\nR1,Halton,Caf\u00e9 \u2019fine\u2019\r\nR2,Knowsley,\r\n\r\n"


@pytest.mark.parametrize(
    ("encoding", "read_as"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with BOM"),
        ("cp1252", "Windows-1252"),
        ("utf-16", "UTF-16"),  # with a byte order mark
        ("utf-16-le", "UTF-16"),  # without one
        ("utf-16-be", "UTF-16"),
    ],
)
def test_encodings(tmp_path, encoding, read_as):
    path = tmp_path / "org_return.csv"
    path.write_bytes(TEXT.encode(encoding))
    raw = read_raw(path)
    assert raw.attrs["encoding"] == read_as
    assert raw.columns.tolist() == ["response_id", "org_name", "comment"]
    assert raw.values.tolist() == [
        ["R1", "Halton", "Caf\u00e9 \u2019fine\u2019"],
        ["R2", "Knowsley", ""],
    ]  # no trailing row


def test_xlsx_cells_read_as_a_csv_would_hold_them(tmp_path):
    path = tmp_path / "export.xlsx"
    pd.DataFrame({"id": ["R1"], "n": [12.0], "when": [datetime(2020, 10, 5, 14, 30)]}).to_excel(path, index=False)
    raw = read_raw(path)
    assert raw.attrs["encoding"] == "xlsx"
    assert raw.values.tolist() == [["R1", "12", "2020-10-05T14:30:00"]]
    assert [cell_text(v) for v in (None, 2.5, date(2020, 1, 2), time(9, 5), "x")] == [
        "",
        "2.5",
        "2020-01-02",
        "09:05:00",
        "x",
    ]


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="the raw export is missing"):
        read_raw(tmp_path / "org_return.csv")
    (tmp_path / "empty.csv").write_bytes(b" \r\n")
    with pytest.raises(InputError, match="no responses: the file is empty"):
        read_raw(tmp_path / "empty.csv")


def test_tidy_frame():
    raw = pd.DataFrame([[" R1 ", "", "x"], ["R2", " ", ""]], columns=["\ufeff Response ID", "Org  Name", ""])
    frame, headless = tidy(raw)
    assert frame.columns.tolist() == ["response_id", "org_name", "unnamed_3"]
    assert frame.index.tolist() == [2, 3]  # spreadsheet rows
    assert frame.loc[2, "response_id"] == "R1" and frame["org_name"].isna().all()
    assert headless == ["unnamed_3"]
    assert column_key("  Comment   Best ") == "comment_best"


def test_both_instruments_share_the_test_rule():
    frame = pd.DataFrame(
        {"org_name": ["Test council", "Halton", "Halton", "Halton"],
         "comment": ["", "testing", "Testing times", "this is a test return"]},
        index=[2, 3, 4, 5],
    )  # fmt: skip
    hit, why = return_rule_test(frame, ["comment"])
    assert hit.tolist() == [True, True, False, True]
    assert why[2] == "test submission: org_name 'Test council'" and why[5].startswith("test submission: comment")
    hit, _ = marked_as_test(frame, ["comment"], TEST_COMMENT)
    assert hit.tolist() == [True, True, False, False]  # 'return' is a test word of the return only
    assert only_test_phrase("return").match("Test return.") and not TEST_COMMENT.match("Test and trace")


def test_latest_first_and_free_text():
    frame = pd.DataFrame({"submitted": pd.to_datetime(["2020-10-02", None, "2020-10-01"])}, index=[2, 3, 4])
    assert latest_first_order(frame).index.tolist() == [3, 4, 2]  # blank first, then by time
    assert tidy_text("  one\u00a0 two \n\n  three  ") == "one two\nthree"


def test_qa_log_is_formula_safe(tmp_path):
    log = pd.DataFrame({"response_id": ["=HYPERLINK(1)", "R2"], "source_row": [2, 3], "detail": ["-ok", "+1"]})
    assert formula_safe(log)["response_id"].tolist() == ["'=HYPERLINK(1)", "R2"]
    assert log["response_id"][0] == "=HYPERLINK(1)"  # the frame itself is untouched
    path = write_qa_csv(tmp_path / "qa.csv", log)
    assert path.read_bytes() == b"response_id,source_row,detail\n'=HYPERLINK(1),2,'-ok\nR2,3,'+1\n"


def test_parquet_without_index(tmp_path):
    frame = pd.DataFrame({"a": [1, 2]}, index=[5, 6])
    table = pq.read_table(write_parquet(tmp_path / "t.parquet", frame))
    assert table.column_names == ["a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]
