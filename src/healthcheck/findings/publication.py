"""The publication block under a report's title, and the report's document properties.

The block says who published the report and when, whom to contact, and how to ask for another
format (``params/publication.yaml``). The properties carry the same, with the title and the
provenance a reader does not need in the text (the source data's fingerprint, the data's date
and the software's version), into the web page's, Word document's, PDF's and spreadsheet's
metadata (:func:`healthcheck.publish.display.show_publication` hands them to the renderer).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from healthcheck import __version__
from healthcheck.findings.notes import HasMeta, data_date, source_fingerprint
from healthcheck.findings.titles import KIND_WORDS
from healthcheck.params import Publication
from healthcheck.text.words import long_date

#: The formats every report is published in, as the block lists them.
FORMAT_WORDS = "a web page, a Word document, a PDF and a spreadsheet of its tables"


def _md(text: str) -> str:
    """Text from the parameters file, safe in markdown (no emphasis or links by accident)."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in " ".join(str(text).split()))


def publication_block(publication: Publication, *, today: dt.date | None = None) -> str:
    """'Published 15 March 2023 by the Local Government Association. Contact: ...' as markdown."""
    contact = publication.contact
    email = f"[{_md(contact.email)}](mailto:{contact.email})"
    phone = f", telephone {_md(contact.phone).replace(' ', chr(0xA0))}" if contact.phone else ""  # on one line
    return (
        f"Published {long_date(publication.date(today))} by the {_md(publication.publisher)}.  \n"
        f"Contact: {_md(contact.team)}, {email}{phone}.\n\n"
        f"This report is published as {FORMAT_WORDS}. {_md(publication.alternative_formats)}"
    )


def document_properties(
    publication: Publication,
    *,
    title: str,
    kind: str,
    place: str,
    year: int,
    view: HasMeta | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The report's metadata: title, publisher, date, language, subject, keywords, contact and provenance."""
    fingerprint = source_fingerprint(view) if view is not None else None
    exported = data_date(view) if view is not None else None
    provenance = {
        "source_sha256": fingerprint,
        "data_date": exported.isoformat() if exported else None,
        "software": f"healthcheck {__version__}",
    }
    said = [f"Source data fingerprint (SHA-256) {fingerprint}" if fingerprint else "",
            f"data exported {exported.isoformat()}" if exported else "", f"made with healthcheck {__version__}"]  # fmt: skip
    return {
        "title": title,
        "subject": f"{publication.survey} {year}: {KIND_WORDS.get(kind, 'report')} for {place}",
        "author": publication.publisher,
        "publisher": publication.publisher,
        "date": publication.date(today).isoformat(),
        "language": "en-GB",
        "keywords": [publication.survey, str(year), place, "social work", "workforce", "Standards for Employers"],
        "contact": {
            "team": publication.contact.team,
            "email": publication.contact.email,
            "phone": publication.contact.phone,
        },
        "alternative_formats": publication.alternative_formats,
        "description": "; ".join(s for s in said if s) + ".",
        "provenance": provenance,
    }


__all__ = ["FORMAT_WORDS", "document_properties", "publication_block"]
