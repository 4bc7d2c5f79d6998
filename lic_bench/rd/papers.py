"""Attach reported curves to the knowledge base: paper ids (only those whose record exists) and
their taxonomy components. Reads ``papers/*.yaml`` with the knowledge base's record reader
(:func:`lic_bench.kb._load.read_record`), record by record (no torch, no KB build)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lic_bench.paths import papers_dir

#: curve names used by public result files -> candidate paper ids (rule of COMMON.md)
KNOWN_PAPERS: dict[str, list[str]] = {
    "bmshj2018-factorized": ["balle2018-variational"],
    "bmshj2018-hyperprior": ["balle2018-variational"],
    "mbt2018": ["minnen2018-joint"],
    "mbt2018-mean": ["minnen2018-joint"],
    "cheng2020-anchor": ["cheng2020-learned"],
    "cheng2020-attn": ["cheng2020-learned"],
    "he2022-elic": ["he2022-elic"],
    "he2022-elic-sm": ["he2022-elic"],
    "minnen2020-channelwise": ["minnen2020-channel-wise"],
    "he2021-checkerboard": ["he2021-checkerboard"],
    "cheng2020-checkerboard-1M": ["he2021-checkerboard"],
    "cheng2020-checkerboard-6M": ["he2021-checkerboard"],
    "minnen2018-parallel": ["he2021-checkerboard"],
    "cheng2020-parallel": ["he2021-checkerboard"],
    "mlic": ["jiang2023-mlic"],
    "mlic-plus": ["jiang2023-mlic"],
    "mlic-plus-plus": ["jiang2023-mlic-plus-plus"],
    # tensorflow-compression file stems
    "balle-2017-iclr": ["balle2017-end-to-end"],
    "balle-2018-iclr": ["balle2018-variational"],
    "minnen-2018-neurips": ["minnen2018-joint"],
    "minnen-2020-icip": ["minnen2020-channel-wise"],
    "lee2019-iclr": ["lee2019-context-adaptive"],
    "lee-2019-context-adaptive": ["lee2019-context-adaptive"],
    "theis-2017-iclr": ["theis2017-lossy"],
    "toderici-2017-cvpr": ["toderici2017-full"],
    "johnston-2017-cvpr": ["johnston2018-improved"],
    "minnen-2017-icip": ["minnen2017-spatially"],
    "minnen-2018-icip": ["minnen2018-image-dependent"],
}

_ARXIV = re.compile(r"(\d{4}\.\d{4,5})")


@lru_cache(maxsize=4)
def _records(folder: str) -> dict[str, dict[str, Any]]:
    from lic_bench.kb._load import read_record

    out = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        rec = read_record(path)  # None for a record the KB load reports (skipped here too)
        if isinstance(rec, dict):
            out[str(rec.get("id") or path.stem)] = rec
    return out


def paper_records(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    return _records(str(folder or papers_dir()))


def paper_by_arxiv(text: str, folder: Path | None = None) -> str | None:
    found = _ARXIV.search(text or "")
    if not found:
        return None
    for pid, rec in paper_records(folder).items():
        if str(rec.get("arxiv", "")).strip() == found.group(1):
            return pid
    return None


def resolve_papers(name: str, hints: list[str] = (), explicit: list[str] | None = None,
                   folder: Path | None = None) -> tuple[list[str], list[str]]:
    """``(paper ids that exist, taxonomy components of those papers)``.

    ``explicit`` ids (from ``--paper``) win; otherwise the known-name table and any arXiv id
    in ``hints`` (URLs in the source file) are tried. Ids without a record are dropped.
    """
    records = paper_records(folder)
    if explicit is not None:
        candidates = list(explicit)
    else:
        base = re.sub(r"-(opt-)?(mse|msssim|ms-ssim)$", "", name)
        candidates = list(KNOWN_PAPERS.get(name, KNOWN_PAPERS.get(base, [])))
        # an arXiv URL names the paper a curve was taken from, which for digitised curves
        # can be a later paper's figure: only use it when the name says nothing
        for hint in hints if not candidates else ():
            pid = paper_by_arxiv(hint, folder)
            if pid:
                candidates.append(pid)
    papers = [p for p in dict.fromkeys(candidates) if p in records]
    taxonomy: list[str] = []
    for pid in papers:
        for comp in records[pid].get("components") or []:
            if comp not in taxonomy:
                taxonomy.append(str(comp))
    return papers, taxonomy
