"""Which organisation each row is: the code or name typed, resolved to a reference code.

Both instruments resolve a row the same way: the code first (any case), then the name, official
name or alias (:class:`~healthcheck.reference.organisations.OrganisationIndex`), then the
spellings listed in ``params/org_name_map.csv`` (columns ``org_name,org_code``). A code in the
name map that the reference data does not know is the user's error: it stops the cleaning with
an :class:`InputError` naming the file, the row and the column, rather than losing the rows it
was meant to keep.

A year's export is resolved as of that year
(:func:`~healthcheck.reference.organisations.organisations_as_of`): the councils of the round
first, then those abolished before it. :func:`history_notes` says, row by row, where that
history was used: a row naming an abolished council counted under its one same-service
successor (``successor_org``), or kept under the abolished council's own code because its
successors are not the same service (``ended_org``); both are flagged, never dropped.
"""

from __future__ import annotations

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError
from healthcheck.ingest.readers import column_key
from healthcheck.reference.organisations import (
    OrganisationIndex,
    looks_like_code,
    normalise,
)

#: The name map as the messages name it (relative, so the same in every checkout).
NAME_MAP_NAME = f"params/{catalogue.NAME_MAP.file}"


def load_name_map(project: Project) -> pd.DataFrame | None:
    """``params/org_name_map.csv`` (org_name,org_code) if present; ``attrs['file']`` is its path."""
    path = catalogue.NAME_MAP.path(project)
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read the name map: {type(exc).__name__}", file=path) from None
    table.columns = [column_key(c) for c in table.columns]
    for column in ("org_name", "org_code"):
        if column not in table.columns:
            raise InputError(f"missing required column {column!r}", file=path, column=column)
    table = table[["org_name", "org_code"]].apply(lambda s: s.str.strip())
    table.attrs["file"] = str(path)
    return table


def name_map_lookup(name_map: pd.DataFrame | None, index: OrganisationIndex) -> dict[str, str]:
    """Normalised name -> code from the name map; every code must be a known organisation.

    An unknown code is an :class:`InputError` naming the file (``attrs['file']``, else
    ``params/org_name_map.csv``), the spreadsheet row and the column 'org_code'.
    """
    if name_map is None or name_map.empty:
        return {}
    source = name_map.attrs.get("file") or NAME_MAP_NAME
    lookup: dict[str, str] = {}
    for number, (name, code) in enumerate(name_map[["org_name", "org_code"]].itertuples(index=False), start=2):
        if pd.isna(name) or not str(name).strip():
            continue
        found = index.by_code.get(str(code).strip().upper()) if not pd.isna(code) else None
        if found is None:
            raise InputError(
                f"org_code {code!r} for {name!r} is not a known organisation",
                file=source,
                row=number,
                column="org_code",
                hint="use an ONS code from data/reference/organisations.csv or params/organisations_extra.csv",
            )
        lookup[normalise(name)] = found
    return lookup


def resolve_organisations(frame: pd.DataFrame, index: OrganisationIndex, name_map: dict[str, str]) -> pd.Series:
    """Each row's organisation code (None if unresolved).

    Code first (any case), then name or alias, then the name map (:func:`name_map_lookup`); a
    code typed in the name column also counts.
    """
    pairs = frame[["org_code", "org_name"]].astype(object).where(frame[["org_code", "org_name"]].notna(), None)
    found: dict[tuple[object, object], str | None] = {}
    for code, name in pairs.drop_duplicates().itertuples(index=False):  # each spelling once
        result, _ = index.resolve(code, name)
        if result is None and looks_like_code(name):
            result, _ = index.resolve(name, None)
        if result is None:
            result = name_map.get(normalise(name))
        found[(code, name)] = result
    codes = [found[pair] for pair in pairs.itertuples(index=False, name=None)]
    return pd.Series(codes, index=frame.index, dtype=object)


#: The QA rules of :func:`history_notes`; both flag rows, neither drops one.
SUCCESSOR_ORG, ENDED_ORG = "successor_org", "ended_org"


def _when(value: object) -> str:
    return value.strftime("%-d %B %Y") if hasattr(value, "strftime") else str(value)


def _through_history(current: OrganisationIndex, ended: OrganisationIndex, code: object, name: object) -> str | None:
    """The abolished organisation a row names by its code or exact name (None when it names one of the round)."""
    typed = str(code).strip().upper() if code is not None and not pd.isna(code) else ""
    if typed in current.by_code:
        return None
    if typed in ended.by_code:
        return ended.by_code[typed]
    key = normalise(name)
    if key in current.by_name:
        return None
    return ended.by_name.get(key)


def history_notes(frame: pd.DataFrame, index: OrganisationIndex, codes: pd.Series, year: int) -> pd.DataFrame:
    """``rule`` and ``detail`` for each row resolved through an abolished organisation (others left out).

    ``index`` is a dated index (:func:`~healthcheck.reference.organisations.organisation_index`);
    with a plain one there is no history and the table is empty.
    """
    orgs = index.orgs
    if "in_round" not in orgs.columns:
        return pd.DataFrame({"rule": pd.Series(dtype="str"), "detail": pd.Series(dtype="str")})
    current = OrganisationIndex.build(orgs.loc[orgs["in_round"], ["org_code", "name", "official_name", "org_type",
                                                                  "region", "aliases"]].reset_index(drop=True))  # fmt: skip
    ended = OrganisationIndex.build(orgs.loc[~orgs["in_round"]].drop(columns=["in_round", "counted_as"])
                                    .reset_index(drop=True))  # fmt: skip
    pairs = frame[["org_code", "org_name"]].astype(object).where(frame[["org_code", "org_name"]].notna(), None)
    rows: dict[object, tuple[str, str]] = {}
    seen: dict[tuple[object, object, object], tuple[str, str] | None] = {}
    for row, (code, name) in pairs.iterrows():
        final = codes.get(row)
        if final is None or pd.isna(final):
            continue
        key = (code, name, final)
        if key not in seen:
            seen[key] = None
            old = _through_history(current, ended, code, name)
            if final in orgs.index and not bool(orgs.at[final, "in_round"]):
                org = orgs.loc[final]
                successors = ", ".join(
                    f"{orgs.at[c, 'name']} ({c})" if c in orgs.index else c
                    for c in str(org["successors"]).split(";")
                    if c
                )
                seen[key] = (ENDED_ORG, f"{org['name']} ({final}) ended on {_when(org['valid_to'])}, before the {year} "
                             f"round; kept under its own code (its successors, {successors or 'none'}, are not the "
                             "same service): correct org_code in the export if these are a successor's social workers")  # fmt: skip
            elif old is not None and old != final:
                before = ended.orgs.loc[old]
                seen[key] = (SUCCESSOR_ORG, f"{before['official_name']} ({old}) ended on {_when(before['valid_to'])}; "
                             f"counted as {orgs.at[final, 'official_name']} ({final}), the same service")  # fmt: skip
        if seen[key] is not None:
            rows[row] = seen[key]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["rule", "detail"])
    return out.astype({"rule": "str", "detail": "str"})


def org_key(frame: pd.DataFrame, codes: pd.Series) -> pd.Series:
    """The resolved code, or what was typed when unresolved (for comparing submissions)."""
    typed = "?" + frame["org_name"].map(normalise) + "|" + frame["org_code"].fillna("").str.upper()
    return codes.where(codes.notna(), typed).astype(str)


def unresolved_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Unresolved (org_name, org_code) as typed with their row counts, most rows first."""
    typed = frame[["org_name", "org_code"]].astype(object).fillna("")
    table = typed.groupby(["org_name", "org_code"], sort=False).size().rename("rows").reset_index()
    table = table.sort_values(["rows", "org_name", "org_code"], ascending=[False, True, True], kind="stable")
    return table.reset_index(drop=True).astype({"org_name": "str", "org_code": "str", "rows": "int64"})
