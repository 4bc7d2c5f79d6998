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


# -- a "living" copy of the project: a renamed record and a survey's view ---------------------
SURVEY = "ferrari2025-registry"
# Renamed in the copy when the committed records hold no former id yet: CVPR 2018, which
# the first thesis dates 2019 (its survey entry keeps that year).
RENAMED = ("mentzer2019-conditional", "mentzer2018-conditional", 2018)
_COPIED = ("taxonomy", "papers", "results", "configs/models", "site", "mkdocs.yml")


def make_living_project(dest: Path, source: Path) -> dict:
    """Copy the project to ``dest`` and make sure it has a former id and survey entries.

    The committed records gain both on the records branch; until then the copy gets
    them here (one record renamed with its old id kept as an alias, and every record a
    ``surveys.ferrari2025-registry`` entry), so the site's redirect and survey switch
    can be tested either way. Returns ``{"root", "alias", "target"}``.
    """
    import shutil

    import yaml

    from lic_bench.kb import load_kb

    for sub in _COPIED:
        src = source / sub
        if src.is_dir():
            shutil.copytree(src, dest / sub, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            (dest / sub).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / sub)
    papers = dest / "papers"
    kb = load_kb(dest)

    def edit(pid: str, change) -> None:
        path = papers / f"{pid}.yaml"
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(record)
        path.unlink()
        (papers / f"{record['id']}.yaml").write_text(
            yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )

    if not kb.surveys().get(SURVEY):
        for pid in kb.papers:
            if pid != SURVEY:
                edit(pid, lambda r: r.setdefault("surveys", {}).setdefault(SURVEY, {"tables": ["5.6"]}))
    if not kb.aliases:
        old, new, year = RENAMED

        def rename(record: dict) -> None:
            record.update(id=new, year=year, aliases=[old])
            record.setdefault("surveys", {}).setdefault(SURVEY, {})["year"] = 2019  # the thesis's year

        edit(old, rename)
        for pid, paper in kb.papers.items():
            if old in paper.builds_on:
                edit(pid, lambda r: r.update(builds_on=[new if b == old else b for b in r["builds_on"]]))
    kb = load_kb(dest)  # strict: the copy must validate
    alias, target = next(iter(sorted(kb.aliases.items())))
    return {"root": dest, "alias": alias, "target": target}


def build_project(root: Path, out: Path) -> subprocess.CompletedProcess:
    """``lic-bench site build`` of the project at ``root`` with this checkout's code."""
    import lic_bench

    code = str(Path(lic_bench.__file__).resolve().parent.parent)
    env = dict(
        os.environ,
        LIC_BENCH_ROOT=str(root),
        PYTHONPATH=os.pathsep.join([code, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "lic_bench", "site", "build", "--out", str(out)],
        capture_output=True, text=True, env=env, cwd=root, timeout=600,
    )


@pytest.fixture(scope="session")
def living_site(tmp_path_factory, project_root) -> dict:
    """The site built from a living copy of the project (see :func:`make_living_project`)."""
    info = make_living_project(tmp_path_factory.mktemp("living") / "project", project_root)
    out = info["root"] / "build" / "site"
    proc = build_project(info["root"], out)
    if proc.returncode != 0:
        pytest.fail(f"site build of the living copy failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return {**info, "dir": out}
