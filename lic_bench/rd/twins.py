"""Identical curves published under two names or by two sources.

The same points reach ``results/`` more than once: tensorflow-compression ships
``balle-2018-iclr`` and ``balle-2018-iclr-opt-mse`` with the same numbers, CompressAI's
``paper-*.json`` are the tfc files, C3's baselines copy CompressAI's, authors re-publish
CompressAI's VTM curve. Counted twice they would be two rows or two agreeing "sources";
here they are found so that the leaderboard and ``rd table`` show them as one.
Two curves are twins when they have the same number of points on the same dataset and
every point agrees to 1e-4 relative in bpp and 1e-3 in its quality (files round
differently: 6 decimals against 16).
"""

from __future__ import annotations

import math
from typing import Any

from lic_bench.rd.protocol import dataset_of

_REL_BPP = 1e-4
_ABS_QUALITY = 1e-3


def _points(doc: dict[str, Any]) -> tuple[str, tuple[tuple[float, float], ...]] | None:
    res = doc.get("results")
    if not isinstance(res, dict) or not isinstance(res.get("bpp"), list):
        return None
    for key in ("psnr-rgb", "ms-ssim-rgb", "ms-ssim-db-rgb"):
        values = res.get(key)
        if isinstance(values, list) and len(values) == len(res["bpp"]):
            pts = []
            for b, q in zip(res["bpp"], values, strict=True):
                if isinstance(b, (int, float)) and isinstance(q, (int, float)) and math.isfinite(b) and math.isfinite(q):
                    pts.append((float(b), float(q)))
            return (key, tuple(sorted(pts))) if pts else None
    return None


def _same(a: tuple[str, tuple], b: tuple[str, tuple]) -> bool:
    if a[0] != b[0] or len(a[1]) != len(b[1]):
        return False
    return all(abs(x1 - x2) <= _REL_BPP * max(abs(x1), abs(x2)) and abs(y1 - y2) <= _ABS_QUALITY
               for (x1, y1), (x2, y2) in zip(a[1], b[1], strict=True))


def twin_groups(docs: list[dict[str, Any]]) -> dict[int, int]:
    """``id(doc) -> group number``; twins share a number, every other curve has its own."""
    parent = list(range(len(docs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keyed: dict[tuple, list[tuple[int, tuple]]] = {}
    for i, doc in enumerate(docs):
        pts = _points(doc)
        if pts is not None:
            keyed.setdefault((dataset_of(doc), pts[0], len(pts[1])), []).append((i, pts))
    for members in keyed.values():
        for j, (i, pts) in enumerate(members):
            for k, other in members[j + 1:]:
                if root(i) != root(k) and _same(pts, other):
                    parent[root(k)] = root(i)
    return {id(doc): root(i) for i, doc in enumerate(docs)}
