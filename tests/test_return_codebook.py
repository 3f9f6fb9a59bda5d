"""The return codebook's reading and accessors (``healthcheck.reference.return_codebook``) and label keys."""

from __future__ import annotations

import pandas as pd
import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import InputError
from healthcheck.reference.areas import load_areas
from healthcheck.reference.labels import label_key, label_text_key
from healthcheck.reference.return_codebook import (
    load_return_codebook,
    options,
    parse_filter,
    qids,
    question,
    return_standards,
    split_options,
    validate_codebook,
)

REPO = Project(REPO_ROOT)


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return load_return_codebook(REPO)


def test_accessors(book):
    assert split_options(" Yes; No ;;Don't know ") == ["Yes", "No", "Don't know"]
    assert split_options(None) == [] and split_options("") == []
    assert parse_filter("exit_interviews = Yes") == ("exit_interviews", "Yes")
    assert parse_filter("") is None and parse_filter("=Yes") is None and parse_filter("x=") is None
    assert question(book, "caseload")["type"] == "number"
    with pytest.raises(KeyError, match="not a question of the return codebook"):
        question(book, "nope")
    assert options(book, "supervision_training_reflective") == ["Yes", "No", "Don't know"]
    assert qids(book) == book["qid"].tolist()
    assert qids(book, "number")[:2] == ["fte_posts", "unfilled_posts"]
    assert {"title", "base_label", "finding"} <= set(book.columns)


def test_standards_come_from_the_areas_table():
    assert return_standards(load_areas(REPO)) == ["general", *(f"s{i}" for i in range(1, 9))]


def test_a_standard_the_areas_table_lacks_is_an_error(book):
    changed = book.copy()
    changed.loc[changed["qid"] == "caseload", "standard"] = "s9"
    with pytest.raises(InputError, match="standard 's9' is not one of general, s1") as err:
        validate_codebook(changed, "return_codebook.csv", standards=return_standards(load_areas(REPO)))
    assert err.value.column == "standard"
    assert len(validate_codebook(changed, "x", standards=["general", *(f"s{i}" for i in range(1, 10))])) == len(book)


def test_a_projects_areas_decide_the_standards(project):
    path = project.reference_dir / "areas.csv"
    path.write_text(path.read_text(encoding="utf-8") + "s9,standard,9,A ninth,Ninth,14\n", encoding="utf-8")
    book = project.reference_dir / "return_codebook.csv"
    frame = pd.read_csv(book, dtype=str, keep_default_na=False)
    frame.loc[frame["qid"] == "caseload", "standard"] = "s9"
    frame.to_csv(book, index=False)
    assert question(load_return_codebook(project), "caseload")["standard"] == "s9"


def test_a_years_codebook_replaces_the_reference_one(project):
    folder = project.year_params_dir(2021)
    folder.mkdir(parents=True)
    (folder / "return_codebook.csv").write_text(
        "qid,standard,question,type,options,filter,unit\nco_work,general,Co-working?,single,Yes;No,,\n",
        encoding="utf-8",
    )
    assert qids(load_return_codebook(project, 2021)) == ["co_work"]
    assert len(load_return_codebook(project, 2020)) == 73


def test_missing_codebook(project):
    (project.reference_dir / "return_codebook.csv").unlink()
    with pytest.raises(InputError, match="the return codebook is missing"):
        load_return_codebook(project)


@pytest.mark.parametrize(
    ("typed", "label"),
    [("Don\u2019t  know", "Don't know"), ("DONT KNOW", "Don't know"), ("don`t know", "Don't know")],
)
def test_label_key(typed, label):
    assert label_key(typed) == label_key(label)


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("1-10", "1 - 10"),
        ("more than 80 %", "More than 80%"),
        ("Other (please specify):", "Other"),
        ("a \u2013 b", "a - b"),
    ],
)
def test_label_text_key(typed, label):
    assert label_text_key(typed) == label_text_key(label)
    assert label_key("Other (please specify)") != label_key("Other")
