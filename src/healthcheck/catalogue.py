"""Every file the pipeline reads or writes, declared once: what it is, where it lives, who writes it.

:class:`Entry` names one file (or a choice of files, such as a raw export in CSV or XLSX) and
knows its path in a :class:`~healthcheck.config.Project`. The processed tables say which
pipeline stage writes them (:mod:`healthcheck.pipeline` builds them in that order), and
:data:`REPORT_INPUTS` says which files each kind of report reads. The views read their tables
through these entries, and the batch manifest hashes exactly the files listed here, so a table a
report starts to read is one line here and incremental builds see it change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from healthcheck.config import Project
from healthcheck.errors import InputError

Place = Literal["raw", "processed", "reference", "params", "year_params"]


@dataclass(frozen=True)
class Entry:
    """One file of the project, by name; ``files`` lists the accepted spellings (first preferred)."""

    name: str
    files: tuple[str, ...]
    place: Place
    description: str
    stage: str | None = None  # the pipeline stage that writes it (processed files)

    @property
    def file(self) -> str:
        return self.files[0]

    def folder(self, project: Project, year: int | None = None) -> Path:
        if self.place == "reference":
            return project.reference_dir
        if self.place == "params":
            return project.params_dir
        if year is None:
            raise ValueError(f"{self.name} is a file of a year: pass year")
        return {
            "raw": project.raw_dir,
            "processed": project.processed_dir,
            "year_params": project.year_params_dir,
        }[self.place](year)

    def paths(self, project: Project, year: int | None = None, **fields: str) -> list[Path]:
        """Every accepted path, present or not (``fields`` fill a pattern such as ``{org_code}``)."""
        folder = self.folder(project, year)
        return [folder / name.format(**fields) for name in self.files]

    def path(self, project: Project, year: int | None = None, **fields: str) -> Path:
        """The path: the one present when there is a choice, else the preferred spelling."""
        candidates = self.paths(project, year, **fields)
        return next((p for p in candidates if p.is_file()), candidates[0])

    def exists(self, project: Project, year: int | None = None, **fields: str) -> bool:
        return any(p.is_file() for p in self.paths(project, year, **fields))

    def found(self, project: Project, year: int | None = None, **fields: str) -> Path | None:
        """The one file present; None when absent; :class:`InputError` when two spellings both are."""
        present = [p for p in self.paths(project, year, **fields) if p.is_file()]
        if len(present) > 1:
            raise InputError(
                f"both {present[0].name} and {present[1].name} are present",
                file=present[0].parent,
                hint="keep only one",
            )
        return present[0] if present else None


def _raw(name: str, stem: str, description: str) -> Entry:
    return Entry(name, (f"{stem}.csv", f"{stem}.xlsx"), "raw", description)


def _processed(name: str, file: str, stage: str, description: str) -> Entry:
    return Entry(name, (file,), "processed", description, stage=stage)


# raw exports: data/raw/<year>/ (immutable) -----------------------------------------------------
WORKER_SURVEY = _raw("worker_survey", "worker_survey", "the survey platform's export of the worker survey")
ORG_RETURN_RAW = _raw(
    "org_return_raw", "org_return", "the organisational return each principal social worker completes"
)

# reference data: data/reference/ ---------------------------------------------------------------
AREAS = Entry("areas", ("areas.csv",), "reference", "the standards and other areas, in report order")
CODEBOOK = Entry("codebook", ("codebook.csv",), "reference", "the worker survey's items")
RETURN_CODEBOOK = Entry(
    "return_codebook", ("return_codebook.csv",), "reference", "the organisational return's questions"
)
ORGANISATIONS = Entry(
    "organisations", ("organisations.csv",), "reference", "councils: ONS codes, names, types, regions"
)
ORGANISATION_CHANGES = Entry(
    "organisation_changes", ("organisation_changes.csv",), "reference",
    "councils created and abolished since 2019: dates, successors, same service or not",
)  # fmt: skip

# parameters: params/ and params/<year>/ --------------------------------------------------------
SCORING = Entry("scoring", ("scoring.yaml",), "params", "the scoring method's numbers")
PUBLICATION = Entry("publication", ("publication.yaml",), "params", "who publishes the reports, when, and how to ask")
ORGANISATIONS_EXTRA = Entry("organisations_extra", ("organisations_extra.csv",), "params", "non-council employers")
NAME_MAP = Entry("name_map", ("org_name_map.csv",), "params", "spellings of organisation names mapped to codes")
CONSENT = Entry("consent", ("consent_to_be_named.csv",), "params", "organisations that agreed to be named")
SELF_ASSESSMENT = Entry("self_assessment", ("self_assessment/{org_code}.csv",), "params", "a council's self-assessment")
PAPER_DEFAULT = Entry(
    "paper_default", ("paper/default.yaml",), "params", "the committee paper's boiler plate for every council"
)
PAPER = Entry("paper", ("paper/{org_code}.yaml",), "params", "a council's own boiler plate for its committee paper")
HOUSE_STYLE = Entry(
    "house_style", ("house_style/{org_code}.docx",), "params", "a council's Word house style (reference document)"
)
YEAR_SCORING = Entry("year_scoring", ("scoring.yaml",), "year_params", "a year's changes to the scoring method")
YEAR_CODEBOOK = Entry("year_codebook", ("codebook.csv",), "year_params", "a year's revision of the codebook")
YEAR_RETURN_CODEBOOK = Entry(
    "year_return_codebook", ("return_codebook.csv",), "year_params", "a year's return codebook"
)
ITEM_MAP = Entry("item_map", ("item_map.csv",), "year_params", "how a year's questions relate to earlier rounds'")
HEADCOUNTS = Entry("headcounts", ("headcounts.csv",), "year_params", "social workers per organisation")

# processed tables: data/processed/<year>/ (docs/data-contracts.md) -----------------------------
RESPONSES = _processed("responses", "responses.parquet", "clean", "cleaned responses, one row per valid response")
QA_LOG = _processed("qa_log", "qa_log.csv", "clean", "every cleaning decision, row by row")
QA_SUMMARY = _processed("qa_summary", "qa_summary.md", "clean", "the cleaning in words")
ORG_RETURN = _processed("org_return", "org_return.parquet", "clean_return", "cleaned organisational returns")
ORG_RETURN_QA = _processed("org_return_qa", "org_return_qa.csv", "clean_return", "the return's cleaning decisions")
ORG_SCORES = _processed("org_scores", "org_scores.parquet", "score", "organisation x area scores and ratings")
BENCHMARKS = _processed("benchmarks", "benchmarks.parquet", "score", "national and regional figures")
RANKS = _processed("ranks", "ranks.parquet", "score", "overall score and national and regional ranks")
DRIVERS = _processed("drivers", "drivers.parquet", "score", "what goes with the wish to stay")
KEY_DRIVERS = _processed("key_drivers", "key_drivers.parquet", "score", "each organisation's key driver")
ITEMS = _processed("items", "items.parquet", "score", "agree, neutral and disagree shares of each statement")
RESPONSE_RATES = _processed("response_rates", "response_rates.parquet", "score", "responses against headcount")
SCORES_META = _processed("scores_meta", "scores_meta.json", "score", "what was scored, when and how")
TRENDS = _processed("trends", "trends.parquet", "trends", "change since the previous round, like for like")
#: What the pipeline built each stage of the year from (:mod:`healthcheck.pipeline`); not a report input.
PIPELINE_RECORD = Entry("pipeline_record", ("pipeline.json",), "processed", "the inputs each stage was built from")

PROCESSED: tuple[Entry, ...] = (
    RESPONSES, QA_LOG, QA_SUMMARY, ORG_RETURN, ORG_RETURN_QA, ORG_SCORES, BENCHMARKS, RANKS, DRIVERS,
    KEY_DRIVERS, ITEMS, RESPONSE_RATES, SCORES_META, TRENDS, PIPELINE_RECORD,
)  # fmt: skip
#: The aggregate tables ``score`` writes, which every worker-survey report reads.
SCORING_TABLES: tuple[Entry, ...] = tuple(e for e in PROCESSED if e.stage == "score" and e.file.endswith(".parquet"))


def written_by(stage: str) -> tuple[Entry, ...]:
    """The processed files a pipeline stage writes."""
    return tuple(e for e in PROCESSED if e.stage == stage)


def complete(project: Project, year: int, entries: Iterable[Entry]) -> bool:
    """Whether every one of ``entries`` is on disk for the year."""
    return all(e.exists(project, year) for e in entries)


def scored(project: Project, year: int) -> bool:
    """Whether a year's scoring tables (and their metadata) are all on disk."""
    return complete(project, year, written_by("score"))


def scored_years(project: Project, up_to: int | None = None) -> list[int]:
    """Years (up to ``up_to``) whose scoring tables are on disk, oldest first."""
    return [y for y in project.processed_years() if (up_to is None or y <= up_to) and scored(project, y)]


#: What the multi-year series behind the trend charts read of each year.
SERIES_TABLES: tuple[Entry, ...] = (ORG_SCORES, BENCHMARKS)


def series_years(project: Project, up_to: int | None = None) -> list[int]:
    """Years (up to ``up_to``) with published scores to chart (``org_scores`` and ``benchmarks``), oldest first."""
    return [
        y for y in project.processed_years() if (up_to is None or y <= up_to) and complete(project, y, SERIES_TABLES)
    ]


def survey_years(project: Project) -> list[int]:
    """Years with a worker survey: a raw export, cleaned responses or scoring tables, oldest first."""
    years = set(project.raw_years()) | set(project.processed_years())
    return sorted(
        y for y in years if WORKER_SURVEY.exists(project, y) or RESPONSES.exists(project, y) or scored(project, y)
    )


def previous_survey_year(project: Project, year: int) -> int | None:
    """The latest survey year before ``year`` (None when there is none)."""
    earlier = [y for y in survey_years(project) if y < year]
    return earlier[-1] if earlier else None


# what each kind of report reads ------------------------------------------------------------------
@dataclass(frozen=True)
class ReportInputs:
    """The files one kind of report reads: of its year, of every earlier scored year, and its own."""

    year: tuple[Entry, ...]
    project: tuple[Entry, ...]
    history: tuple[Entry, ...] = ()  # of each earlier scored year (the trend charts)
    own: tuple[Entry, ...] = ()  # of the report's organisation alone
    free_text: tuple[Entry, ...] = ()  # only when the report shows comments
    description: str = ""

    def paths(self, project: Project, year: int, *, org_code: str | None = None, free_text: bool = False) -> list[Path]:
        """Every path these inputs name (present or not: a file appearing later is a change too)."""
        out: list[Path] = []
        for entry in self.project:
            out += entry.paths(project)
        for entry in self.year + (self.free_text if free_text else ()):
            out += entry.paths(project, year)
        for earlier in series_years(project, year) if self.history else []:
            for entry in self.history if earlier < year else ():
                out += entry.paths(project, earlier)
            out += YEAR_CODEBOOK.paths(project, earlier) + ITEM_MAP.paths(project, earlier)
        if org_code:
            for entry in self.own:
                out += entry.paths(project, org_code=org_code)
        return out


_SURVEY_YEAR = (*written_by("score"), TRENDS, YEAR_SCORING, YEAR_CODEBOOK, ITEM_MAP)
_SURVEY_PROJECT = (ORGANISATIONS, ORGANISATION_CHANGES, AREAS, CODEBOOK, ORGANISATIONS_EXTRA, SCORING, PUBLICATION)
_RETURN_YEAR = (ORG_RETURN, YEAR_RETURN_CODEBOOK)
_RETURN_PROJECT = (ORGANISATIONS, ORGANISATION_CHANGES, RETURN_CODEBOOK, ORGANISATIONS_EXTRA, PUBLICATION)

REPORT_INPUTS: dict[str, ReportInputs] = {
    "council": ReportInputs(
        year=(*_SURVEY_YEAR, *_RETURN_YEAR),  # the workforce context comes from the council's return
        project=(*_SURVEY_PROJECT, RETURN_CODEBOOK),
        history=(ORG_SCORES, BENCHMARKS),
        own=(SELF_ASSESSMENT,),
        free_text=(RESPONSES,),
        description="one organisation's local report",
    ),
    "national": ReportInputs(  # the national trend reads each earlier year's like-for-like comparison
        year=_SURVEY_YEAR,
        project=(*_SURVEY_PROJECT, CONSENT),
        history=(ORG_SCORES, BENCHMARKS, TRENDS),
        description="the national report of the worker survey",
    ),
    "region": ReportInputs(
        year=_SURVEY_YEAR,
        project=(*_SURVEY_PROJECT, CONSENT),
        history=(ORG_SCORES, BENCHMARKS),
        description="one region's report of the worker survey",
    ),
    "return": ReportInputs(
        year=_RETURN_YEAR, project=_RETURN_PROJECT, description="the national report of the organisational return"
    ),
}

#: Every entry, by name (for documentation and checks).
ENTRIES: dict[str, Entry] = {
    e.name: e
    for e in (
        WORKER_SURVEY, ORG_RETURN_RAW, AREAS, CODEBOOK, RETURN_CODEBOOK, ORGANISATIONS, ORGANISATION_CHANGES, SCORING,
        PUBLICATION, ORGANISATIONS_EXTRA,
        NAME_MAP, CONSENT, SELF_ASSESSMENT, PAPER_DEFAULT, PAPER, HOUSE_STYLE, YEAR_SCORING, YEAR_CODEBOOK, YEAR_RETURN_CODEBOOK, ITEM_MAP, HEADCOUNTS,
        *PROCESSED,
    )
}  # fmt: skip

__all__ = ["ENTRIES", "PROCESSED", "REPORT_INPUTS", "SCORING_TABLES", "Entry", "ReportInputs"]
