"""Report titles, the same in the page, the document properties, the workbook and the index.

"Halton: Social Work Health Check 2022, local report", and with a service phrase "Halton: Social
Work Health Check 2022, local report (adults' services)": the place first, so that a list of
reports, a browser tab or a file's properties say at once whose report it is.
"""

from __future__ import annotations

from healthcheck.errors import ReportError

#: The survey's name when ``params/publication.yaml`` is not at hand.
SURVEY = "Social Work Health Check"
#: What each kind of report is called in its title.
KIND_WORDS = {
    "council": "local report",
    "national": "national report",
    "region": "regional report",
    "return": "national report of the organisational return",
}


def report_title(
    place: str, year: int, kind: str = "council", *, service: str | None = None, survey: str = SURVEY
) -> str:
    """'Halton: Social Work Health Check 2022, local report' (with ' (adults' services)' for a service).

    ``place`` is the council, region or 'England'; ``kind`` one of :data:`KIND_WORDS`; ``service``
    a phrase naming the part of the workforce the report covers ("adults' services"), or None.
    """
    if kind not in KIND_WORDS:
        raise ReportError(f"unknown kind of report {kind!r}: choose from {', '.join(KIND_WORDS)}")
    place = " ".join(str(place).split())
    if not place:
        raise ReportError("a report title needs the name of its place (a council, a region or England)")
    title = f"{place}: {survey} {int(year)}, {KIND_WORDS[kind]}"
    phrase = " ".join(str(service).split()) if service else ""
    return f"{title} ({phrase})" if phrase else title


__all__ = ["KIND_WORDS", "SURVEY", "report_title"]
