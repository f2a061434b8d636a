"""The apps import one way (docs/architecture.md): no cycle, and every import points to a lower layer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "localstandards"


def apps() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists())


def import_graph() -> dict[str, dict[str, list[str]]]:
    """app → imported app → where (file:line), from every import statement, inside functions too."""
    names = set(apps())
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in names}
    for app in names:
        for path in (PACKAGE / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    modules = [node.module]
                elif isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                else:
                    continue
                for module in modules:
                    parts = module.split(".")
                    if len(parts) > 1 and parts[0] == "localstandards" and parts[1] in names and parts[1] != app:
                        graph[app].setdefault(parts[1], []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return graph


def layers_from_docs() -> dict[str, int]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    layers = {}
    for number, names in re.findall(r"^\| (\d+) \| ([a-z, ]+) \|$", text, flags=re.MULTILINE):
        for name in names.split(","):
            layers[name.strip()] = int(number)
    return layers


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    visiting, done = set(), set()

    def visit(app: str, path: list[str]) -> list[str] | None:
        visiting.add(app)
        for target in sorted(graph[app]):
            if target in visiting:
                return [*path, app, target]
            if target not in done and (cycle := visit(target, [*path, app])):
                return cycle
        visiting.discard(app)
        done.add(app)
        return None

    for app in sorted(graph):
        if app not in done and (cycle := visit(app, [])):
            return cycle
    return None


def test_the_app_import_graph_has_no_cycle():
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle) + f" (first import: {graph[cycle[-2]][cycle[-1]][0]})"


def test_every_app_has_a_layer_in_the_architecture_doc():
    assert sorted(layers_from_docs()) == apps()


def test_every_import_points_to_a_lower_layer():
    layers = layers_from_docs()
    wrong = [
        f"{app} (layer {layers[app]}) imports {target} (layer {layers[target]}) at {where[0]}"
        for app, targets in import_graph().items()
        for target, where in targets.items()
        if layers[target] >= layers[app]
    ]
    assert wrong == []


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b": ["x"]}, "b": {"c": ["y"]}, "c": {"a": ["z"]}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": ["x"]}, "b": {}}) is None
