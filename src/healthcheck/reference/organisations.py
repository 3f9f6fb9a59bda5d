"""Naming organisations: from a code, an official name or any of the ways people type it, as of a year.

Matching is case- and punctuation-insensitive. A name is tried whole first, then with the
generic words of council names ('Borough Council', 'MBC', 'London Borough of' ...) taken off,
so that 'HALTON B.C.' and 'halton borough council ' both find Halton. A key that would point to
two organisations is dropped rather than guessed.

Councils change: ``data/reference/organisations.csv`` is the list as at April 2020 (the one the
sample uses) and ``data/reference/organisation_changes.csv`` the councils created and abolished
since 2019, with their dates, successors and whether a successor is the same social work
service (the same area and staff under a new council). :func:`organisations_as_of` gives every
organisation a year's export may name and the code each is counted under that year;
:func:`load_organisations` with a year gives the organisations of that year's round (for
'N of M'), and :func:`organisation_index` the look-up a year's export and reports resolve with.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from healthcheck import catalogue
from healthcheck.config import Project
from healthcheck.errors import InputError, UnknownOrganisationError
from healthcheck.reference.readers import read_reference_csv

ORG_TYPES = ["Shire County", "London Borough", "Metropolitan District", "Unitary Authority"]
NON_COUNCIL = "Non-council"
#: England's nine regions in the ONS order, with their ONS codes.
REGION_CODES = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
}
REGIONS = list(REGION_CODES)
#: England's ONS code, for the national reports.
ENGLAND_CODE = "E92000001"

ORG_COLUMNS = ["org_code", "name", "official_name", "org_type", "region", "aliases"]
#: The columns of ``organisation_changes.csv`` beyond :data:`ORG_COLUMNS`.
CHANGE_COLUMNS = ["valid_from", "valid_to", "successors", "same_service", "note"]
#: The dated columns :func:`organisations_as_of` adds: ``in_round`` (it existed on the round's
#: date) and ``counted_as`` (the code its responses count under that year).
DATED_COLUMNS = [*ORG_COLUMNS, *CHANGE_COLUMNS, "in_round", "counted_as"]

_GENERIC = {
    "council", "borough", "city", "county", "metropolitan", "district", "royal", "london",
    "the", "of", "corporation", "mbc", "bc", "cc", "mdc", "lb", "rb", "ltd", "limited",
}  # fmt: skip
_CODE = re.compile(r"^[A-Za-z]\d{8}$|^NC\d{3}$", re.IGNORECASE)


def normalise(text: object) -> str:
    """Lower case, ASCII letters and digits only, '&' read as 'and', single spaces.

    Runs of single letters are joined, so that 'B.C.' and 'B C' both read 'bc'.
    """
    if text is None or text is pd.NA or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    s = s.lower().replace("&", " and ").replace("'", "")
    words: list[str] = []
    joining = False  # the last word is a run of single letters
    for word in re.sub(r"[^a-z0-9]+", " ", s).split():
        single = len(word) == 1 and word.isalpha()
        if single and joining:
            words[-1] += word
        else:
            words.append(word)
        joining = single
    return " ".join(words)


def core(text: str) -> str:
    """A normalised name without the generic words of council names."""
    words = [w for w in normalise(text).split() if w not in _GENERIC]
    return " ".join(words)


def _text(value: object) -> str:
    """A cell as text; missing (None, NaN, NA) is '' rather than 'nan'."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _spellings(name: object, official_name: object, aliases: object) -> list[str]:
    """An organisation's name, official name and ';'-separated aliases, blanks left out."""
    spellings = [_text(name), _text(official_name), *_text(aliases).split(";")]
    return [s.strip() for s in spellings if s.strip()]


def looks_like_code(text: object) -> bool:
    return bool(_CODE.match(str(text).strip())) if text is not None and not pd.isna(text) else False


@dataclass
class OrganisationIndex:
    """Look-up from codes and every known spelling to an organisation code."""

    orgs: pd.DataFrame
    by_code: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    by_core: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, orgs: pd.DataFrame) -> OrganisationIndex:
        """The index of ``orgs``; with the dated columns of :func:`organisations_as_of`, as of that year.

        Dated: a code or spelling leads to the code the organisation is counted under that
        year (an abolished county to its one same-service successor), and the organisations of
        the round claim a spelling first, so that 'North Yorkshire' is the council of the year
        and 'North Yorkshire County Council' still finds it.
        """
        index = cls(orgs=orgs.set_index("org_code", drop=False))
        dated = "counted_as" in orgs.columns
        tiers = [orgs[orgs["in_round"]], orgs[~orgs["in_round"]]] if dated else [orgs]
        for tier in tiers:
            names: dict[str, set[str]] = {}
            cores: dict[str, set[str]] = {}
            for row in tier.itertuples(index=False):
                target = row.counted_as if dated else row.org_code
                index.by_code.setdefault(row.org_code.upper(), target)
                for spelling in _spellings(row.name, row.official_name, row.aliases):
                    names.setdefault(normalise(spelling), set()).add(target)
                    if c := core(spelling):
                        cores.setdefault(c, set()).add(target)
            # a key the round's organisations share (or claimed) is not given to an older one
            taken_names, taken_cores = set(index.by_name), set(index.by_core)
            index.by_name |= {k: next(iter(v)) for k, v in names.items() if len(v) == 1 and k and k not in taken_names}
            index.by_core |= {k: next(iter(v)) for k, v in cores.items() if len(v) == 1 and k and k not in taken_cores}
            if dated:  # an ambiguous key among the round's organisations stays unusable for older ones too
                index.by_name |= {k: "" for k, v in names.items() if len(v) > 1 and k not in taken_names}
                index.by_core |= {k: "" for k, v in cores.items() if len(v) > 1 and k not in taken_cores}
        index.by_name = {k: v for k, v in index.by_name.items() if v}
        index.by_core = {k: v for k, v in index.by_core.items() if v}
        return index

    def resolve_name(self, name: object) -> str | None:
        """The code of the organisation a free-text name refers to, or None."""
        key = normalise(name)
        if not key:
            return None
        if key in self.by_name:
            return self.by_name[key]
        return self.by_core.get(core(key))

    def resolve(self, code: object = None, name: object = None) -> tuple[str | None, str]:
        """Resolve by code first, then by name; returns (code or None, how it was matched)."""
        if code is not None and not pd.isna(code) and str(code).strip():
            found = self.by_code.get(str(code).strip().upper())
            if found:
                return found, "code"
        found = self.resolve_name(name)
        if found:
            return found, "name"
        return None, "unresolved"

    def lookup(self, council: str) -> pd.Series:
        """One organisation's row from a code or a name, or a clear error."""
        code, _ = self.resolve(council, council)
        if code is None:
            raise UnknownOrganisationError(
                f"no organisation matches {council!r}: give an ONS code such as E06000006 "
                "or a name such as 'Halton' (see data/reference/organisations.csv)"
            )
        return self.orgs.loc[code]

    def all_spellings(self, code: str) -> list[str]:
        """Every name, official name and alias of one organisation, and its code."""
        row = self.orgs.loc[code]
        return sorted({row["org_code"], *_spellings(row["name"], row["official_name"], row["aliases"])})


def slug(name: str) -> str:
    """A safe folder name: lower-case ASCII words joined by hyphens, never a path."""
    s = normalise(name).replace(" ", "-")
    s = re.sub(r"[^a-z0-9-]", "", s).strip("-")
    return s[:80] or "organisation"


def load_organisations(project: Project | None = None, year: int | None = None) -> pd.DataFrame:
    """Every council in the reference data plus the non-council employers in ``params/``.

    Without ``year``: the councils of ``organisations.csv`` (April 2020). With it: the
    organisations of that year's round (:func:`organisations_as_of`, ``in_round``), the ones
    to count 'N of M' against, with :data:`ORG_COLUMNS` only.
    """
    project = project or Project.default()
    if year is not None:
        dated = organisations_as_of(project, year)
        return dated.loc[dated["in_round"], ORG_COLUMNS].reset_index(drop=True)
    councils_path = catalogue.ORGANISATIONS.path(project)
    councils = read_reference_csv(councils_path, ORG_COLUMNS)
    extra_path = catalogue.ORGANISATIONS_EXTRA.path(project)
    frames = [councils]
    if extra_path.is_file():
        extra = read_reference_csv(extra_path, ["org_code", "name"])
        for col in ORG_COLUMNS:
            if col not in extra.columns:
                extra[col] = ""
        extra["org_type"] = extra["org_type"].replace("", NON_COUNCIL)
        extra["official_name"] = extra["official_name"].where(extra["official_name"] != "", extra["name"])
        frames.append(extra[ORG_COLUMNS])
    orgs = pd.concat(frames, ignore_index=True)
    orgs["org_code"] = orgs["org_code"].str.strip().str.upper()
    dupes = orgs["org_code"].duplicated()
    if dupes.any():
        first = int(dupes.idxmax())
        # name the file holding the second copy (the councils file when both are in it)
        in_councils = first < len(councils)
        path = councils_path if in_councils else extra_path
        row = first + 2 if in_councils else first - len(councils) + 2
        raise InputError(
            f"organisation code {orgs.loc[first, 'org_code']} appears twice", file=path, row=row, column="org_code"
        )
    orgs["region"] = orgs["region"].replace("", pd.NA)
    return orgs.reset_index(drop=True)


def is_council(orgs: pd.DataFrame) -> pd.Series:
    return orgs["org_type"].isin(ORG_TYPES)


# ---------------------------------------------------------------------------------------
# organisations as they change
# ---------------------------------------------------------------------------------------
def round_date(year: int) -> date:
    """The day a year's round is taken as of: 1 October of the year.

    The Health Check's rounds run in the autumn (the 2020 round from October to December 2020),
    and councils are created and abolished on 1 April, so any day from April to March would
    give the same organisations; docs/assumptions.md records the choice.
    """
    return date(int(year), 10, 1)


def _iso(value: str, path: object, row: int, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{column} must be a date written 2023-04-01, got {value!r}", file=path, row=row,
                         column=column) from None  # fmt: skip


def load_changes(project: Project, base: pd.DataFrame | None = None) -> pd.DataFrame:
    """``organisation_changes.csv``, checked: every organisation created or abolished since 2019.

    A row for an organisation of ``organisations.csv`` gives only its dates and successors (its
    names come from there); any other row is an organisation of its own and names it in full.
    ``successors`` are ';'-separated codes; ``same_service`` is ``yes`` where the one successor
    took on the same social work service (the same area and staff), else ``no``. Dates are
    ISO (``valid_to`` the last day it existed). Returns the file's columns with dates as
    :class:`datetime.date` (None when open) and ``same_service`` as bool. An absent file: no changes.
    """
    path = catalogue.ORGANISATION_CHANGES.path(project)
    if not path.is_file():
        return pd.DataFrame(columns=[*ORG_COLUMNS, *CHANGE_COLUMNS])
    frame = read_reference_csv(path, [*ORG_COLUMNS, *CHANGE_COLUMNS]).map(str.strip)
    frame["org_code"] = frame["org_code"].str.upper()
    base = load_organisations(project) if base is None else base
    known = set(base["org_code"]) | set(frame["org_code"])
    in_base = set(base["org_code"])
    froms, tos, same = [], [], []
    for number, row in enumerate(frame.itertuples(index=False), start=2):
        if not looks_like_code(row.org_code):
            raise InputError(f"not an ONS code: {row.org_code!r}", file=path, row=number, column="org_code")
        if (frame["org_code"] == row.org_code).sum() > 1:
            raise InputError(f"organisation code {row.org_code} appears twice", file=path, row=number,
                             column="org_code")  # fmt: skip
        if row.org_code not in in_base:
            for column in ("name", "official_name"):
                if not getattr(row, column):
                    raise InputError(f"{column} is blank for {row.org_code}, which is not in organisations.csv",
                                     file=path, row=number, column=column)  # fmt: skip
            if row.org_type not in ORG_TYPES:
                raise InputError(f"org_type must be one of {', '.join(ORG_TYPES)}, got {row.org_type!r}",
                                 file=path, row=number, column="org_type")  # fmt: skip
            if row.region not in REGION_CODES:
                raise InputError(f"region must be one of England's nine regions, got {row.region!r}", file=path,
                                 row=number, column="region")  # fmt: skip
        start = _iso(row.valid_from, path, number, "valid_from")
        end = _iso(row.valid_to, path, number, "valid_to")
        if start and end and end < start:
            raise InputError("valid_to is before valid_from", file=path, row=number, column="valid_to")
        successors = [c.strip().upper() for c in row.successors.split(";") if c.strip()]
        unknown = [c for c in successors if c not in known]
        if unknown:
            raise InputError(f"successor {unknown[0]} is not a known organisation", file=path, row=number,
                             column="successors")  # fmt: skip
        if successors and end is None:
            raise InputError("an organisation with successors needs the last day it existed", file=path,
                             row=number, column="valid_to")  # fmt: skip
        flag = row.same_service.lower()
        if flag not in ("yes", "no", ""):
            raise InputError(f"same_service must be yes or no, got {row.same_service!r}", file=path, row=number,
                             column="same_service")  # fmt: skip
        if flag == "yes" and len(successors) != 1:
            raise InputError("same_service 'yes' needs exactly one successor", file=path, row=number,
                             column="same_service")  # fmt: skip
        froms.append(start)
        tos.append(end)
        same.append(flag == "yes")
    frame["successors"] = frame["successors"].str.upper().str.replace(" ", "")
    frame["valid_from"], frame["valid_to"], frame["same_service"] = froms, tos, same
    return frame.reset_index(drop=True)


def organisation_history(project: Project | None = None) -> pd.DataFrame:
    """Every organisation the reference data knows, with the dates it existed and its successors.

    Columns :data:`ORG_COLUMNS` and :data:`CHANGE_COLUMNS`: the councils of ``organisations.csv``,
    the non-council employers of ``params/`` and the councils created or abolished in
    ``organisation_changes.csv`` (dates None where open).
    """
    project = project or Project.default()
    base = load_organisations(project)
    changes = load_changes(project, base)
    out = base.copy()
    for column in CHANGE_COLUMNS:
        out[column] = None if column in ("valid_from", "valid_to") else ""
    out["same_service"] = False
    dated = changes.set_index("org_code")
    here = out["org_code"].isin(dated.index)
    for column in CHANGE_COLUMNS:
        out.loc[here, column] = out.loc[here, "org_code"].map(dated[column])
    new = changes[~changes["org_code"].isin(base["org_code"])]
    out = pd.concat([out, new[[*ORG_COLUMNS, *CHANGE_COLUMNS]]], ignore_index=True)
    out["region"] = out["region"].replace("", pd.NA)
    out["same_service"] = out["same_service"].astype(bool)
    return out.reset_index(drop=True)


def _existed(history: pd.DataFrame, on: date) -> tuple[pd.Series, pd.Series]:
    """(created by ``on``, still there on ``on``) for each organisation."""
    started = history["valid_from"].map(lambda d: d is None or pd.isna(d) or d <= on)
    ended = history["valid_to"].map(lambda d: d is not None and not pd.isna(d) and d < on)
    return started.astype(bool), (started & ~ended).astype(bool)


def successor_chain(history: pd.DataFrame, code: str, on: date) -> str | None:
    """The organisation that carried on ``code``'s service by ``on``: itself while it exists, else its one
    same-service successor (followed further if that too ended); None where there is none."""
    rows = history.set_index("org_code")
    seen = set()
    while code in rows.index and code not in seen:
        seen.add(code)
        row = rows.loc[code]
        end = row["valid_to"]
        if end is None or pd.isna(end) or end >= on:
            start = row["valid_from"]
            return code if start is None or pd.isna(start) or start <= on else None
        if not row["same_service"]:
            return None
        code = str(row["successors"])
    return None


def organisations_as_of(project: Project | None, year: int) -> pd.DataFrame:
    """Every organisation a ``year`` export may name, with :data:`DATED_COLUMNS`.

    ``in_round``: it existed on the round's date (:func:`round_date`). An organisation abolished
    before then is kept, ``counted_as`` its one same-service successor where it has one (North
    Yorkshire County Council as North Yorkshire Council in 2023) and as itself otherwise (an
    export naming Cumbria in 2023 keeps those responses under Cumbria, flagged by the cleaning).
    Organisations created after the round's date are left out.
    """
    history = organisation_history(project)
    on = round_date(year)
    started, present = _existed(history, on)
    out = history[started].copy()
    out["in_round"] = present[started].to_numpy()
    out["counted_as"] = [
        code if here else (successor_chain(history, code, on) or code)
        for code, here in zip(out["org_code"], out["in_round"], strict=True)
    ]
    return out[DATED_COLUMNS].reset_index(drop=True)


def organisation_index(project: Project | None, year: int) -> OrganisationIndex:
    """The look-up a ``year`` export, and that year's reports, resolve names and codes with."""
    return OrganisationIndex.build(organisations_as_of(project, year))


def same_service_successors(project: Project | None, previous_year: int, year: int) -> dict[str, str]:
    """Codes of ``previous_year``'s round whose same service has another code in ``year``'s round.

    {'E10000023': 'E06000065'} between 2022 and 2023: North Yorkshire County Council's social
    workers are North Yorkshire Council's. A council split or merged has no entry: its trend
    is not comparable.
    """
    history = organisation_history(project)
    _, before = _existed(history, round_date(previous_year))
    on = round_date(year)
    out = {}
    for code in history.loc[before, "org_code"]:
        now = successor_chain(history, code, on)
        if now is not None and now != code:
            out[code] = now
    return out


def succession(project: Project | None, code: str, year: int) -> dict[str, object] | None:
    """How ``code`` came to be since the previous round, for the reports to say; None when it did not change.

    Keys: ``predecessors`` (codes and names), ``since`` (the date it began), ``same_service``
    (whether its figures carry on those of one predecessor) and ``note``.
    """
    history = organisation_history(project).set_index("org_code", drop=False)
    if code not in history.index:
        return None
    start = history.at[code, "valid_from"]
    if start is None or pd.isna(start) or start > round_date(year) or start <= round_date(year - 1):
        return None
    before = history[history["successors"].map(lambda s: code in str(s).split(";"))]
    same = bool(len(before) == 1 and before["same_service"].iloc[0])
    return {
        "predecessors": list(zip(before["org_code"], before["official_name"], strict=True)),
        "since": start,
        "same_service": same,
        "note": str(history.at[code, "note"] or ""),
    }
