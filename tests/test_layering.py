"""The package layering: components never import models, and no package import circles.

Read off the source with ``ast`` (nothing is imported): an edge ``a -> b`` is any
``import lic_bench.b...`` or ``from lic_bench.b... import`` in a module of package ``a``,
at module level or inside a function (a deferred import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "lic_bench"
#: packages that implement components a model is built from
COMPONENTS = ("layers", "quantizers", "entropy", "context", "latent_codecs", "variable_rate", "fastpath")


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "lic_bench" and len(parts) > 1 else None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        own = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        deps = graph.setdefault(own, set())
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                dep = _package(name)
                if dep and dep != own and ((ROOT / dep).is_dir() or (ROOT / f"{dep}.py").is_file()):
                    deps.add(dep)
    return graph


def test_no_component_package_imports_models():
    graph = _graph()
    bad = {p: sorted(graph[p] & {"models", "engine", "bitstream", "bench", "cli", "study"})
           for p in COMPONENTS if p in graph}
    assert not {p: d for p, d in bad.items() if d}, bad


def test_no_import_circles_between_packages():
    graph = _graph()
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                cycles.append(" -> ".join(stack[stack.index(dep):] + [node, dep]) if dep in stack else f"{node} -> {dep}")
            elif dep not in state:
                visit(dep, stack + [node])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "\n".join(cycles)
