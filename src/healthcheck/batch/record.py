"""The run record: ``reports/<year>/run-record.json``, what the last run of a year did and with what."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from healthcheck import __version__
from healthcheck.batch.manifest import package_fingerprint, params_sha256
from healthcheck.batch.targets import Result
from healthcheck.config import Project
from healthcheck.files import atomic_write_text

RUN_RECORD = "run-record.json"
STATUSES = ("ok", "skipped", "failed")


def counts(results: Sequence[Result]) -> dict[str, int]:
    """How many results were built, up to date and failed."""
    return {s: sum(r.status == s for r in results) for s in STATUSES}


def write_run_record(
    project: Project,
    year: int,
    results: Sequence[Result],
    *,
    seconds: float,
    options: Mapping[str, Any] | None = None,
    started: datetime | None = None,
) -> Path:
    """Write ``reports/<year>/run-record.json``: tool version, time, params hash, counts, failures."""
    record = {
        "tool": "healthcheck",
        "version": __version__,
        "package": package_fingerprint(),
        "year": year,
        "started": (started or datetime.now(UTC)).isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "options": dict(options or {}),
        "params_sha256": params_sha256(project),
        "counts": counts(results),
        "failures": [
            {"org_code": r.org_code, "name": r.name, "cause": r.cause, "notebook": r.failed_notebook}
            for r in results
            if r.status == "failed"
        ],
        "retries": [{"org_code": r.org_code, "note": note} for r in results for note in r.retries],
        "results": [asdict(r) for r in results],
    }
    return atomic_write_text(project.reports_dir(year) / RUN_RECORD, json.dumps(record, indent=2, default=str) + "\n")


def read_run_record(project: Project, year: int) -> dict[str, Any] | None:
    """The year's run record, or None when it is missing or unreadable."""
    path = project.reports_dir(year) / RUN_RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


__all__ = ["RUN_RECORD", "STATUSES", "counts", "read_run_record", "write_run_record"]
