"""Which organisations have agreed to be named in the regional reports (``params/consent_to_be_named.csv``)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from healthcheck import catalogue as cat
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.reference.organisations import load_organisations

CONSENT_COLUMNS = ["org_code", "consent", "date", "source"]
_YES, _NO = {"yes", "y"}, {"no", "n"}


def _parse_date(text: str) -> date | None:
    """ISO 8601 (2021-01-12) or day first (12/01/2021); None when it is neither."""
    text = text.strip()
    for pattern, dayfirst in ((r"^\d{4}-\d{2}-\d{2}$", False), (r"^\d{1,2}/\d{1,2}/\d{4}$", True)):
        if re.match(pattern, text):
            try:
                return pd.to_datetime(text, dayfirst=dayfirst, format="%Y-%m-%d" if not dayfirst else "%d/%m/%Y").date()
            except (ValueError, TypeError):
                return None
    return None


def read_consent(path: Path, orgs: pd.DataFrame) -> pd.DataFrame:
    """``params/consent_to_be_named.csv``, checked: columns ``org_code, consent, date, source``.

    One row per organisation (a known code, any case); ``consent`` is yes or no; a yes needs a
    ``date`` (2021-01-12 or 12/01/2021) or a ``source`` saying where the consent is recorded.
    Blank lines are skipped, extra columns ignored. A missing file means nobody has consented.
    Every mistake is an :class:`InputError` naming the file, row (header = row 1) and column.
    Returns ``org_code, consent (bool), date, source``.
    """
    empty = pd.DataFrame({"org_code": pd.Series(dtype="str"), "consent": pd.Series(dtype="bool"),
                          "date": pd.Series(dtype="object"), "source": pd.Series(dtype="str")})  # fmt: skip
    if not path.is_file():
        return empty
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise InputError(
            "the file is empty: it needs the header org_code,consent,date,source", file=path, row=1
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV file: {exc}", file=path) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for col in ("org_code", "consent"):
        if col not in frame.columns:
            raise InputError(
                f"missing required column '{col}' (expected {','.join(CONSENT_COLUMNS)})", file=path, row=1, column=col
            )
    if "date" not in frame.columns and "source" not in frame.columns:
        raise InputError(
            "needs a 'date' or a 'source' column to record where each consent comes from", file=path, row=1
        )
    for col in ("date", "source"):
        if col not in frame.columns:
            frame[col] = ""
    known = set(orgs["org_code"].str.upper())
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + 2  # the header is row 1
        cells = {k: str(v).strip() for k, v in rec.items()}
        if not any(cells.values()):
            continue
        code = cells["org_code"].upper()
        if not code:
            raise InputError("org_code is blank", file=path, row=row, column="org_code")
        if code not in known:
            raise InputError(
                f"unknown organisation code {cells['org_code']!r}", file=path, row=row, column="org_code",
                hint="use an ONS code from data/reference/organisations.csv or an NC code from params/organisations_extra.csv",
            )  # fmt: skip
        if code in seen:
            raise InputError(
                f"organisation {code} is listed twice (first on row {seen[code]})",
                file=path,
                row=row,
                column="org_code",
            )
        seen[code] = row
        answer = cells["consent"].lower()
        if answer not in _YES | _NO:
            raise InputError(
                f"consent must be yes or no, got {cells['consent']!r}", file=path, row=row, column="consent"
            )
        when = None
        if cells["date"]:
            when = _parse_date(cells["date"])
            if when is None:
                raise InputError(
                    f"date must be a date such as 2021-01-12 or 12/01/2021, got {cells['date']!r}",
                    file=path, row=row, column="date",
                )  # fmt: skip
        consent = answer in _YES
        if consent and when is None and not cells["source"]:
            raise InputError(
                "a consent needs a date or a source (where it is recorded)", file=path, row=row, column="date"
            )
        rows.append({"org_code": code, "consent": consent, "date": when, "source": cells["source"]})
    if not rows:
        return empty
    out = pd.DataFrame(rows).astype({"consent": "bool"})
    out["date"] = pd.Series([r["date"] for r in rows], dtype=object)  # None stays None, not NaN
    return out


def load_consent(project: Project | None = None, orgs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The project's consent file, checked against its organisations."""
    project = project or Project.default()
    orgs = load_organisations(project) if orgs is None else orgs
    return read_consent(cat.CONSENT.path(project), orgs)


def consenting(consent: pd.DataFrame) -> set[str]:
    """The codes of the organisations that have agreed to be named."""
    return set(consent.loc[consent["consent"].astype(bool), "org_code"])
