"""Fixtures for the site tests: a tiny in-memory knowledge base and one built site per session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lic_bench.kb import Component, KnowledgeBase, Paper

# (id, parent, area): three small areas, deep enough for breadcrumbs and subtree queries.
_NODES = [
    ("quantization", None, "quantization"),
    ("scalar-quantization", "quantization", "quantization"),
    ("uniform-quantization", "scalar-quantization", "quantization"),
    ("additive-uniform-noise", "uniform-quantization", "quantization"),
    ("straight-through-rounding", "uniform-quantization", "quantization"),
    ("context-models", None, "context-models"),
    ("sequential", "context-models", "context-models"),
    ("autoregressive-context", "sequential", "context-models"),
    ("parallel-decoding", "context-models", "context-models"),
    ("checkerboard", "parallel-decoding", "context-models"),
    ("hierarchical-priors", None, "hierarchical-priors"),
    ("scale-hyperprior", "hierarchical-priors", "hierarchical-priors"),
]

_IMPLEMENTATIONS = {
    "checkerboard": ["checkerboard", "he2021-checkerboard"],
    "additive-uniform-noise": ["additive-uniform-noise"],
}

_PAPERS = [
    dict(
        id="balle2018-variational",
        title="Variational Image Compression with a Scale Hyperprior",
        authors=["Johannes Ballé", "David Minnen"],
        year=2018,
        venue="ICLR",
        arxiv="1802.01436",
        components=["scale-hyperprior", "additive-uniform-noise"],
        code=["https://github.com/tensorflow/compression"],
    ),
    dict(
        id="minnen2018-joint",
        title="Joint Autoregressive and Hierarchical Priors | for Learned Image Compression",
        authors=["David Minnen", "Johannes Ballé", "George Toderici"],
        year=2018,
        venue="NeurIPS",
        components=["autoregressive-context", "scale-hyperprior", "additive-uniform-noise"],
        builds_on=["balle2018-variational"],
    ),
    dict(
        id="he2021-checkerboard",
        title="Checkerboard Context Model for Efficient Learned Image Compression",
        authors=["Dailan He"],
        year=2021,
        venue="CVPR",
        doi="10.1109/CVPR46437.2021.01453",
        components=["checkerboard", "straight-through-rounding"],
        builds_on=["minnen2018-joint"],
    ),
    dict(
        id="nobody2020-untagged",
        title="An Untagged Paper",
        authors=["A. Nobody"],
        year=2020,
    ),
]


def make_kb() -> KnowledgeBase:
    comps = [
        Component(
            id=cid,
            name=cid.replace("-", " ").title(),
            parent=parent,
            area=area,
            summary=f"What {cid} does. A second sentence.",
            implementations=_IMPLEMENTATIONS.get(cid, []),
        )
        for cid, parent, area in _NODES
    ]
    return KnowledgeBase(comps, [Paper(**p) for p in _PAPERS])


@pytest.fixture()
def tiny_kb() -> KnowledgeBase:
    return make_kb()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> dict:
    """Build the real site once, in a subprocess through the CLI, under ``-X importtime``.

    Returns ``{"dir": Path, "imported": set of module names, "seconds": float}`` so tests
    can check both the pages and that building never imported torch.
    """
    out = tmp_path_factory.mktemp("site") / "built"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lic_bench", "site", "build", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if proc.returncode != 0:
        tail = "\n".join(line for line in proc.stderr.splitlines() if "import time:" not in line)
        pytest.fail(f"lic-bench site build failed ({proc.returncode}):\n{tail[-3000:]}")
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    messages = [line for line in proc.stderr.splitlines() if "import time:" not in line]
    return {"dir": Path(out), "imported": imported, "messages": messages}
