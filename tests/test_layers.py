"""The house drawing of docs/architecture.md, checked: each package imports only the floors below it,
and no module of the storage package imports one that imports it back (no circle)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ground floor first: a package may import its own floor and those below it
FLOORS = ["storage", "crawler", "checks", "reports", "zwgk"]


def imports_of(path: Path) -> set[str]:
    """Every zwgk module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in FLOORS}


def modules(package: str) -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
            for p in (ROOT / package).rglob("*.py")}


def test_every_package_imports_only_the_floors_below():
    wrong = []
    for floor, package in enumerate(FLOORS):
        for name, path in modules(package).items():
            for imported in imports_of(path):
                if FLOORS.index(imported.split(".")[0]) > floor:
                    wrong.append(f"{name} imports {imported}")
    assert not wrong, wrong


def test_the_storage_modules_import_each_other_without_a_circle():
    mods = modules("storage")
    graph = {name: {i for i in imports_of(path) if i in mods and i != name} for name, path in mods.items()}
    done, stack = set(), []

    def visit(name):
        assert name not in stack, " → ".join(stack[stack.index(name):] + [name])
        if name in done:
            return
        stack.append(name)
        for nxt in graph[name]:
            visit(nxt)
        stack.pop()
        done.add(name)

    for name in graph:
        visit(name)
    assert graph["storage.postgres"] and "storage.postgres" not in graph["storage.sqlite"]


def test_the_checks_open_a_database_without_the_crawler():
    """A check opens the scan database through storage, never through the crawler package."""
    for name, path in modules("checks").items():
        for imported in imports_of(path):
            assert not imported.startswith(("crawler.run", "crawler.pipelines", "crawler.response_cache")), (name, imported)
