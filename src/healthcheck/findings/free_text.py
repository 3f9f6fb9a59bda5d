"""The council's own respondents' comments, redacted, for a report made with ``show_free_text`` on.

Only the council's rows and only the comment columns of ``responses.parquet`` are read; every
comment goes through :class:`healthcheck.text.redact.Redactor` and is written as literal text.
"""

from __future__ import annotations

import pandas as pd

from healthcheck.catalogue import RESPONSES
from healthcheck.config import Project
from healthcheck.reference.organisations import load_organisations
from healthcheck.text.redact import Redactor, markdown_literal
from healthcheck.text.words import possessive
from healthcheck.views.council import CouncilView

#: The free-text columns of responses.parquet and the heading each gets in the report.
COMMENT_HEADINGS = {"comment_best": "What works well", "comment_improve": "What could be better"}


def load_own_comments(project: Project, view: CouncilView) -> pd.DataFrame:
    """The council's own respondents' comments (``comment_best``, ``comment_improve``), nothing else.

    Reads from ``responses.parquet`` only the rows whose ``org_code`` is the council's (a
    filter pushed down to the parquet reader) and only the comment columns; empty for a
    suppressed council, which never gets them.
    """
    columns = list(COMMENT_HEADINGS)
    if view.suppressed:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    path = RESPONSES.path(project, view.year)
    frame = pd.read_parquet(path, columns=["org_code", *columns], filters=[("org_code", "==", view.code)])
    frame = frame[frame["org_code"] == view.code]  # the filter again: never trust it to be the only guard
    return frame[columns].reset_index(drop=True)


def free_text_section(view: CouncilView, comments: pd.DataFrame, orgs: pd.DataFrame) -> str:
    """Markdown: a heading, a note on redaction, then each question's comments, redacted.

    ``comments`` must hold only this council's respondents (see :func:`load_own_comments`);
    ``orgs`` is the organisations frame whose names are redacted. Each question's comments
    are listed in alphabetical order, so two comments cannot be paired up as one person's.
    Every comment is written as literal text (no markdown or HTML in it is acted on).
    """
    if view.suppressed:
        return ""
    redactor = Redactor.from_organisations(orgs)
    parts = [
        f"## Comments from {possessive(view.name)} respondents",
        f"These are the free-text answers of {possessive(view.name)} own respondents only. Before they are "
        "shown, e-mail addresses, phone numbers, postcodes and the names of people after a title (Mr, Mrs, "
        "Ms, Dr ...) are replaced by a marker such as [name], and the name of any organisation, this one "
        "included, by <Council Name>. The comments of each question are in alphabetical order, not by "
        "respondent. Comments are individual views, not findings of the survey.",
    ]
    parts[1] = markdown_literal(parts[1])
    for column, heading in COMMENT_HEADINGS.items():
        texts = [redactor(t) for t in comments[column].dropna() if str(t).strip()] if column in comments else []
        texts = sorted((t for t in texts if t.strip()), key=str.casefold)
        parts.append(f"### {heading}")
        if texts:
            parts.append("\n".join(f"- {markdown_literal(t)}" for t in texts))
        else:
            parts.append("No comments were given.")
    return "\n\n".join(parts)


def free_text(project: Project, view: CouncilView, *, show: bool = False) -> str:
    """The report's free-text section: '' unless ``show`` is true and the council has figures."""
    if not show or view.suppressed:
        return ""
    return free_text_section(view, load_own_comments(project, view), load_organisations(project))


__all__ = ["COMMENT_HEADINGS", "free_text", "free_text_section", "load_own_comments"]
