"""The real taxonomy: the fixed ids every engineer codes against, and the tree's shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from lic_bench.kb import load_kb
from lic_bench.kb._load import read_kb

# (id, parent) fixed by COMMON.md; registry keys and configs use these ids.
FIXED = [
    ("quantization", None),
    ("architectural-archetypes", None),
    ("context-models", None),
    ("hierarchical-priors", None),
    ("variable-rate", None),
    ("scalar-quantization", "quantization"),
    ("uniform-quantization", "scalar-quantization"),
    ("additive-uniform-noise", "uniform-quantization"),
    ("straight-through-rounding", "uniform-quantization"),
    ("mixed-quantization", "uniform-quantization"),
    ("vector-quantization", "quantization"),
    ("universal-quantization", "vector-quantization"),
    ("non-linearity", "architectural-archetypes"),
    *[(x, "non-linearity") for x in ("gdn", "1dn", "gsdn", "relu", "gelu", "leaky-relu")],
    ("sequential", "context-models"),
    ("autoregressive-context", "sequential"),
    ("parallel-decoding", "context-models"),
    ("checkerboard", "parallel-decoding"),
    ("channel-and-spatial", "parallel-decoding"),
    ("channel-wise", "channel-and-spatial"),
    ("uneven-channel-grouping", "channel-and-spatial"),
    ("unified-spatial-channel", "channel-and-spatial"),
    ("scaling-parameters", "variable-rate"),
    ("direct-scaling", "scaling-parameters"),
    ("gain-units", "direct-scaling"),
]


@pytest.fixture(scope="module")
def taxonomy(project_root: Path):
    result = read_kb(project_root)
    return {c.id: c for c in result.components}, result.problems


@pytest.mark.parametrize(("cid", "parent"), FIXED, ids=[c for c, _ in FIXED])
def test_fixed_ids(taxonomy, cid, parent):
    components, _ = taxonomy
    assert cid in components
    assert components[cid].parent == parent


@pytest.mark.parametrize("cid", ["factorized-prior", "scale-hyperprior", "mean-scale-hyperprior"])
def test_fixed_entropy_model_ids_are_hierarchical_priors(taxonomy, cid):
    components, _ = taxonomy
    assert components[cid].area == "hierarchical-priors"


def test_taxonomy_itself_has_no_problems(taxonomy):
    _, problems = taxonomy
    assert not [p for p in problems if p.file.startswith("taxonomy/")]


def test_areas_in_thesis_order_and_parents_first(project_root: Path):
    kb = load_kb(project_root, strict=False)
    ids = [a.id for a in kb.areas]
    # The thesis' five areas first, in its order; areas beyond it follow.
    assert ids[:5] == [
        "quantization", "architectural-archetypes", "context-models",
        "hierarchical-priors", "variable-rate",
    ]
    for area in kb.areas[5:]:
        assert area.origin == "beyond-seed", area.id
    seen: set[str] = set()
    for comp in kb.components.values():
        assert comp.parent is None or comp.parent in seen
        seen.add(comp.id)
    for comp in kb.components.values():
        assert comp.summary and len(comp.summary) < 400
        if comp.origin == "beyond-seed":
            assert comp.defining_papers, comp.id
            assert all(p in kb.papers for p in comp.defining_papers), comp.id
