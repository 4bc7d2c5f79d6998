"""Benchmark statistics and the site's benchmark charts (no model needed)."""

from __future__ import annotations

import pytest

from lic_bench.site.bench import bench_page, bench_section


def _doc(label: str, scale: float) -> dict:
    stats = lambda ms: {"mean": ms, "std": 0.1 * ms, "median": ms, "p95": 1.2 * ms, "n": 5}  # noqa: E731
    labels = ["256x256", "768x512"]
    return {
        "name": "mbt2018-mean",
        "results": {"resolution": labels, "encode_ms": [10 * scale, 40 * scale]},
        "latency": {
            "encode": {"256x256": stats(10 * scale), "768x512": stats(40 * scale)},
            "decode": {"256x256": stats(12 * scale), "768x512": stats(50 * scale)},
        },
        "throughput": {"resolution": "256x256", "batch_size": [2, 4], "encode_ips": [50, 80], "decode_ips": [40, 70]},
        "complexity": {"params": 1234, "kmac_per_pixel": 91.1, "peak_memory_mb": {"encode": 1, "decode": 2, "resolution": "768x512"}},
        "meta": {"kind": "bench", "label": label, "device": "cpu", "threads": 2, "cpu": "x86_64", "date": "2026-11-21T00:00:00", "command": "lic-bench bench -m mbt2018-mean"},
    }


def test_summarize_statistics():
    torch = pytest.importorskip("torch")  # noqa: F841 - timing imports torch
    from lic_bench.bench.timing import summarize

    stats = summarize([0.001, 0.002, 0.003, 0.004, 0.100])
    assert stats["median"] == pytest.approx(3.0)
    assert stats["mean"] == pytest.approx(22.0)
    assert stats["p95"] == pytest.approx(100.0)
    assert stats["n"] == 5


def test_bench_section_has_one_trace_per_configuration():
    docs = [_doc("mbt2018-mean (nonlinearity=gdn)", 1.0), _doc("mbt2018-mean (nonlinearity=relu)", 0.8)]
    md = bench_section(docs)
    assert "nonlinearity=gdn" in md and "nonlinearity=relu" in md
    assert md.count('id="bench-lat-encode"') == 1
    assert "40.0 @ 768x512" in md and "32.0 @ 768x512" in md
    assert "x86_64" in md  # the machine is described


def test_bench_section_ignores_other_kinds_and_empty():
    assert bench_section([]) == ""
    other = _doc("x", 1.0)
    other["meta"]["kind"] = "eval"
    assert bench_section([other]) == ""
    assert bench_page([other]) == ""
    assert bench_page([_doc("y", 1.0)]).startswith("# Speed benchmark")
