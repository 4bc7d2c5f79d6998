"""``--set model.context=checkerboard`` swaps the context model on compress, bench, fit
and test (the latter two through one tiny training run)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from lic_bench.bitstream.codec import read_header  # noqa: E402

SWAP = ["--set", "model.context=checkerboard", "--set", "model.N=8", "--set", "model.M=12"]


def _last_json(text: str) -> dict:
    """The JSON object a command printed last (Lightning may log lines before it)."""
    starts = [m.start() for m in re.finditer(r"^\{", text, flags=re.M)]
    for start in reversed(starts):
        try:
            return json.JSONDecoder().raw_decode(text[start:])[0]
        except ValueError:
            continue
    raise AssertionError(f"no JSON object in the output:\n{text[-2000:]}")


def _app():
    from lic_bench.cli import app

    return app


def test_compress_swaps_the_context(tmp_path, tiny_data):
    image = sorted((tiny_data / "val").glob("*.png"))[0]
    out = tmp_path / "x.lic"
    result = CliRunner().invoke(_app(), ["compress", str(image), "-o", str(out), "--model", "mbt2018-mean",
                                         "--threads", "1", "--random-weights", *SWAP])
    assert result.exit_code == 0, result.output
    cfg = read_header(out.read_bytes())["config"]
    assert cfg["name"] == "mbt2018-mean" and cfg["init_args"]["context"]["name"] == "checkerboard"
    result = CliRunner().invoke(_app(), ["decompress", str(out), "-o", str(tmp_path / "y.png"), "--threads", "1",
                                         "--random-weights"])
    assert result.exit_code == 0, result.output


def test_nonsense_swap_is_one_line(tmp_path, tiny_data):
    image = sorted((tiny_data / "val").glob("*.png"))[0]
    result = CliRunner().invoke(_app(), ["compress", str(image), "-o", str(tmp_path / "x.lic"), "--model",
                                         "bmshj2018-factorized", "--set", "model.context=checkerboard"])
    # the console script (lic_bench.cli.main) prints a UsageError as one line and exits 2
    from lic_bench.errors import UsageError

    assert result.exit_code != 0 and isinstance(result.exception, UsageError)
    message = str(result.exception)
    assert "needs backbone mean-scale-hyperprior" in message and "\n" not in message


def test_bench_swaps_the_context(tmp_path):
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(_app(), [
        "bench", "--model", "mbt2018-mean", *SWAP, "--resolutions", "64", "--batch-sizes", "1",
        "--throughput-resolution", "64", "--repeats", "1", "--warmup", "0", "--threads", "1",
        "--no-transforms", "--output", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["implementation"].get("coding_threads") == 2  # a context model pins its threads
    assert "checkerboard" in doc["meta"]["taxonomy"]


def test_fit_and_test_swap_the_context(tiny_data, tmp_path, overrides_for):
    sets = overrides_for(tiny_data, tmp_path, **{"model.name": "mbt2018-mean", "model.context": "checkerboard",
                                                 "model.N": 8, "model.M": 12, "trainer.max_steps": 2})
    result = CliRunner().invoke(_app(), ["fit"] + [a for s in sets for a in ("--set", s)])
    assert result.exit_code == 0, result.output
    run = _last_json(result.output)
    ckpt = Path(run["last_checkpoint"])
    state = torch.load(ckpt, map_location="cpu", weights_only=True)
    assert state["hyper_parameters"]["model"]["init_args"]["context"]["name"] == "checkerboard"
    assert any(k.endswith("context_prediction.mask") for k in state["state_dict"])
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(_app(), ["test", "--checkpoint", str(ckpt), "--threads", "1", "--output", str(out),
                                         "--no-progress", "--set", "model.context=checkerboard"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["name"] == "mbt2018-mean"


def test_a_context_setting_is_set_in_its_section(tmp_path, tiny_data):
    image = sorted((tiny_data / "val").glob("*.png"))[0]
    out = tmp_path / "x.lic"
    result = CliRunner().invoke(_app(), ["compress", str(image), "-o", str(out), "--model", "mbt2018-mean",
                                         "--threads", "1", "--random-weights", "--set", "model.N=8",
                                         "--set", "model.M=12", "--set", "model.context.name=channel-wise",
                                         "--set", "model.context.num_slices=3"])
    assert result.exit_code == 0, result.output
    section = read_header(out.read_bytes())["config"]["init_args"]["context"]
    assert section["name"] == "channel-wise" and section["num_slices"] == 3
    bad = CliRunner().invoke(_app(), ["compress", str(image), "-o", str(tmp_path / "y.lic"), "--model",
                                      "mbt2018-mean", "--random-weights", "--set", "model.context.num_slices=3"])
    assert bad.exit_code != 0 and "without a context model" in bad.output + str(bad.exception)
