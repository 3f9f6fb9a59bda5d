"""Redaction of free-text comments before a report may show them.

A comment is personal data: it can name a colleague, give a phone number or say which office
someone works in. :func:`redact` replaces, in this order,

1. e-mail addresses with ``[email address]``;
2. UK phone numbers in the usual written forms (``0151 907 8306``, ``07700 900123``,
   ``020 7946 0958``, ``(0151) 907 8306``, ``+44 (0)20 7946 0958``, ``+44 7700 900123``,
   digits run together or split by spaces, hyphens or dots) with ``[phone number]``;
3. full UK postcodes, with or without the space (``WA8 7QF``, ``wa87qf``) with ``[postcode]``;
4. personal names after a title (``Mr Smith``, ``Dr. Jane Doe``, ``Mrs J Bloggs``) with
   ``[name]``: the title must be written with a capital (``Dr``, ``MRS``), and the name is one
   to three capitalised words or initials after it;
5. every organisation's name, official name and alias from the reference data with
   ``<Council Name>``: case-insensitive, whole words only (``York`` is not found inside
   ``Yorkshire``), the longest spelling first (``North Yorkshire County Council`` before
   ``North Yorkshire`` before ``York``), with a generic ending after it (``Halton Council``,
   ``Kent CC``); names that are everyday words (:data:`COMMON_WORDS`) only with a capital.

The organisation part (:func:`organisation_pattern`, :func:`redact_organisations`) is the one
used everywhere a name must go: the council report's comments and the organisational return's
annex of free-text answers.

Everything here is a pure function of its arguments; :func:`organisation_names` and
:class:`Redactor` read nothing but the frame they are given. Redaction errs towards removing
too much: a capitalised word after a title is taken for a name even when it is not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

EMAIL_MARK = "[email address]"
PHONE_MARK = "[phone number]"
POSTCODE_MARK = "[postcode]"
NAME_MARK = "[name]"
ORG_MARK = "<Council Name>"

#: Organisation names that are also everyday words: matched only when written with a capital
#: ('We moved to Reading', not 'reading case notes'), so comments are not mangled.
COMMON_WORDS = frozenset({"bury", "derby", "harrow", "hull", "reading", "slough", "stoke"})

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# 0 or +44 (optionally '(0)'), then 9 or 10 more digits split by at most two of space, '-', '.',
# ')' between digits; never inside a longer run of digits or a word.
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:\+44[ \t.-]?(?:\(0\)[ \t.-]?)?|\(0|0)"
    r"\d(?:[ \t.)-]{0,2}\d){8,9}"
    r"(?![\w])"
)

# Outward code (A9, A99, A9A, AA9, AA99, AA9A), optional space, inward code (9AA).
_POSTCODE = re.compile(r"(?<![\w])[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[A-Z]{2}(?![\w])", re.IGNORECASE)

_TITLES = ("Mrs", "Mr", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Rev", "Revd")
_TITLE = "|".join([*_TITLES, *(t.upper() for t in _TITLES)])
_NAME_WORD = r"[A-Z][A-Za-z'\u2019-]+"
_INITIAL = r"[A-Z]\.?"
_TITLED_NAME = re.compile(
    rf"(?<![\w])(?:{_TITLE})\.?[ \t]+(?:(?:{_INITIAL}|{_NAME_WORD})[ \t]+){{0,2}}{_NAME_WORD}(?![\w])"
)
# A title and a lone initial ('Dr J.') with no surname after it.
_TITLED_INITIAL = re.compile(rf"(?<![\w])(?:{_TITLE})\.?[ \t]+[A-Z]\.?(?![\w])")


def redact_emails(text: str) -> str:
    """E-mail addresses become ``[email address]``."""
    return _EMAIL.sub(EMAIL_MARK, text)


def redact_phones(text: str) -> str:
    """UK phone numbers (landline, mobile, +44 forms) become ``[phone number]``."""
    return _PHONE.sub(PHONE_MARK, text)


def redact_postcodes(text: str) -> str:
    """Full UK postcodes, with or without the space, any case, become ``[postcode]``."""
    return _POSTCODE.sub(POSTCODE_MARK, text)


def redact_titled_names(text: str) -> str:
    """A title and the name after it ('Mr Smith', 'Dr. Jane Doe', 'Mrs J Bloggs') become ``[name]``."""
    return _TITLED_INITIAL.sub(NAME_MARK, _TITLED_NAME.sub(NAME_MARK, text))


# Apostrophes and dashes as people type them: any one stands for any other.
_APOSTROPHES = "'\u2019\u2018"
_DASHES = "-\u2013"
#: A council's generic ending after its name ('Halton Borough Council', 'Halton Council',
#: 'Kent CC'), taken with the name so that no 'Borough Council' is left behind.
ORG_SUFFIX = r"(?:\s+(?:Metropolitan\s+)?(?:Borough|City|County|District)?\s*Council|\s+(?:MBC|BC|CC|MDC))?"


def _spelling_pattern(spelling: str) -> str:
    """A spelling as a regex: white space matches any white space, an apostrophe any apostrophe,
    a hyphen or dash a hyphen, dash or space."""
    parts = []
    for char in spelling:
        if char.isspace():
            parts.append(r"\s+")
        elif char in _APOSTROPHES:
            parts.append(f"[{_APOSTROPHES}]")
        elif char in _DASHES:
            parts.append(r"[-\u2013 ]")
        else:
            parts.append(re.escape(char))
    return re.sub(r"(?:\\s\+)+", r"\\s+", "".join(parts))


def organisation_names(orgs: pd.DataFrame) -> list[str]:
    """Every name, official name and alias (``;``-separated) in an organisations frame, longest first.

    ``orgs`` has the columns of ``data/reference/organisations.csv`` (``aliases`` optional).
    Blank spellings and duplicates (ignoring case) are dropped, and so are spellings too short to
    be safe as whole words (under three letters, unless two capitals such as 'NE').
    """
    seen: dict[str, str] = {}
    for column in ("name", "official_name", "aliases"):
        if column not in orgs.columns:
            continue
        for cell in orgs[column].dropna().astype(str):
            parts = cell.split(";") if column == "aliases" else [cell]
            for part in parts:
                spelling = " ".join(part.split())
                usable = len(spelling) >= 3 or (spelling.isupper() and len(spelling) >= 2)
                if usable and spelling.lower() not in seen:
                    seen[spelling.lower()] = spelling
    return sorted(seen.values(), key=lambda s: (-len(s), s.lower()))


def organisation_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for all the spellings: whole words, longest first, case-insensitive, each with
    an optional generic ending (:data:`ORG_SUFFIX`: 'Council', 'MBC').

    Spellings in :data:`COMMON_WORDS` only match with a capital first letter. None when there
    are no spellings.
    """
    names = sorted({n for n in names if n.strip()}, key=lambda s: (-len(s), s.lower()))
    if not names:
        return None
    parts = []
    for name in names:
        body = _spelling_pattern(name)
        if name.lower() in COMMON_WORDS:
            # the first letter as written (capital), the rest in any case
            body = f"(?-i:{re.escape(name[0].upper())})(?i:{_spelling_pattern(name[1:])})"
        parts.append(body)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")" + ORG_SUFFIX + r"(?![\w])", re.IGNORECASE)


def redact_organisations(text: str, pattern: re.Pattern[str] | None, mark: str = ORG_MARK) -> str:
    """Each organisation spelling the pattern finds becomes ``mark`` (``<Council Name>``)."""
    return pattern.sub(mark, text) if pattern is not None else text


@dataclass(frozen=True)
class Redactor:
    """All the redactions for one set of organisations, compiled once."""

    pattern: re.Pattern[str] | None

    @classmethod
    def from_organisations(cls, orgs: pd.DataFrame) -> Redactor:
        return cls(organisation_pattern(organisation_names(orgs)))

    def __call__(self, text: object) -> str:
        return redact(text, self.pattern)


def redact(text: object, org_pattern: re.Pattern[str] | None = None) -> str:
    """A comment with e-mails, phone numbers, postcodes, titled names and organisations replaced.

    Missing values (None, NaN, NA) give ''. ``org_pattern`` comes from
    :func:`organisation_pattern` (no organisation redaction without it).
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    out = str(text)
    out = redact_emails(out)  # first: an address can hold a name, digits or an organisation
    out = redact_phones(out)
    out = redact_postcodes(out)
    out = redact_titled_names(out)
    return redact_organisations(out, org_pattern)


__all__ = [
    "COMMON_WORDS",
    "EMAIL_MARK",
    "NAME_MARK",
    "ORG_MARK",
    "ORG_SUFFIX",
    "PHONE_MARK",
    "POSTCODE_MARK",
    "Redactor",
    "organisation_names",
    "organisation_pattern",
    "redact",
    "redact_emails",
    "redact_organisations",
    "redact_phones",
    "redact_postcodes",
    "redact_titled_names",
]


# every ASCII punctuation mark, backslash-escaped: pandoc and CommonMark then read it literally
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_literal(text: str) -> str:
    """Text as literal markdown on one line: no emphasis, links, headings or raw HTML act."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


__all__ += ["markdown_literal"]
