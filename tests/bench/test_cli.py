"""`lic-bench bench` end to end on a tiny model, and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from tests.cli_runner import run_cli  # noqa: E402

TINY = "name: mbt2018-mean\nN: 16\nM: 24\n"
FAST = ["--resolutions", "64,96x80", "--batch-sizes", "2", "--throughput-resolution", "64",
        "--repeats", "2", "--warmup", "0", "--threads", "1"]


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``lic-bench bench ARGS`` in this process, as the console script does."""
    proc = run_cli("bench", *args)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture()
def tiny_config(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def test_cli_writes_a_valid_document(tmp_path, tiny_config, monkeypatch, capsys):
    out = tmp_path / "bench.json"
    code, stdout, stderr = _run(
        monkeypatch, capsys, "--config", str(tiny_config), *FAST, "--output", str(out), "--format", "json"
    )
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert json.loads(out.read_text()) == doc
    assert doc["name"] == "mbt2018-mean"
    assert doc["results"]["resolution"] == ["64x64", "96x80"]
    assert doc["padded_to"] == {"96x80": "128x128"}
    for stage in ("transform_encode", "transform_decode", "encode", "decode"):
        for label in ("64x64", "96x80"):
            stats = doc["latency"][stage][label]
            assert stats["n"] == 2 and 0 < stats["median"] <= stats["p95"] + 1e-9
    assert doc["throughput"]["batch_size"] == [2] and doc["throughput"]["encode_ips"][0] > 0
    assert doc["complexity"]["params"] > 0 and doc["complexity"]["kmac_per_pixel"] > 0
    assert doc["implementation"]["path"] == "model"
    meta = doc["meta"]
    assert meta["kind"] == "bench" and meta["provenance"] == "measured"
    assert meta["threads"] == 1 and meta["machine"]["cpu_model"]
    assert "mean-scale-hyperprior" in meta["taxonomy"] and "gdn" in meta["taxonomy"]
    assert meta["command"].startswith("lic-bench bench --config")


def test_compare_compressai_is_identical_on_a_small_model(tiny_config):
    import torch

    from lic_bench.bench.runner import BenchSettings, parse_resolution, run_benchmark

    torch.set_num_threads(1)
    settings = BenchSettings(
        resolutions=[parse_resolution("128x64")], batch_sizes=[2], throughput_resolution=(64, 64),
        repeats=1, warmup=0, compare="compressai", stages=("full",), threads=1,
    )
    doc = run_benchmark(str(tiny_config), settings)
    compare = doc["compare"]
    assert compare["identical_output"] is True
    assert compare["reference_resolution"] == "128x64"
    assert compare["encode_ratio"] > 0 and compare["decode_ratio"] > 0
    assert set(compare["compressai_latency"]) == {"encode", "decode"}


@pytest.mark.parametrize(
    "args,message",
    [
        (["--model", "no-such-model"], "no-such-model"),
        (["--model", "mbt2018-mean", "--resolutions", "big"], "resolution"),
        (["--model", "mbt2018-mean", "--resolutions", "8"], "too small"),
        (["--model", "mbt2018-mean", "--config", "x.yaml"], "exactly one"),
        ([], "exactly one"),
        (["--model", "mbt2018-mean", "--batch-sizes", "0"], "positive"),
        (["--model", "mbt2018-mean", "--quality", "2"], "variable-rate"),
        (["--model", "mbt2018-mean", "--nonlinearity", "gdn"], "No such option"),
        (["--model", "he2021-checkerboard", "--compare", "compressai"], "no twin"),
    ],
)
def test_bad_input_exits_with_one_line(args, message, monkeypatch, capsys):
    code, _, stderr = _run(monkeypatch, capsys, *args, "--no-save")
    assert code != 0
    lines = [ln for ln in stderr.splitlines() if ln.strip() and "bench:" not in ln]
    if message == "No such option":  # click's own usage errors: a short usage block, exit 2
        assert code == 2 and any(message in ln for ln in lines)
        return
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert message in lines[0]


def test_sweep_times_variants_side_by_side(tiny_config):
    import torch

    from lic_bench.bench.runner import BenchSettings, parse_resolution, run_benchmarks

    torch.set_num_threads(1)
    settings = BenchSettings(
        resolutions=[parse_resolution("64")], batch_sizes=[2], throughput_resolution=(64, 64),
        repeats=2, warmup=0, stages=("full",), threads=1,
    )
    docs = run_benchmarks(str(tiny_config), settings, variants=[{"nonlinearity": "gdn"}, {"nonlinearity": "relu"}])
    assert [d["meta"]["config"]["init_args"]["nonlinearity"] for d in docs] == ["gdn", "relu"]
    assert "relu" in docs[0]["meta"]["interleaved_with"][0]
    assert "gdn" in docs[0]["meta"]["taxonomy"] and "relu" in docs[1]["meta"]["taxonomy"]
    assert "gdn" not in docs[1]["meta"]["taxonomy"]
    assert docs[0]["latency"]["encode"]["64x64"]["n"] == 2
