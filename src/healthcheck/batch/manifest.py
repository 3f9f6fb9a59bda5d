"""Provenance of a report folder: what went in (hashes), how it was made, and what came out.

``manifest.json`` in each ``reports/<year>/<slug>/`` records the sha256 of every input the
report depends on (the scoring tables and cleaned return, the notebook, the reference data,
``params/`` files and the council's own self-assessment; :func:`report_inputs` per kind of
report), the notebook parameters, the formats and engine, the
package version (and a hash of its source, so an edited module counts as a change), the time,
and the sha256 of every output. :func:`check_current` compares a folder with what a run would
use now, and says why it must be rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from healthcheck import __version__
from healthcheck.config import PACKAGE_DIR, Project

MANIFEST = "manifest.json"
#: Cleaned, respondent-level data: the report never reads it (``scores_meta.json`` holds its hash).
NOT_REPORT_INPUTS = ("responses.parquet",)
SCHEMA = 1


def file_sha256(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it does not exist."""
    path = Path(path)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _key(project: Project, path: Path) -> str:
    """A path as the manifest names it: relative to the project root, with forward slashes."""
    path = Path(path)
    return path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else str(path)


def hashes(project: Project, paths: Iterable[Path]) -> dict[str, str | None]:
    """``{relative path: sha256 or None}``; None records that a file was absent (adding it is a change)."""
    return {_key(project, p): file_sha256(p) for p in sorted(set(Path(p) for p in paths))}


def shared_input_paths(project: Project, year: int, notebook: Path) -> list[Path]:
    """Inputs every organisation's report shares: scoring tables, notebook, reference data, params.

    Earlier years' tables, codebook revisions and item maps count too: the trends read them.
    """
    from healthcheck.scoring.trends import history_inputs

    folder = project.processed_dir(year)
    tables = (
        [p for p in folder.iterdir() if p.suffix in (".parquet", ".json") and p.name not in NOT_REPORT_INPUTS]
        if folder.is_dir()
        else []
    )
    return [
        *tables,
        Path(notebook),
        project.reference_dir / "organisations.csv",
        project.reference_dir / "areas.csv",
        project.reference_dir / "codebook.csv",
        project.reference_dir / "return_codebook.csv",  # the workforce context reads the return
        project.params_dir / "organisations_extra.csv",
        project.params_dir / "scoring.yaml",
        project.year_params_dir(year) / "scoring.yaml",
        project.year_params_dir(year) / "codebook.csv",
        project.year_params_dir(year) / "return_codebook.csv",
        *history_inputs(project, year),
    ]


#: Parameters the national and regional reports read besides the shared ones.
NATIONAL_PARAMS = ("consent_to_be_named.csv",)


def return_input_paths(project: Project, year: int, notebook: Path) -> list[Path]:
    """Inputs of the national report of the organisational return: the return, its codebook, organisations."""
    processed, raw = project.processed_dir(year), project.raw_dir(year)
    return [
        processed / "org_return.parquet",
        raw / "org_return.csv",  # the notebook cleans again if the raw file is newer
        raw / "org_return.xlsx",
        Path(notebook),
        project.reference_dir / "organisations.csv",
        project.reference_dir / "return_codebook.csv",
        project.params_dir / "organisations_extra.csv",
        project.year_params_dir(year) / "return_codebook.csv",
    ]


def kind_input_paths(project: Project, year: int, kind: str, notebook: Path) -> list[Path]:
    """Inputs every report of a kind (council, national, region, return) shares."""
    if kind == "return":
        return return_input_paths(project, year, notebook)
    paths = shared_input_paths(project, year, notebook)
    if kind in ("national", "region"):
        paths += [project.params_dir / name for name in NATIONAL_PARAMS]
    return paths


def kind_inputs(project: Project, year: int, kind: str, notebook: Path) -> dict[str, str | None]:
    return hashes(project, kind_input_paths(project, year, kind, notebook))


def own_inputs(project: Project, kind: str, org_code: str) -> dict[str, str | None]:
    """Inputs of one report alone: a council's self-assessment; nothing for the other kinds."""
    return council_inputs(project, org_code) if kind == "council" else {}


def report_inputs(project: Project, year: int, kind: str, org_code: str, notebook: Path) -> dict[str, str | None]:
    """Hashes of everything one report of a kind depends on (relative path -> sha256)."""
    return {**kind_inputs(project, year, kind, notebook), **own_inputs(project, kind, org_code)}


def council_input_paths(project: Project, org_code: str) -> list[Path]:
    """Inputs of one organisation alone: its self-assessment."""
    return [project.params_dir / "self_assessment" / f"{org_code}.csv"]


def shared_inputs(project: Project, year: int, notebook: Path) -> dict[str, str | None]:
    return hashes(project, shared_input_paths(project, year, notebook))


def council_inputs(project: Project, org_code: str) -> dict[str, str | None]:
    return hashes(project, council_input_paths(project, org_code))


def input_hashes(project: Project, year: int, org_code: str, notebook: Path) -> dict[str, str | None]:
    """Hashes of everything one organisation's report depends on (relative path -> sha256)."""
    return {**shared_inputs(project, year, notebook), **council_inputs(project, org_code)}


def _package_files() -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every source file and template: cheap to read, changes with any edit."""
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix not in (".pyc",) and "__pycache__" not in p.parts)
    stats = []
    for path in files:
        with contextlib.suppress(OSError):  # a file removed while we look
            st = path.stat()
            stats.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stats)


def package_fingerprint() -> dict[str, str]:
    """The package version and a hash of its source files and templates.

    Hashed again only when a file's time or size changed, so a long-lived process (a test
    session, a notebook server) never compares reports against a stale fingerprint.
    """
    return dict(_fingerprint(_package_files()))


@lru_cache(maxsize=4)
def _fingerprint(stats: tuple[tuple[str, int, int], ...]) -> tuple[tuple[str, str], ...]:
    digest = hashlib.sha256()
    for name, _, _ in stats:
        path = Path(name)
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(b"\0")
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return (("version", __version__), ("source_sha256", digest.hexdigest()))


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
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": dict(inputs),
        "settings": dict(settings),
        "outputs_index": dict(outputs_index),
        "outputs": output_hashes(folder),
        "timings": {k: round(v, 3) for k, v in (timings or {}).items()},
    }
    path = folder / MANIFEST
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


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
    return {k: v for k, v in parameters.items() if k != "project_root"} if isinstance(parameters, Mapping) else parameters


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
