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


def _variant(nl: str, scale: float, N: int = 128) -> dict:
    doc = _doc(f"mbt2018-mean (N={N}, M=192, nonlinearity={nl})", scale)
    doc["meta"]["config"] = {"name": "mbt2018-mean", "init_args": {"N": N, "M": 192, "nonlinearity": nl}}
    doc["meta"]["machine"] = {"cpu_model": "Test CPU", "load_average": [3.0, 2.0, 1.0]}
    return doc


def test_nonlinearity_comparison_pulls_in_peers():
    gdn, relu, one_dn = _variant("gdn", 1.0), _variant("relu", 0.5), _variant("1dn", 0.7)
    other_width = _variant("gsdn", 0.9, N=64)  # another backbone width: not comparable
    md = bench_section([gdn], peers=[gdn, relu, one_dn, other_width])
    assert "1DN vs GDN vs RELU on `mbt2018-mean` (N=128, M=192)" in md
    assert 'id="bench-cmp-mbt2018-mean-bars"' in md
    assert "GSDN" not in md.split("#### Every configuration")[0]
    assert "Test CPU" in md and "load 3.0" in md
    # a lone run has nothing to compare with
    assert "-cmp-" not in bench_section([gdn], peers=[gdn, other_width])


def test_overview_page_lists_compressai_ratios():
    doc = _variant("gdn", 1.0)
    doc["compare"] = {"reference_resolution": "768x512", "encode_ratio": 0.9, "decode_ratio": 0.5,
                      "total_ratio": 0.65, "identical_output": True}
    page = bench_page([doc])
    assert "## Against CompressAI" in page
    assert "| 0.900 | 0.500 | 0.650 | yes |" in page
    assert "0.65× (bit-identical)" in page
