"""The package's shape: stages import only stages below them (or beside them, without a circle), so the
pipeline reads bottom-up and no edge reaches into another. Every import counts, those inside functions
and under TYPE_CHECKING included."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "qa"
# Lowest first. A module may import from its own layer or any layer below it.
LAYERS = [
    ("foundation", ["qa", "qa.errors", "qa.text", "qa.gazetteer", "qa.settings", "qa.fsutil"]),
    ("records", ["qa.records"]),
    ("sources", ["qa.collection", "qa.chunking", "qa.ingest", "qa.embed"]),
    ("index", ["qa.index"]),
    ("search", ["qa.search"]),
    ("uses", ["qa.changes", "qa.conversation", "qa.digest", "qa.evaluation", "qa.exports", "qa.source"]),
    ("service", ["qa.service"]),
    ("edges", ["qa.cli", "qa.web"]),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best = None
    for number, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (number, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[0]


def imports(path: Path) -> set[str]:
    """The qa modules a file imports, resolved to module names (a name imported from a package
    counts as the submodule when there is one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "qa")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "qa":
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*candidate.split("."))).with_suffix(".py").exists() or \
                    (PACKAGE.parent / Path(*candidate.split(".")) / "__init__.py").exists()
                found.add(candidate if is_module else target)
    found.discard(here)
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(path): imports(path) for path in PACKAGE.rglob("*.py")}


def test_nothing_imports_upward():
    upward = [f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
              for module, targets in graph().items() for target in targets
              if layer_of(target) > layer_of(module)]
    assert upward == []


def test_no_import_circle():
    edges = graph()
    circles = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_the_layers_cover_every_module_and_the_check_sees_imports():
    edges = graph()
    assert all(layer_of(module) >= 0 for module in edges)
    # The check is not vacuous: the service does import the search stage and the index.
    assert "qa.search" in edges["qa.service"] and "qa.index" in edges["qa.service"]
    assert "qa.web.access" in edges["qa.web.server"]
