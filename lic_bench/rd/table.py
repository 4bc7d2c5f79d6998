"""BD-rate tables: every curve of a dataset against one anchor (default ``x265-bpg444``).

Only curves of the anchor's dataset and averaging protocol are compared
(:mod:`lic_bench.rd.protocol`); each row says its dataset, protocol, training objective
and the anchor with its version (:mod:`lic_bench.rd.anchor_choice`).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from lic_bench.errors import LicBenchError
from lic_bench.rd.anchor_choice import anchor_info, anchor_text
from lic_bench.rd.anchor_choice import find_anchor as find_anchor  # noqa: PLC0414 - re-exported
from lic_bench.rd.bd import bd_documents
from lic_bench.rd.curves import METRICS, has_metric
from lic_bench.rd.protocol import averaging_of, dataset_of, objective_of
from lic_bench.rd.twins import twin_groups


def doc_dataset(doc: dict[str, Any]) -> str | None:
    """The dataset name of a document: ``meta.dataset`` is a name, or (for runs measured
    here) a record ``{"name", "num_images", "checksum"}`` of the images evaluated."""
    return dataset_of(doc)


def curve_label(doc: dict[str, Any]) -> str:
    """``name [tag]`` - unique enough to tell two curves of the same method apart."""
    meta = doc.get("meta") or {}
    tag = meta.get("tag") or Path(doc.get("_path", "")).stem
    return f"{doc.get('name', '?')} [{tag}]" if tag else str(doc.get("name", "?"))


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
            # the callers chose the pairs (same protocol, or a mismatch the user allowed, whose
            # warning the result then carries)
            outcome: Any = bd_documents(anchor, doc, metric, method, allow_protocol_mismatch=True)
        except LicBenchError as exc:
            outcome = exc
        if len(_BD_CACHE) >= _BD_CACHE_SIZE:
            _BD_CACHE.clear()
        hit = _BD_CACHE[key] = (anchor, doc, outcome)
    if isinstance(hit[2], LicBenchError):
        raise hit[2]
    return hit[2]


def source_url(doc: dict[str, Any]) -> str | None:
    """A link to the public file a reported curve comes from (GitHub, at its commit)."""
    src = (doc.get("meta") or {}).get("source")
    if not isinstance(src, dict):
        return None
    if src.get("url"):
        url = str(src["url"]).strip()
        return url if url.casefold().startswith(("https://", "http://")) else None
    repo, path, commit = src.get("repository"), src.get("path"), src.get("commit")
    if not (repo and path) or not str(repo).startswith("github.com/") or " " in str(path):
        return f"https://{repo}" if repo and str(repo).startswith("github.com/") else None
    return f"https://{repo}/blob/{commit or 'HEAD'}/{path}"


def bd_rows(
    docs: list[dict[str, Any]],
    anchor: dict[str, Any],
    metrics: tuple[str, ...] = METRICS,
    method: str = "pchip",
    *,
    objective: str | None = None,
    allow_protocol_mismatch: bool = False,
) -> list[dict[str, Any]]:
    """One row per document on the anchor's dataset and averaging protocol: BD-rate and
    BD-quality per metric. ``objective`` keeps only curves trained for it (and classical
    codecs, ``none``); ``allow_protocol_mismatch`` also compares curves of the other
    protocol, each such row with a warning."""
    rows = []
    dataset, averaging = dataset_of(anchor), averaging_of(anchor)
    info = anchor_info(anchor)
    for doc in docs:
        if doc is anchor or dataset_of(doc) != dataset:
            continue
        if averaging_of(doc) != averaging and not allow_protocol_mismatch:
            continue
        obj = objective_of(doc)
        if objective is not None and obj not in (objective, "none"):
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
            "model_version": meta.get("model_version"),
            "objective": obj,
            "dataset": dataset,
            "averaging": averaging_of(doc),
            "reported_by": meta.get("reported_by"),
            "tag": meta.get("tag"),
            "source_url": source_url(doc),
            "anchor": info["name"],
            "anchor_version": info["version"],
            "anchor_averaging": info["averaging"],
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
    # identical points under two names or from two publishers: say so in each row
    twins = twin_groups([doc for doc in docs if doc.get("_path") in {r["path"] for r in rows}])
    by_path = {doc.get("_path"): doc for doc in docs}
    groups: dict[int, list[str]] = {}
    for row in rows:
        row["twin_group"] = twins.get(id(by_path.get(row["path"])), -1)
        groups.setdefault(row["twin_group"], []).append(row["label"])
    for row in rows:
        row["same_curve_as"] = [lab for lab in groups[row["twin_group"]] if lab != row["label"]]
    rank_key = "bd_rate_ms-ssim" if objective == "ms-ssim" else "bd_rate_psnr"
    rows.sort(key=lambda r: (r[rank_key] is None, r[rank_key] if r[rank_key] is not None else 0))
    return rows


#: the columns of ``rd table --format csv`` and of the leaderboard's CSV downloads
CSV_COLUMNS = ("rank", "name", "label", "dataset", "averaging", "objective", "provenance", "reported_by",
               "bd_rate_psnr", "bd_psnr_db", "bd_rate_ms-ssim", "bd_ms-ssim_db",
               "anchor", "anchor_version", "anchor_averaging", "method", "papers", "source_url", "path",
               "same_curve_as", "warnings")


def rows_to_csv(rows: list[dict[str, Any]], method: str) -> str:
    """The rows as CSV (:data:`CSV_COLUMNS`; lists joined with ``; ``), in rank order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for i, row in enumerate(rows, 1):
        flat = {**row, "rank": i, "method": method}
        for key in ("papers", "same_curve_as", "warnings"):
            flat[key] = "; ".join(str(v) for v in row.get(key) or [])
        writer.writerow({k: ("" if flat.get(k) is None else flat.get(k)) for k in CSV_COLUMNS})
    return out.getvalue()


def table_document(rows: list[dict[str, Any]], anchor: dict[str, Any], method: str) -> dict[str, Any]:
    """``rd table --format json``: the anchor (path, and what it is), the method, the rows."""
    return {"anchor": anchor.get("_path"), "anchor_info": anchor_info(anchor), "anchor_text": anchor_text(anchor),
            "method": method, "dataset": dataset_of(anchor), "averaging": averaging_of(anchor), "rows": rows}


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


def folded_csv(folded: list[dict[str, Any]], method: str, view: str) -> str:
    """One objective view of folded rows (:mod:`lic_bench.rd.fold`) as CSV: what the
    leaderboard's CSV download of that view holds."""
    from lic_bench.rd.fold import FOLDED_COLUMNS, flat_row, view_rows

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FOLDED_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for i, row in enumerate(view_rows(folded, view), 1):
        flat = flat_row(row, i, method, view)
        writer.writerow({k: ("" if flat.get(k) is None else flat[k]) for k in FOLDED_COLUMNS})
    return out.getvalue()
