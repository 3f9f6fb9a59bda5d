"""Headcounts (``params/<year>/headcounts.csv``): read once, checked, optional."""

from __future__ import annotations

import pytest

from healthcheck.errors import InputError
from healthcheck.ingest.headcounts import (
    load_headcounts,
    no_headcounts,
    read_headcounts,
)


def test_absent_file_gives_an_empty_table(tmp_path):
    table = read_headcounts(tmp_path / "headcounts.csv")
    assert table.empty and table.columns.tolist() == ["org_code", "headcount"]
    assert str(table["headcount"].dtype) == "Int64"
    assert no_headcounts().dtypes.astype(str).tolist() == ["string", "Int64"]


def test_codes_tidied_and_counts_whole_numbers(tmp_path):
    path = tmp_path / "headcounts.csv"
    path.write_bytes(b"\xef\xbb\xbforg_code,headcount,note\n e06000006 , 55 ,x\nE08000011,,\n")
    table = read_headcounts(path)
    assert table["org_code"].tolist() == ["E06000006", "E08000011"]
    assert table["headcount"].tolist()[0] == 55 and table["headcount"].isna().tolist() == [False, True]


@pytest.mark.parametrize("bad", ["many", "-3"])
def test_bad_count_names_row_and_column(tmp_path, bad):
    path = tmp_path / "headcounts.csv"
    path.write_text(f"org_code,headcount\nE06000006,55\nE08000011,{bad}\n", encoding="utf-8")
    with pytest.raises(InputError, match="headcount must be a whole number") as err:
        read_headcounts(path)
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 3, "headcount")


def test_missing_column(tmp_path):
    path = tmp_path / "headcounts.csv"
    path.write_text("org_code,staff\nE06000006,55\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing required column") as err:
        read_headcounts(path)
    assert err.value.column == "headcount"


def test_a_years_headcounts_from_the_project(project):
    assert load_headcounts(project, 2020).empty
    folder = project.year_params_dir(2020)
    folder.mkdir(parents=True)
    (folder / "headcounts.csv").write_text("org_code,headcount\nE06000006,55\n", encoding="utf-8")
    assert load_headcounts(project, 2020).to_dict("records") == [{"org_code": "E06000006", "headcount": 55}]
