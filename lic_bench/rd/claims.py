"""Claimed vs recomputed BD-rates.

Papers state BD-rates against anchors of their choosing (VTM 9.1 to 28.3, BPG, an earlier
learned codec). Each ``claims:`` entry of a paper record (:class:`lic_bench.kb.schema.Claim`)
is put beside the BD-rate the project's BD code (:mod:`lic_bench.rd.bd`, PCHIP) gets from the
published points of the same codec against the same anchor curve - the same anchor *and
version*: a claim against VTM-12.1 is not recomputed against VTM-9.1. Where the points or
that anchor are not in ``results/reported`` the row says so instead of guessing.

Departures a reader should know: the published points are those of the authors' released
files where they exist (else CompressAI's or C3's collections); the anchor curve is the
version-matched one the authors (or another group) released, which may differ from the run
behind the paper's own number - such differences are exactly what the gap column shows.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lic_bench.errors import LicBenchError, UsageError

#: a gap (recomputed - claimed, in BD-rate points) above which a row is listed
GAP_THRESHOLD = 2.0
#: which training objective a metric's claim is about, to pick the right curve of a model
_OBJECTIVE = {"psnr-rgb": "mse", "psnr-y": "mse", "ms-ssim-rgb": "ms-ssim", "ms-ssim-y": "ms-ssim"}


@dataclass
class ClaimRow:
    paper: str
    codec: str
    dataset: str
    metric: str
    anchor: str
    anchor_version: str | None
    claimed: float
    recomputed: float | None
    gap: float | None
    status: str  # ok | gap | no-points | no-anchor | undefined
    where: str
    source: str
    test_files: list[str] = field(default_factory=list)
    anchor_files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _version(text: Any) -> str:
    """``VTM-12.1`` / ``v12.1`` / ``12.1`` -> ``12.1`` (the comparable part of a version)."""
    low = str(text).strip().lower()
    for prefix in ("vtm-", "vtm ", "vtm", "bpg-", "bpg ", "v"):
        if low.startswith(prefix):
            low = low[len(prefix):]
            break
    return low.strip()


def _versions(doc: dict[str, Any]) -> set[str]:
    """The versions a curve stands for: ``meta.model_version`` and ``meta.also_versions``
    (releases that shipped byte-identical results)."""
    meta = doc.get("meta") or {}
    also = meta.get("also_versions") if isinstance(meta.get("also_versions"), list) else []
    return {_version(v) for v in [meta.get("model_version"), *also] if v}


def _dataset(doc: dict[str, Any]) -> str | None:
    from lic_bench.rd.table import doc_dataset
    from lic_bench.results.meta import DATASET_ALIASES

    name = doc_dataset(doc)
    return DATASET_ALIASES.get(name, name) if name else None


def _preference(doc: dict[str, Any], metric: str) -> tuple:
    """Sort key: the authors' released points first, then reported before digitised, then
    curves of a model trained for the claim's metric."""
    meta = doc.get("meta") or {}
    tag = str(meta.get("tag") or "")
    objective = meta.get("opt_metric")
    return (
        objective not in (None, "none", _OBJECTIVE.get(metric)),
        not tag.startswith("authors"),
        meta.get("provenance") != "reported",
        tag,
    )


def _candidates(docs: list[dict[str, Any]], name: str, dataset: str, metric: str) -> list[dict[str, Any]]:
    from lic_bench.rd.curves import has_metric

    found = [d for d in docs if d.get("name") == name and _dataset(d) == dataset and has_metric(d, metric)]
    return sorted(found, key=lambda d: _preference(d, metric))


def load_claims(folder: Path | None = None) -> list[tuple[str, Any]]:
    """``(paper id, Claim)`` for every claim in ``papers/*.yaml``, in paper order.

    Records are validated claim by claim: a malformed claim is an error naming its paper.
    """
    from pydantic import ValidationError

    from lic_bench.kb.schema import Claim
    from lic_bench.rd.papers import paper_records

    out = []
    for pid, rec in paper_records(folder).items():
        raw = rec.get("claims") or []
        if not isinstance(raw, list):
            raise UsageError(f"papers/{pid}.yaml: claims must be a list")
        for i, entry in enumerate(raw):
            try:
                out.append((pid, Claim.model_validate(entry)))
            except ValidationError as exc:
                first = exc.errors()[0]
                loc = ".".join(str(x) for x in first["loc"])
                raise UsageError(f"papers/{pid}.yaml: claims[{i}].{loc}: {first['msg']}") from None
    return out


def recompute(pid: str, claim: Any, docs: list[dict[str, Any]], method: str = "pchip",
              threshold: float = GAP_THRESHOLD) -> ClaimRow:
    """One claim beside its recomputation from ``docs`` (results documents with ``_path``)."""
    from lic_bench.rd.bd import bd_documents

    datasets = [claim.dataset] if isinstance(claim.dataset, str) else list(claim.dataset)
    row = ClaimRow(paper=pid, codec=claim.codec, dataset="+".join(datasets), metric=claim.metric,
                   anchor=claim.anchor, anchor_version=claim.anchor_version, claimed=claim.bd_rate,
                   recomputed=None, gap=None, status="ok", where=claim.where, source=claim.source)
    best = getattr(claim, "over_datasets", "mean") == "best"
    if len(datasets) > 1:
        row.notes.append(f"the paper states the {'largest saving' if best else 'mean'} over {len(datasets)} "
                         "datasets; so does the recomputation")
    values = []
    for ds in datasets:
        if ds == "unstated":
            row.status = "no-points"
            row.notes.append("the paper names no dataset for this figure: it cannot be recomputed")
            return row
        tests = _candidates(docs, claim.codec, ds, claim.metric)
        if not tests:
            row.status = "no-points"
            row.notes.append(f"no published {claim.metric} points of {claim.codec} on {ds} in results/")
            return row
        anchors = _candidates(docs, claim.anchor, ds, claim.metric)
        if claim.anchor_version is not None:
            want = _version(claim.anchor_version)
            matching = [a for a in anchors if want in _versions(a)]
            if not matching:
                have = sorted({v for a in anchors for v in _versions(a)} or {"none recorded"})
                row.status = "no-anchor"
                row.notes.append(f"no {claim.anchor} curve of version {claim.anchor_version} on {ds}"
                                 + (f" (versions here: {', '.join(have)})" if anchors else ""))
                return row
            anchors = matching
        elif len({v for a in anchors for v in _versions(a)}) > 1:
            # VTM 9.1 and VTM 28.3 differ by several points: picking one would be a guess
            have = sorted({v for a in anchors for v in _versions(a)})
            row.status = "no-anchor"
            row.notes.append(f"the paper gives no {claim.anchor} version, and the {claim.anchor} curves here "
                             f"differ by version ({', '.join(have)})")
            return row
        elif anchors:
            row.notes.append(f"the paper gives no {claim.anchor} version; compared with {anchors[0].get('_path')}")
        if not anchors:
            row.status = "no-anchor"
            row.notes.append(f"no {claim.anchor} curve on {ds} in results/")
            return row
        test, anchor = tests[0], anchors[0]
        row.test_files.append(str(test.get("_path")))
        row.anchor_files.append(str(anchor.get("_path")))
        try:
            res = bd_documents(anchor, test, claim.metric, method)
        except LicBenchError as exc:
            row.status = "undefined"
            row.notes.append(f"{ds}: {exc}")
            return row
        row.notes += [f"{ds}: {w}" for w in res.warnings]
        if not math.isfinite(res.bd_rate):
            row.status = "undefined"
            row.notes.append(f"{ds}: BD-rate undefined (the curves do not overlap)")
            return row
        values.append(res.bd_rate)
    row.recomputed = round(min(values) if best else sum(values) / len(values), 2)
    row.gap = round(row.recomputed - row.claimed, 2)
    row.status = "gap" if abs(row.gap) > threshold else "ok"
    return row


def claim_rows(docs: list[dict[str, Any]] | None = None, folder: Path | None = None,
               method: str = "pchip", threshold: float = GAP_THRESHOLD) -> list[ClaimRow]:
    """Every claim of the knowledge base beside its recomputation."""
    from lic_bench.results import load_results

    if docs is None:
        # published curves and our anchors, per-quality only: every paper averages that way
        docs = [d for d in load_results() if (d.get("meta") or {}).get("kind") in ("reported", "anchor")
                and (d.get("meta") or {}).get("averaging") != "per-target-rate"]
    return [recompute(pid, claim, docs, method, threshold) for pid, claim in load_claims(folder)]


def largest_gaps(rows: list[ClaimRow], threshold: float = GAP_THRESHOLD) -> list[ClaimRow]:
    """The rows whose gap exceeds ``threshold`` points, largest first."""
    return sorted((r for r in rows if r.gap is not None and abs(r.gap) > threshold), key=lambda r: -abs(r.gap or 0))


# --------------------------------------------------------------------------- output
def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+.2f}"


def anchor_label(row: ClaimRow) -> str:
    return row.anchor + (f" {row.anchor_version}" if row.anchor_version else " (version not stated)")


def rows_to_text(rows: list[ClaimRow], threshold: float = GAP_THRESHOLD) -> str:
    head = f"{'paper':<30} {'codec':<20} {'dataset':<20} {'metric':<11} {'anchor':<22} {'claimed':>8} {'recomp.':>8} {'gap':>7}  status"
    lines = ["BD-rate (%) claimed by the paper vs recomputed from the published points (pchip); "
             "gap = recomputed - claimed", head]
    for r in rows:
        lines.append(f"{r.paper[:30]:<30} {r.codec[:20]:<20} {r.dataset[:20]:<20} {r.metric:<11} "
                     f"{anchor_label(r)[:22]:<22} {_pct(r.claimed):>8} {_pct(r.recomputed):>8} {_pct(r.gap):>7}  {r.status}")
    codecs = {r.codec for r in rows}
    done = [r for r in rows if r.recomputed is not None]
    lines.append(f"{len(rows)} claims on {len(codecs)} codecs; {len(done)} recomputed; "
                 f"{len(largest_gaps(rows, threshold))} with a gap > {threshold:g} points")
    return "\n".join(lines)


CSV_FIELDS = ("paper", "codec", "dataset", "metric", "anchor", "anchor_version", "claimed", "recomputed",
              "gap", "status", "where", "source", "test_files", "anchor_files", "notes")


def rows_to_csv(rows: list[ClaimRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for r in rows:
        d = r.to_dict()
        writer.writerow(["; ".join(d[k]) if isinstance(d[k], list) else ("" if d[k] is None else d[k])
                         for k in CSV_FIELDS])
    return buf.getvalue().rstrip("\n")
