"""The registries and the taxonomy's ``implementations:`` lists must name the same things."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from lic_bench.kb import load_kb  # noqa: E402
from lic_bench.registry import all_entries  # noqa: E402


@pytest.fixture(scope="module")
def kb():
    return load_kb()


@pytest.fixture(scope="module")
def entries():
    return all_entries()


def test_every_registry_entry_points_at_known_nodes_and_papers(kb, entries):
    problems = []
    for e in entries:
        if not e.taxonomy:
            problems.append(f"{e.kind} {e.name}: names no taxonomy node")
        for node in e.taxonomy:
            if node not in kb.components:
                problems.append(f"{e.kind} {e.name}: unknown taxonomy node {node!r}")
            elif e.name not in kb.components[node].implementations:
                problems.append(f"taxonomy {node}: implementations lacks {e.name!r} ({e.kind})")
        for paper in e.papers:  # a former id (alias) of a renamed record still resolves
            if kb.resolve(paper) is None:
                problems.append(f"{e.kind} {e.name}: unknown paper {paper!r}")
    assert not problems, "\n".join(problems)


def test_every_listed_implementation_is_registered_for_that_node(kb, entries):
    registered = {(e.name, node) for e in entries for node in e.taxonomy}
    problems = [
        f"taxonomy {c.id}: implementation {name!r} is not registered for it"
        for c in kb.components.values()
        for name in c.implementations
        if (name, c.id) not in registered
    ]
    assert not problems, "\n".join(problems)
