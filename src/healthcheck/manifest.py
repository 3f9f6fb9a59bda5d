"""Provenance of a report folder: what went in (hashes), how it was made, and what came out."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .config import Project
from .files import atomic_write_text

MANIFEST = "manifest.json"
#: The scoring outputs a council report reads.
SCORING_FILES = (
    "org_scores.parquet", "benchmarks.parquet", "ranks.parquet", "drivers.parquet",
    "key_drivers.parquet", "items.parquet", "response_rates.parquet", "scores_meta.json",
)  # fmt: skip


def file_sha256(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it does not exist."""
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_hashes(project: Project, year: int, org_code: str, notebook: Path) -> dict[str, str | None]:
    """Hashes of everything one organisation's report depends on (relative path -> sha256)."""
    paths = [project.processed_dir(year) / name for name in SCORING_FILES]
    paths += [
        notebook,
        project.params_dir / "scoring.yaml",
        project.params_dir / "self_assessment" / f"{org_code}.csv",
        project.processed_dir(year) / "org_return.parquet",
        project.processed_dir(year) / "trends.parquet",
    ]
    out = {}
    for path in paths:
        key = path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else str(path)
        out[key] = file_sha256(path)
    return out


def write_manifest(folder: Path, *, inputs: dict, settings: dict, outputs_index: dict[str, str]) -> Path:
    """``manifest.json`` with input hashes, settings, version, time and the hash of every output file."""
    outputs = {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": inputs,
        "settings": settings,
        "outputs_index": outputs_index,
        "outputs": outputs,
    }
    return atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))


def read_manifest(folder: Path) -> dict | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError):
        return None  # a damaged manifest means: build again


def outputs_match(folder: Path, manifest: dict) -> bool:
    """True when every output the manifest lists exists with the same hash."""
    outputs = manifest.get("outputs") or {}
    return bool(outputs) and all(file_sha256(folder / rel) == digest for rel, digest in outputs.items())
