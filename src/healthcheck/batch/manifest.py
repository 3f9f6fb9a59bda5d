"""Provenance of a report folder: what went in (hashes), how it was made, and what came out.

``manifest.json`` in each ``reports/<year>/<slug>/`` records the sha256 of every input the
report depends on (its notebook and the files :data:`healthcheck.catalogue.REPORT_INPUTS`
declares for its kind: scoring tables, cleaned return, reference data, ``params/`` files, the
council's own self-assessment; :func:`report_inputs`), the notebook parameters, the formats
and engine, the package version (and a hash of its source, so an edited module counts as a
change), the time, and the sha256 of every output. :func:`check_current` compares a folder with what a run would
use now, and says why it must be rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from healthcheck import __version__
from healthcheck.catalogue import REPORT_INPUTS
from healthcheck.config import Project
from healthcheck.errors import ParameterError
from healthcheck.files import atomic_write_text
from healthcheck.fingerprints import file_sha256, package_fingerprint

MANIFEST = "manifest.json"
SCHEMA = 1


def hashes(
    project: Project, paths: Iterable[Path], *, cache: MutableMapping[Path, str | None] | None = None
) -> dict[str, str | None]:
    """``{relative path: sha256 or None}``; None records that a file was absent (adding it is a change).

    ``cache`` keeps each file's hash for the next call (a run's reports share most of their inputs).
    """
    out: dict[str, str | None] = {}
    for path in sorted({Path(p) for p in paths}):
        if cache is None:
            out[project.key(path)] = file_sha256(path)
            continue
        if path not in cache:
            cache[path] = file_sha256(path)
        out[project.key(path)] = cache[path]
    return out


def report_input_paths(
    project: Project, year: int, kind: str, notebook: Path, parameters: Mapping[str, Any] | None = None
) -> list[Path]:
    """Every file one report reads, present or not: its notebook and what the catalogue declares.

    :data:`healthcheck.catalogue.REPORT_INPUTS` lists each kind's files; the report's
    ``parameters`` say whose (``council``: the council's own self-assessment) and whether it
    shows comments (``show_free_text``: the cleaned responses are read then).
    """
    if kind not in REPORT_INPUTS:
        raise ParameterError(f"unknown kind of report {kind!r}: choose from {', '.join(REPORT_INPUTS)}")
    parameters = parameters or {}
    declared = REPORT_INPUTS[kind].paths(
        project, year, org_code=parameters.get("council"), free_text=bool(parameters.get("show_free_text"))
    )
    return [*declared, Path(notebook)]


def report_inputs(
    project: Project,
    year: int,
    kind: str,
    notebook: Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    cache: MutableMapping[Path, str | None] | None = None,
) -> dict[str, str | None]:
    """Hashes of everything one report depends on (relative path -> sha256, None when absent)."""
    return hashes(project, report_input_paths(project, year, kind, notebook, parameters), cache=cache)


def params_sha256(project: Project) -> str:
    """One hash of every file under ``params/`` (names and contents)."""
    digest = hashlib.sha256()
    base = project.params_dir
    for path in sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []:
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update((file_sha256(path) or "").encode())
        digest.update(b"\0")
    return digest.hexdigest()


def settings(parameters: Mapping[str, Any], formats: Sequence[str], engine: str) -> dict[str, Any]:
    """How a report is made: notebook parameters, formats, engine and package."""
    return {
        "parameters": dict(parameters),
        "formats": sorted(set(formats)),
        "engine": engine,
        "package": package_fingerprint(),
    }


def output_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file in ``folder`` (recursively) except the manifest and hidden files."""
    return {
        p.relative_to(folder).as_posix(): file_sha256(p) or ""
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def write_manifest(
    folder: Path,
    *,
    org_code: str,
    name: str,
    year: int,
    inputs: Mapping[str, str | None],
    settings: Mapping[str, Any],
    outputs_index: Mapping[str, str],
    timings: Mapping[str, float] | None = None,
    kind: str = "council",
) -> Path:
    """Write ``folder/manifest.json`` (atomically) and return its path."""
    manifest = {
        "schema": SCHEMA,
        "kind": kind,
        "org_code": org_code,
        "name": name,
        "year": year,
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": dict(inputs),
        "settings": dict(settings),
        "outputs_index": dict(outputs_index),
        "outputs": output_hashes(folder),
        "timings": {k: round(v, 3) for k, v in (timings or {}).items()},
    }
    return atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None when it is missing or damaged (which means: build again)."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def outputs_match(folder: Path, manifest: Mapping[str, Any]) -> bool:
    """True when every output the manifest lists exists with the same hash."""
    return not changed_outputs(folder, manifest)


def changed_outputs(folder: Path, manifest: Mapping[str, Any]) -> list[str]:
    """Outputs listed in the manifest that are missing or differ (all of them if none are listed)."""
    outputs = manifest.get("outputs") or {}
    if not outputs:
        return ["(no outputs recorded)"]
    return [rel for rel, digest in outputs.items() if file_sha256(Path(folder) / rel) != digest]


def _without_root(parameters: Any) -> Any:
    return (
        {k: v for k, v in parameters.items() if k != "project_root"} if isinstance(parameters, Mapping) else parameters
    )


def check_current(folder: Path, *, inputs: Mapping[str, str | None], settings: Mapping[str, Any]) -> str | None:
    """None if ``folder`` is up to date for these inputs and settings, else the reason it is not.

    Up to date: same input hashes, parameters, engine and package, the wanted formats all made
    last time (a report made in more formats than asked for still counts), and every output
    present with its recorded hash.
    """
    old = read_manifest(folder)
    if old is None:
        return "no report yet" if not Path(folder).exists() else "no readable manifest"
    old_inputs = old.get("inputs") or {}
    changed = sorted(k for k in set(old_inputs) | set(inputs) if old_inputs.get(k) != inputs.get(k))
    if changed:
        return "changed: " + ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    old_settings = old.get("settings") or {}
    for key in ("parameters", "engine", "package"):
        before, now = old_settings.get(key), settings.get(key)
        if key == "parameters":  # where the project folder is does not change a report
            before, now = _without_root(before), _without_root(now)
        if before != now:
            return f"{key} changed"
    missing = sorted(set(settings.get("formats", ())) - set(old_settings.get("formats", ())))
    if missing:
        return f"format(s) {', '.join(missing)} not made last time"
    bad = changed_outputs(folder, old)
    if bad:
        return "output(s) missing or changed: " + ", ".join(bad[:3])
    return None
