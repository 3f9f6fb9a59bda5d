"""Reading what the pipeline wrote: a year's processed tables and the parameters they were scored with.

Every view reads its tables here, by their :mod:`healthcheck.catalogue` entries, so that what a
report reads is what the catalogue declares (and the batch manifest hashes). Nothing here
writes: a missing table is an :class:`~healthcheck.errors.InputError` saying which command
builds it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from pydantic import ValidationError

from healthcheck import catalogue as cat
from healthcheck.catalogue import Entry
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.params import ScoringParams, load_scoring_params
from healthcheck.reference.services import Service, of_service


def read_table(
    project: Project, year: int, entry: Entry, columns: list[str] | None = None, service: Service = "all"
) -> pd.DataFrame:
    """One processed table of a year, of one service; :class:`InputError` naming the file and the command when missing.

    The scoring and trend tables hold every service's figures under a ``service`` column
    (:mod:`healthcheck.reference.services`); this returns ``service``'s rows without that column.
    A table written before services were scored holds all services only.
    """
    path = entry.path(project, year)
    if not path.is_file():
        raise InputError(
            "scoring table is missing" if entry.stage == "score" else f"the table of {entry.description} is missing",
            file=path,
            hint=f"run `healthcheck score --year {year}` (or `healthcheck run`) to build it",
        )
    if columns is not None and "service" in pq.read_schema(path).names:
        columns = ["service", *columns]
    return of_service(pd.read_parquet(path, columns=columns), service)


def read_tables(
    project: Project, year: int, entries: Iterable[Entry] = cat.SCORING_TABLES, service: Service = "all"
) -> dict[str, pd.DataFrame]:
    """Several processed tables of a year by name (the scoring tables by default), of one service."""
    return {entry.name: read_table(project, year, entry, service=service) for entry in entries}


def read_meta(project: Project, year: int) -> dict[str, Any]:
    """``scores_meta.json`` of a year (an empty mapping when it is absent)."""
    path = cat.SCORES_META.path(project, year)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", file=path) from exc
    return data if isinstance(data, dict) else {}


def scored_params(project: Project, year: int, meta: dict[str, Any] | None = None) -> ScoringParams:
    """The parameters a year's tables were scored with: the copy in ``scores_meta.json``.

    Tables scored before the metadata kept a copy are read with ``params/`` as it is now; a
    copy that no longer validates is an error (re-score the year) rather than a silent switch
    to today's parameters, which could rate the figures differently from how they were scored.
    """
    meta = read_meta(project, year) if meta is None else meta
    stored = meta.get("params")
    if stored is None:
        return load_scoring_params(project, year)
    try:
        return ScoringParams(**stored)
    except (TypeError, ValidationError) as exc:
        raise InputError(
            f"the scoring parameters recorded with the tables are not valid: {exc}",
            file=cat.SCORES_META.path(project, year),
            hint=f"score the year again with `healthcheck score --year {year}`",
        ) from None


def read_return(project: Project, year: int) -> pd.DataFrame | None:
    """The year's cleaned organisational returns; None when the year has no return at all.

    A raw return that has not been cleaned is an error saying how to clean it: a report never
    cleans data itself.
    """
    path = cat.ORG_RETURN.path(project, year)
    if path.is_file():
        return pd.read_parquet(path)
    if cat.ORG_RETURN_RAW.exists(project, year):
        raise InputError(
            "the organisational return has not been cleaned",
            file=path,
            hint=f"run `healthcheck clean --year {year}` (or `healthcheck run`)",
        )
    return None
