"""The pipeline's stages in order, what each reads and writes, and building what is missing or stale.

    sample -> clean -> score -> trends        (the worker survey, year by year)
           -> clean_return                     (the organisational return)

Each :class:`Stage` says when it has nothing to build from (no raw export, say), every file it
reads, the processed files it writes (:mod:`healthcheck.catalogue`) and the parts of the package
whose code it runs. After a stage runs, the hashes of its inputs
and code go into the year's ``pipeline.json``; the stage is *due* again when an output is
missing, or an input or its code has changed since. :func:`ensure` brings a year up to date for
its reports (earlier years first, since trends compare with them); :func:`run` runs one stage
now. The command line and the cleaning and scoring notebooks call these; report notebooks only
read what they produced.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from healthcheck import catalogue as cat
from healthcheck.catalogue import Entry
from healthcheck.config import SAMPLE_YEARS, Project
from healthcheck.errors import InputError
from healthcheck.files import atomic_write_text
from healthcheck.fingerprints import file_sha256, source_sha256

Status = Literal["built", "current", "skipped"]


# ---------------------------------------------------------------------------------------
# what each stage reads
# ---------------------------------------------------------------------------------------
def _paths(project: Project, year: int, entries: Iterable[Entry]) -> list[Path]:
    out: list[Path] = []
    for entry in entries:
        out += entry.paths(project) if entry.place in ("reference", "params") else entry.paths(project, year)
    return out


def _clean_reads(project: Project, year: int) -> list[Path]:
    return _paths(project, year, (cat.WORKER_SURVEY, cat.CODEBOOK, cat.YEAR_CODEBOOK, cat.AREAS, cat.ORGANISATIONS,
                                  cat.ORGANISATION_CHANGES, cat.ORGANISATIONS_EXTRA, cat.NAME_MAP,
                                  cat.HEADCOUNTS))  # fmt: skip


def _clean_return_reads(project: Project, year: int) -> list[Path]:
    return _paths(project, year, (cat.ORG_RETURN_RAW, cat.RETURN_CODEBOOK, cat.YEAR_RETURN_CODEBOOK, cat.ORGANISATIONS,
                                  cat.ORGANISATION_CHANGES, cat.ORGANISATIONS_EXTRA, cat.NAME_MAP))  # fmt: skip


def _score_reads(project: Project, year: int) -> list[Path]:
    return _paths(project, year, (cat.RESPONSES, cat.SCORING, cat.YEAR_SCORING, cat.CODEBOOK, cat.YEAR_CODEBOOK,
                                  cat.AREAS, cat.HEADCOUNTS))  # fmt: skip


def _trends_reads(project: Project, year: int) -> list[Path]:
    paths = _paths(project, year, (cat.RESPONSES, cat.RANKS, cat.SCORING, cat.YEAR_SCORING, cat.CODEBOOK,
                                   cat.YEAR_CODEBOOK, cat.ITEM_MAP, cat.AREAS, cat.ORGANISATIONS,
                                   cat.ORGANISATION_CHANGES))  # fmt: skip
    previous = cat.previous_survey_year(project, year)
    if previous is not None:
        paths += _paths(project, previous, (cat.RESPONSES, cat.RANKS, cat.YEAR_CODEBOOK))
        paths += [p for y in range(previous + 1, year) for p in cat.ITEM_MAP.paths(project, y)]
    return paths


# ---------------------------------------------------------------------------------------
# what each stage does
# ---------------------------------------------------------------------------------------
def _clean(project: Project, year: int) -> Any:
    from healthcheck.ingest.survey import clean_year

    return clean_year(project, year)


def _clean_return(project: Project, year: int) -> Any:
    from healthcheck.ingest.returns import clean_return_year

    return clean_return_year(project, year)


def _score(project: Project, year: int) -> Any:
    from healthcheck.scoring.score import score_year

    return score_year(project, year)


def _has(entry: Entry) -> Callable[[Project, int], str | None]:
    """None when ``entry`` is here for the year, else why the stage cannot run."""
    return lambda project, year: (
        None if entry.exists(project, year) else f"no {entry.file.rsplit('.', 1)[0]} for {year}"
    )


def _both_rounds(project: Project, year: int) -> str | None:
    """None when the year's cleaned responses and the previous round's (if any) are both here."""
    previous = cat.previous_survey_year(project, year)
    for y in (year, previous):
        if y is not None and not cat.RESPONSES.exists(project, y):
            return f"no cleaned responses for {y}"
    return None


def _trends(project: Project, year: int) -> Any:
    from healthcheck.scoring.trends import write_trends

    return write_trends(project, year)


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline for one year."""

    name: str
    description: str
    blocked: Callable[[Project, int], str | None]  # why what it builds from is not here (None: it is)
    needs: tuple[str, ...]  # stages of the same year that must be current first
    reads: Callable[[Project, int], list[Path]]
    code: tuple[str, ...]  # parts of the package whose code it runs
    build: Callable[[Project, int], Any]
    done: str  # 'cleaned', 'scored' ... for messages

    @property
    def writes(self) -> tuple[Entry, ...]:
        return cat.written_by(self.name)


STAGES: dict[str, Stage] = {
    s.name: s
    for s in (
        Stage(
            name="clean", description="the raw worker survey export to cleaned responses and a QA log",
            blocked=_has(cat.WORKER_SURVEY), needs=(), reads=_clean_reads, code=("ingest", "reference", "text"),
            build=_clean, done="cleaned the worker survey",
        ),
        Stage(
            name="score", description="cleaned responses to every scoring table",
            blocked=_has(cat.RESPONSES), needs=("clean",), reads=_score_reads,
            code=("scoring", "ingest", "reference", "text"), build=_score, done="scored",
        ),
        Stage(
            name="trends", description="change since the previous round, like for like",
            blocked=_both_rounds, needs=("score",), reads=_trends_reads, code=("scoring", "reference", "text"),
            build=_trends, done="compared with the previous round",
        ),
        Stage(
            name="clean_return", description="the raw organisational return to cleaned returns and a QA log",
            blocked=_has(cat.ORG_RETURN_RAW), needs=(), reads=_clean_return_reads, code=("ingest", "reference", "text"),
            build=_clean_return, done="cleaned the organisational return",
        ),
    )
}  # fmt: skip
#: The stages a year's worker-survey reports need, in order.
SURVEY_STAGES = ("clean", "score", "trends")


@dataclass
class Step:
    """What happened to one stage of one year."""

    stage: str
    year: int
    status: Status
    reason: str = ""
    result: Any = None

    def __str__(self) -> str:
        done = STAGES[self.stage].done
        if self.status == "built":
            return f"{self.year}: {done} ({self.reason})"
        if self.status == "current":
            return f"{self.year}: {STAGES[self.stage].name} is up to date"
        return f"{self.year}: {STAGES[self.stage].name} skipped ({self.reason})"


# ---------------------------------------------------------------------------------------
# the record of what each stage was built from
# ---------------------------------------------------------------------------------------
def fingerprint(project: Project, year: int, stage: str) -> dict[str, Any]:
    """The hashes a stage's outputs depend on now: every input file (None when absent) and its code."""
    spec = STAGES[stage]
    inputs = {project.key(p): file_sha256(p) for p in sorted(set(spec.reads(project, year)))}
    return {"inputs": inputs, "code": source_sha256(spec.code)}


def read_record(project: Project, year: int) -> dict[str, Any]:
    """The year's ``pipeline.json`` (empty when absent or unreadable: every stage is then due)."""
    path = cat.PIPELINE_RECORD.path(project, year)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_record(project: Project, year: int, stage: str, stamp: dict[str, Any]) -> None:
    record = read_record(project, year)
    record[stage] = stamp
    atomic_write_text(cat.PIPELINE_RECORD.path(project, year), json.dumps(record, indent=2, sort_keys=True) + "\n")


def _changed(before: dict[str, Any], now: dict[str, Any]) -> str:
    if before.get("code") != now["code"]:
        return "the package's code changed"
    old, new = before.get("inputs", {}), now["inputs"]
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    shown = ", ".join(changed[:2]) + (f" and {len(changed) - 2} more" if len(changed) > 2 else "")
    return f"changed: {shown}" if changed else ""


def due(project: Project, year: int, stage: str) -> str | None:
    """Why a stage must run for a year, or None when its outputs are current.

    Outputs with no input to rebuild them from (processed tables without their raw export)
    count as current. A stage with neither is not due either: :func:`run` skips it.
    """
    spec = STAGES[stage]
    if spec.blocked(project, year):
        return None
    missing = [e.file for e in spec.writes if not e.exists(project, year) and e is not cat.TRENDS]
    if missing:
        return f"{', '.join(missing[:2])} missing"
    stamp = read_record(project, year).get(stage)
    if stamp is None:
        return "not built by the pipeline yet"
    return _changed(stamp, fingerprint(project, year, stage)) or None


# ---------------------------------------------------------------------------------------
# running stages
# ---------------------------------------------------------------------------------------
def run(project: Project, year: int, stage: str, *, force: bool = False) -> Step:
    """Run one stage for a year if it is due (always with ``force``); the stages it needs must be current.

    With nothing to build from a stage is skipped (or, with ``force``, run, so that it raises
    its own error: 'no raw export for 2022').
    """
    spec = STAGES[stage]
    if force:
        reason = "asked for"
    elif blocked := spec.blocked(project, year):
        if cat.complete(project, year, spec.writes):
            return Step(stage, year, "current")
        return Step(stage, year, "skipped", blocked)
    else:
        reason = due(project, year, stage)
        if reason is None:
            return Step(stage, year, "current")
    stamp = fingerprint(project, year, stage)  # before: an input edited while the stage runs is seen next time
    result = spec.build(project, year)
    _write_record(project, year, stage, stamp)
    return Step(stage, year, "built", reason, result)


def _survey_years_up_to(project: Project, year: int) -> list[int]:
    return [y for y in cat.survey_years(project) if y < year] + [year]


def ensure(
    project: Project,
    year: int,
    *,
    stages: Sequence[str] = (*SURVEY_STAGES, "clean_return"),
    on_step: Callable[[Step], None] | None = None,
) -> list[Step]:
    """Bring ``year`` up to date for its reports: every earlier survey year's ``clean``, ``score`` and
    ``trends`` first (trends compare with the year before, and the trend charts read every year),
    then the year's own stages.

    A year with an organisational return and no worker survey builds its return alone (the
    survey stages are skipped, each with its reason). Raises :class:`InputError` when the year
    has neither, or when its worker survey cannot be scored.
    """
    steps: list[Step] = []

    def go(y: int, stage: str) -> None:
        step = run(project, y, stage)
        steps.append(step)
        if on_step is not None:
            on_step(step)

    survey = [s for s in SURVEY_STAGES if s in stages]
    found = cat.WORKER_SURVEY.found(project, year)
    if survey and found is None and not cat.RESPONSES.exists(project, year) and not cat.scored(project, year):
        # a year with the organisational return alone (the 2018 children's round had only the return)
        has_return = cat.ORG_RETURN_RAW.found(project, year) is not None or cat.ORG_RETURN.exists(project, year)
        if "clean_return" not in stages or not has_return:
            raise InputError(
                f"no raw export for {year}: neither a worker survey nor an organisational return",
                file=cat.WORKER_SURVEY.path(project, year),
                hint="put worker_survey.csv (or .xlsx) and/or org_return.csv (or .xlsx) there, or run `healthcheck sample`",
            )
        for stage in survey:
            go(year, stage)  # each skipped: nothing to build from
        survey = []
    for y in _survey_years_up_to(project, year) if survey else []:
        for stage in survey:
            go(y, stage)
    if survey and not cat.scored(project, year):
        raise InputError(
            f"the {year} survey could not be scored",
            file=found or cat.WORKER_SURVEY.path(project, year),
            hint="put the export there as worker_survey.csv or worker_survey.xlsx, or run `healthcheck sample`",
        )
    if "clean_return" in stages:
        go(year, "clean_return")
    return steps


def has_survey(project: Project, year: int) -> bool:
    """Whether the year has a worker survey to report: a raw export, cleaned responses or scoring tables."""
    return (
        cat.WORKER_SURVEY.found(project, year) is not None
        or cat.RESPONSES.exists(project, year)
        or cat.scored(project, year)
    )


def write_sample(
    project: Project, years: Sequence[int] | None = None, *, seed: int = 2020, force: bool = False
) -> tuple[list[Path], list[Path]]:
    """The seeded sample worker survey (with headcounts) and organisational return of each year.

    An existing return is kept unless ``force``. Returns (survey files written, return files written).
    """
    from healthcheck.synthetic.returns import write_return
    from healthcheck.synthetic.survey import write_sample as write_survey

    years = list(years or SAMPLE_YEARS)
    survey = write_survey(project, years=years, seed=seed, force=force)
    fresh = [y for y in years if force or not cat.ORG_RETURN_RAW.exists(project, y)]
    returns = write_return(project, fresh, seed=seed, force=force)
    return survey, returns


def sample_if_empty(project: Project) -> tuple[list[Path], list[Path]]:
    """The sample of every sample year when the project has no raw data at all (never over real data)."""
    if project.raw_years():
        return [], []
    return write_sample(project)


__all__ = ["STAGES", "SURVEY_STAGES", "Stage", "Step", "due", "ensure", "fingerprint", "has_survey", "read_record",
           "run", "sample_if_empty", "write_sample"]  # fmt: skip
