"""The package's shape: small modules, no import cycle, no private names across modules, one of each helper.

The layers between the stages are checked by import-linter (``make lint``, contracts in
pyproject.toml); these are the rules it does not check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from healthcheck import catalogue
from healthcheck.config import PACKAGE_DIR

MAX_LINES = 600
SOURCES = sorted(p for p in PACKAGE_DIR.rglob("*.py") if "templates" not in p.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SOURCES}


def imports(path: Path) -> Iterator[tuple[str, str | None, int]]:
    """(module imported from, name imported or None, line) for every import, in functions too."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield base, alias.name, node.lineno


def edges(path: Path) -> set[str]:
    """The package modules a module imports (``from healthcheck.x import y`` with y a module counts as x.y)."""
    out = set()
    for base, name, _ in imports(path):
        if not base.startswith("healthcheck"):
            continue
        target = f"{base}.{name}" if name and f"{base}.{name}" in MODULES else base
        if target in MODULES and target != module_name(path):
            out.add(target)
    return out


def test_no_module_is_over_600_lines():
    long = {module_name(p): n for p in SOURCES if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_no_private_name_is_imported_from_another_module():
    found = [
        f"{module_name(p)}:{line} imports {name} from {base}"
        for p in SOURCES
        for base, name, line in imports(p)
        if base.startswith("healthcheck") and name and name.startswith("_") and name != "__version__"
    ]
    assert found == []


def test_no_import_cycle_among_the_package_modules():
    graph = {name: edges(path) for name, path in MODULES.items()}
    # a package's __init__ importing nothing, its modules may import the package: ignore the parents
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not name.startswith(t + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("helper", ["round_half_up", "join_list", "redact", "load_name_map", "file_sha256", "welch"])
def test_one_definition_of_each_shared_helper(helper):
    defined = [
        module_name(p)
        for p in SOURCES
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef)
        and node.name == helper
        and not any(getattr(d, "id", getattr(d, "attr", "")) == "overload" for d in node.decorator_list)
    ]
    assert len(defined) == 1, defined


def test_file_names_are_spelled_only_in_the_catalogue():
    names = {f for entry in catalogue.ENTRIES.values() for f in entry.files if "{" not in f}
    found = []
    for path in SOURCES:
        if module_name(path) == "healthcheck.catalogue":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
                found.append(f"{module_name(path)}:{node.lineno} {node.value!r}")
    assert found == []


def test_areas_are_not_listed_in_python():
    from healthcheck.reference import areas

    assert not hasattr(areas, "AREAS") and not hasattr(areas, "STANDARDS") and not hasattr(areas, "OTHER_AREAS")
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert '"satisfaction", "stay"' not in text, module_name(path)
