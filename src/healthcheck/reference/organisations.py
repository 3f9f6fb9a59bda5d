"""Naming organisations: from a code, an official name or any of the ways people type it.

Matching is case- and punctuation-insensitive. A name is tried whole first, then with the
generic words of council names ('Borough Council', 'MBC', 'London Borough of' ...) taken off,
so that 'HALTON B.C.' and 'halton borough council ' both find Halton. A key that would point to
two organisations is dropped rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

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
        index = cls(orgs=orgs.set_index("org_code", drop=False))
        names: dict[str, set[str]] = {}
        cores: dict[str, set[str]] = {}
        for row in orgs.itertuples(index=False):
            index.by_code[row.org_code.upper()] = row.org_code
            for spelling in _spellings(row.name, row.official_name, row.aliases):
                names.setdefault(normalise(spelling), set()).add(row.org_code)
                if c := core(spelling):
                    cores.setdefault(c, set()).add(row.org_code)
        index.by_name = {k: next(iter(v)) for k, v in names.items() if len(v) == 1 and k}
        index.by_core = {k: next(iter(v)) for k, v in cores.items() if len(v) == 1 and k}
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


def load_organisations(project: Project | None = None) -> pd.DataFrame:
    """Every council in the reference data plus the non-council employers in ``params/``."""
    project = project or Project.default()
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
