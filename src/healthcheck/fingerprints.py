"""Hashes that say whether something changed: of a file's bytes, and of the package's source.

A source hash covers the named parts of the package (``"ingest"``, ``"scoring"`` ...) and the base
modules every part uses. It is recomputed only when a file's time or size changed, so a
long-lived process (a test session, a notebook server) never compares against a stale hash.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from healthcheck import __version__
from healthcheck.config import PACKAGE_DIR

#: Modules at the top of the package that every stage uses.
BASE_MODULES = ("__init__.py", "catalogue.py", "config.py", "errors.py", "files.py", "fingerprints.py", "params.py")


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


def _source_files(parts: tuple[str, ...] | None) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of the source files and templates of ``parts`` (None: the whole package)."""
    if parts is None:
        roots = [PACKAGE_DIR]
    else:
        roots = [PACKAGE_DIR / name for name in BASE_MODULES] + [PACKAGE_DIR / part for part in parts]
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files += [p for p in root.rglob("*") if p.is_file()]
    files = sorted({p for p in files if p.suffix != ".pyc" and "__pycache__" not in p.parts})
    stats = []
    for path in files:
        with contextlib.suppress(OSError):  # a file removed while we look
            st = path.stat()
            stats.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stats)


@lru_cache(maxsize=16)
def _digest(stats: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in stats:
        path = Path(name)
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(b"\0")
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def source_sha256(parts: Iterable[str] | None = None) -> str:
    """One hash of the source of ``parts`` of the package plus its base modules (None: all of it)."""
    return _digest(_source_files(None if parts is None else tuple(sorted(parts))))


def package_fingerprint() -> dict[str, str]:
    """The package version and a hash of all its source files and templates."""
    return {"version": __version__, "source_sha256": source_sha256()}
