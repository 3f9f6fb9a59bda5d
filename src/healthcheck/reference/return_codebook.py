"""The organisational return's codebook: one row per Annex C question, validated where it is read.

``data/reference/return_codebook.csv`` (``params/<year>/return_codebook.csv`` for a year whose
form changed) names each question by its ``qid`` (the export's column), the standard it belongs
to, its type (single, multi, number or text), its ';'-separated options and, for a follow-up,
the filter ``parent_qid=Option`` that decides who is asked it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.reference.areas import load_areas, standard_codes
from healthcheck.reference.labels import label_text_key

#: The export's columns besides the questions; no question may take one of these names.
META_COLUMNS = ["response_id", "submitted", "org_code", "org_name", "service"]
TYPES = ["single", "multi", "number", "text"]
CODEBOOK_COLUMNS = ["qid", "standard", "question", "type", "options", "filter", "unit"]
#: Optional columns, added empty when absent.
OPTIONAL_COLUMNS = ["title", "base_label", "finding"]
#: The return's section before the standards.
GENERAL = "general"


def return_codebook_path(project: Project, year: int | None = None) -> Path:
    """The year's revision of the return codebook where one exists, else the reference codebook."""
    if year is not None and catalogue.YEAR_RETURN_CODEBOOK.exists(project, year):
        return catalogue.YEAR_RETURN_CODEBOOK.path(project, year)
    return catalogue.RETURN_CODEBOOK.path(project)


def load_return_codebook(project: Project | None = None, year: int | None = None) -> pd.DataFrame:
    """The return's codebook, one row per Annex C question, validated.

    ``params/<year>/return_codebook.csv`` replaces ``data/reference/return_codebook.csv`` for a
    year whose form changed. Optional columns ``title``, ``base_label`` and ``finding`` are
    added empty when absent.
    """
    project = project or Project.default()
    path = return_codebook_path(project, year)
    if not path.is_file():
        raise InputError("the return codebook is missing", file=path)
    book = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return validate_codebook(book, path, standards=return_standards(load_areas(project)))


def return_standards(areas: pd.DataFrame) -> list[str]:
    """What a question's ``standard`` may be: 'general' or a standard of the areas table."""
    return [GENERAL, *standard_codes(areas)]


def validate_codebook(
    book: pd.DataFrame, path: object = "return codebook", *, standards: list[str] | None = None
) -> pd.DataFrame:
    """Check a codebook: known types, options where needed, filters naming an earlier question.

    ``standards`` are the accepted values of the ``standard`` column (default: 'general' and the
    standards of the project's areas table).
    """
    if standards is None:
        standards = return_standards(load_areas())
    book = book.copy()
    book.columns = [str(c).strip().lower() for c in book.columns]
    missing = [c for c in CODEBOOK_COLUMNS if c not in book.columns]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}", file=path, column=missing[0])
    for column in OPTIONAL_COLUMNS:
        if column not in book.columns:
            book[column] = ""
    book = book.fillna("").astype(str).apply(lambda s: s.str.strip())
    seen: dict[str, int] = {}
    for i, row in enumerate(book.itertuples(index=False), start=2):

        def fail(message: str, column: str, *, _row: int = i) -> None:
            raise InputError(message, file=path, row=_row, column=column)

        if not re.fullmatch(r"[a-z][a-z0-9_]*", row.qid):
            fail(f"qid {row.qid!r} must be lower-case letters, digits and '_'", "qid")
        if row.qid in seen or row.qid in META_COLUMNS:
            fail(f"qid {row.qid!r} appears twice", "qid")
        if row.standard not in standards:
            fail(f"standard {row.standard!r} is not one of {', '.join(standards)}", "standard")
        if row.type not in TYPES:
            fail(f"type {row.type!r} is not one of {', '.join(TYPES)}", "type")
        opts = split_options(row.options)
        if row.type in ("single", "multi"):
            if len(opts) < 2:
                fail("a single or multi question needs at least two ';'-separated options", "options")
            if len({label_text_key(o) for o in opts}) != len(opts):
                fail("the same option is listed twice", "options")
        elif opts:
            fail(f"a {row.type} question has no options", "options")
        if row.filter:
            parsed = parse_filter(row.filter)
            if parsed is None:
                fail(f"filter {row.filter!r} must read parent_qid=Option", "filter")
            parent, value = parsed
            if parent not in seen:
                fail(f"filter names {parent!r}, which is not an earlier question", "filter")
            parent_row = book.iloc[seen[parent]]
            if label_text_key(value) not in {label_text_key(o) for o in split_options(parent_row["options"])}:
                fail(f"filter value {value!r} is not an option of {parent!r}", "filter")
        seen[row.qid] = i - 2
    return book.reset_index(drop=True)


def split_options(text: object) -> list[str]:
    """';'-separated labels as a list, blanks left out."""
    return [o.strip() for o in str(text or "").split(";") if o.strip()]


def parse_filter(text: object) -> tuple[str, str] | None:
    """``'parent_qid=Option'`` as (parent, option); None if there is no filter."""
    text = str(text or "").strip()
    if "=" not in text:
        return None
    parent, value = text.split("=", 1)
    return (parent.strip(), value.strip()) if parent.strip() and value.strip() else None


def question(codebook: pd.DataFrame, qid: str) -> pd.Series:
    """One question's codebook row, or a clear error."""
    hit = codebook.loc[codebook["qid"] == qid]
    if hit.empty:
        raise KeyError(f"{qid!r} is not a question of the return codebook")
    return hit.iloc[0]


def options(codebook: pd.DataFrame, qid: str) -> list[str]:
    """A question's option labels in the form's order."""
    return split_options(question(codebook, qid)["options"])


def qids(codebook: pd.DataFrame, *types: str) -> list[str]:
    """Question ids of the given types (all if none), in codebook order."""
    book = codebook if not types else codebook[codebook["type"].isin(types)]
    return book["qid"].tolist()
