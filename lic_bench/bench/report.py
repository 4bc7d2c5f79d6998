"""Text rendering and saving of benchmark results documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lic_bench.results import result_path, write_result

_STAGES = ("transform_encode", "transform_decode", "encode", "decode")


def save_result(doc: dict[str, Any], output: Path | None = None) -> Path:
    meta = doc["meta"]
    threads = meta.get("threads")
    tag = f"{meta['config_hash']}-{meta['device'].replace(':', '')}-t{threads}"
    # A run against CompressAI and a run among swept variants are different runs of
    # the same config: each keeps its own file.
    if "compare" in doc:
        tag += "-vs-" + doc["compare"].get("against", "other")
    if meta.get("interleaved_with"):
        from lic_bench.results import config_hash

        tag += "-sweep-" + config_hash(sorted([*meta["interleaved_with"], meta["label"]]))[:8]
    return write_result(doc, output or result_path("bench", doc["name"], tag))


def _cell(stats: dict[str, float] | None) -> str:
    if not stats:
        return "-"
    return f"{stats['median']:.1f} ±{stats['std']:.1f} (p95 {stats['p95']:.1f})"


def render_table(doc: dict[str, Any]) -> str:
    latency = doc["latency"]
    stages = [s for s in _STAGES if s in latency]
    meta = doc["meta"]
    machine = meta.get("machine", {})
    impl = doc.get("implementation", {})
    lines = [
        f"{meta['label']} on {meta['device']} ({meta.get('threads')} threads, "
        f"{machine.get('cpu_model') or meta.get('cpu')}, load {machine.get('load_average', '?')})",
        f"timed path: {impl.get('path', 'model')}; transforms timed: "
        + "; ".join(f"{k}={'+'.join(v)}" for k, v in impl.get("timed_modules", {}).items()),
        "latency, ms: median ±std (p95), batch 1",
        "  " + "resolution".ljust(11) + "".join(s.ljust(30) for s in stages),
    ]
    for label in doc["results"]["resolution"]:
        lines.append("  " + label.ljust(11) + "".join(_cell(latency[s].get(label)).ljust(30) for s in stages))
    thr = doc["throughput"]
    lines.append(f"throughput at {thr['resolution']}, images/s")
    for i, batch in enumerate(thr["batch_size"]):
        enc = thr.get("encode_ips", [None] * (i + 1))[i]
        dec = thr.get("decode_ips", [None] * (i + 1))[i]
        lines.append(f"  batch {batch:>3}: encode {enc:8.2f}   decode {dec:8.2f}")
    cx = doc["complexity"]
    peak = cx["peak_memory_mb"]
    lines.append(
        f"params {cx['params']:,}   {cx['kmac_per_pixel']:.1f} kMAC/px   "
        f"peak memory at {peak['resolution']}: encode {peak['encode']:.0f} MiB, decode {peak['decode']:.0f} MiB"
    )
    if "compare" in doc:
        c = doc["compare"]
        ref, theirs = c["reference_resolution"], c.get("compressai_latency") or {}
        lines.append(f"against CompressAI (same weights, this run), ms at {ref}, batch 1:")
        for stage in ("encode", "decode"):
            ours_ms = (latency.get(stage) or {}).get(ref, {}).get("median")
            their_ms = (theirs.get(stage) or {}).get(ref, {}).get("median")
            if ours_ms is not None and their_ms is not None:
                lines.append(f"  {stage:7} lic-bench {ours_ms:9.1f}   CompressAI {their_ms:9.1f}")
        lines.append(
            f"ours / CompressAI at {c['reference_resolution']}: encode {c['encode_ratio']:.3f}, "
            f"decode {c['decode_ratio']:.3f}, encode+decode {c['total_ratio']:.3f}; "
            f"identical output: {c['identical_output']}"
        )
    return "\n".join(lines)
