"""BD-rate tables: every curve of a dataset against one anchor (default ``x265-bpg444``)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lic_bench.errors import LicBenchError, UsageError
from lic_bench.rd.bd import bd_documents
from lic_bench.rd.curves import METRICS, has_metric


def doc_dataset(doc: dict[str, Any]) -> str | None:
    """The dataset name of a document: ``meta.dataset`` is a name, or (for runs measured
    here) a record ``{"name", "num_images", "checksum"}`` of the images evaluated."""
    value = (doc.get("meta") or {}).get("dataset")
    if isinstance(value, dict):
        value = value.get("name")
    return str(value) if value else None


def curve_label(doc: dict[str, Any]) -> str:
    """``name [tag]`` - unique enough to tell two curves of the same method apart."""
    meta = doc.get("meta") or {}
    tag = meta.get("tag") or Path(doc.get("_path", "")).stem
    return f"{doc.get('name', '?')} [{tag}]" if tag else str(doc.get("name", "?"))


def find_anchor(anchors: list[dict[str, Any]], name: str, dataset: str) -> dict[str, Any]:
    for doc in anchors:
        if doc.get("name") == name and doc_dataset(doc) == dataset:
            return doc
    have = sorted({f"{d.get('name')}/{doc_dataset(d)}" for d in anchors})
    raise UsageError(f"no anchor {name!r} measured on {dataset!r} (have: {', '.join(have) or 'none'})")


#: (id(anchor), id(doc), metric, method) -> (anchor, doc, BD result or error). The site
#: ranks the same curve against the same anchor on every page above its component and
#: on the leaderboard; each pair is computed once. The documents are held so their ids
#: stay theirs; the cache is cleared when it grows past _BD_CACHE_SIZE.
_BD_CACHE: dict[tuple[int, int, str, str], tuple[Any, Any, Any]] = {}
_BD_CACHE_SIZE = 50_000


def _bd_cached(anchor: dict[str, Any], doc: dict[str, Any], metric: str, method: str) -> Any:
    key = (id(anchor), id(doc), metric, method)
    hit = _BD_CACHE.get(key)
    if hit is None or hit[0] is not anchor or hit[1] is not doc:
        try:
            outcome: Any = bd_documents(anchor, doc, metric, method)
        except LicBenchError as exc:
            outcome = exc
        if len(_BD_CACHE) >= _BD_CACHE_SIZE:
            _BD_CACHE.clear()
        hit = _BD_CACHE[key] = (anchor, doc, outcome)
    if isinstance(hit[2], LicBenchError):
        raise hit[2]
    return hit[2]


def bd_rows(
    docs: list[dict[str, Any]],
    anchor: dict[str, Any],
    metrics: tuple[str, ...] = METRICS,
    method: str = "pchip",
) -> list[dict[str, Any]]:
    """One row per document on the anchor's dataset: BD-rate and BD-quality per metric."""
    rows = []
    dataset = doc_dataset(anchor)
    for doc in docs:
        if doc is anchor or doc_dataset(doc) != dataset:
            continue
        meta = doc.get("meta") or {}
        row: dict[str, Any] = {
            "name": doc.get("name"),
            "label": curve_label(doc),
            "path": doc.get("_path"),
            "kind": meta.get("kind"),
            "provenance": meta.get("provenance"),
            "papers": meta.get("papers", []),
            "opt_metric": meta.get("opt_metric"),
            "reported_by": meta.get("reported_by"),
            "tag": meta.get("tag"),
            "warnings": [],
        }
        for metric in metrics:
            key = "psnr" if metric == "psnr-rgb" else "ms-ssim"
            row[f"bd_rate_{key}"] = row[f"bd_{key}_db"] = None
            if not (has_metric(doc, metric) and has_metric(anchor, metric)):
                continue
            try:
                res = _bd_cached(anchor, doc, metric, method)
            except LicBenchError as exc:
                row["warnings"].append(f"{metric}: {exc}")
                continue
            row[f"bd_rate_{key}"] = res.bd_rate if math.isfinite(res.bd_rate) else None
            row[f"bd_{key}_db"] = res.bd_psnr if math.isfinite(res.bd_psnr) else None
            row["warnings"] += [f"{metric}: {w}" for w in res.warnings]
        if any(row[f"bd_rate_{'psnr' if m == 'psnr-rgb' else 'ms-ssim'}"] is not None for m in metrics):
            rows.append(row)
    rows.sort(key=lambda r: (r["bd_rate_psnr"] is None, r["bd_rate_psnr"] if r["bd_rate_psnr"] is not None else 0))
    return rows


def _fmt(v: float | None, unit: str) -> str:
    return "n/a" if v is None else f"{v:+.2f}{unit}"


def rows_to_text(rows: list[dict[str, Any]], anchor_label: str, method: str) -> str:
    head = (f"BD vs {anchor_label} ({method}; negative BD-rate = fewer bits than the anchor)\n"
            f"{'curve':<52} {'prov.':<10} {'BD-rate PSNR':>13} {'BD-PSNR':>9} {'BD-rate MS-SSIM':>16} {'BD-MS-SSIM':>11}  !")
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['label'][:52]:<52} {str(r['provenance'])[:10]:<10} {_fmt(r['bd_rate_psnr'], '%'):>13} "
            f"{_fmt(r['bd_psnr_db'], ' dB'):>9} {_fmt(r['bd_rate_ms-ssim'], '%'):>16} "
            f"{_fmt(r['bd_ms-ssim_db'], ' dB'):>11}  {'!' if r['warnings'] else ''}"
        )
    lines.append("! = warnings (few points, non-monotone curve or low range overlap): see --format json")
    return "\n".join(lines)


def rows_to_markdown(rows: list[dict[str, Any]], anchor_label: str, method: str) -> str:
    lines = [f"BD against **{anchor_label}** ({method} interpolation; negative BD-rate = fewer bits).", "",
             "| curve | provenance | BD-rate (PSNR) | BD-PSNR | BD-rate (MS-SSIM) | BD-MS-SSIM | file |",
             "|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        warn = " ⚠" if r["warnings"] else ""
        lines.append(
            f"| {r['label']}{warn} | {r['provenance']} | {_fmt(r['bd_rate_psnr'], ' %')} | {_fmt(r['bd_psnr_db'], ' dB')} "
            f"| {_fmt(r['bd_rate_ms-ssim'], ' %')} | {_fmt(r['bd_ms-ssim_db'], ' dB')} | `{r['path']}` |"
        )
    return "\n".join(lines)
