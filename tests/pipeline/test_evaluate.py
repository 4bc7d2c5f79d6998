"""`lic-bench test`: real bitstreams, a results file that compressai.utils.plot reads,
provenance in meta, and no silent overwrite of another run's file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lic_bench.engine.evaluate import METRICS, run_test
from lic_bench.results import file_sha256


@pytest.fixture(scope="module")
def tested(tiny_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "eval" / "tiny.json"
    runner = CliRunner()
    from lic_bench.cli import app

    result = runner.invoke(app, ["test", "--checkpoint", tiny_run.last_checkpoint, "--threads", "1",
                                 "--output", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["written"] == str(out)
    return out, json.loads(out.read_text())


def test_results_document(tested, tiny_run, tiny_data):
    path, doc = tested
    assert doc["name"] == "bmshj2018-hyperprior"
    assert set(METRICS) <= set(doc["results"])
    assert all(len(v) == 1 for v in doc["results"].values())
    assert set(doc["per_image"]) == {"img00", "img01"}
    image = doc["per_image"]["img00"]
    # Real rate: the bitstream's bytes; it includes a header, so it exceeds the estimate.
    assert image["bpp"] == pytest.approx(8 * image["bytes"] / (176 * 192))
    assert image["bpp"] > image["bpp-estimated"] > 0
    assert image["decode_max_diff_levels"] <= 1
    assert 0 < image["psnr-rgb"] < 60 and 0 < image["ms-ssim-rgb"] <= 1
    assert image["ms-ssim-rgb-db"] == pytest.approx(-10 * math.log10(1 - image["ms-ssim-rgb"]))
    assert image["encoding_time"] > 0 and image["decoding_time"] > 0
    mean_psnr = sum(v["psnr-rgb"] for v in doc["per_image"].values()) / 2
    assert doc["results"]["psnr-rgb"][0] == pytest.approx(mean_psnr)


def test_meta_provenance(tested, tiny_run):
    _, doc = tested
    meta = doc["meta"]
    assert meta["kind"] == "eval" and meta["provenance"] == "measured"
    assert isinstance(meta["command"], str) and meta["git_commit"]
    assert meta["checkpoint_hash"] == file_sha256(tiny_run.last_checkpoint)
    assert len(meta["config_hash"]) == 16
    assert meta["dataset"]["num_images"] == 2 and len(meta["dataset"]["checksum"]) == 64
    assert "scale-hyperprior" in meta["taxonomy"] and "gdn" in meta["taxonomy"]
    assert "balle2018-variational" in meta["papers"]
    assert meta["loss"] == {"distortion": "mse", "lmbda": 0.0067}
    assert meta["training"]["global_step"] == 4
    assert meta["threads"] == 1 and meta["versions"]["torch"]
    if doc["results"]["lpips"][0] is None:
        assert "torch hub" in meta["lpips_unavailable"]


def test_compressai_plot_reads_it(tested, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from compressai.utils.plot.__main__ import main, parse_json_file

    path, doc = tested
    for metric in ("psnr", "ms-ssim"):
        parsed = parse_json_file(path, metric)
        assert parsed["name"] == "bmshj2018-hyperprior"
        assert parsed["xs"] == doc["results"]["bpp"]
    monkeypatch.setattr("matplotlib.pyplot.show", lambda *a, **k: None)
    png = tmp_path / "rd.png"
    main(["--results-file", str(path), "--show", "-o", str(png)])
    assert png.stat().st_size > 1000


def test_same_run_replaces_other_run_gets_new_file(tested, tiny_run, tmp_path):
    path, _ = tested
    before = path.read_text()
    doc, again = run_test(tiny_run.last_checkpoint, threads=1, output=path, progress=False)
    assert again == path  # same model, config, checkpoint, data: the file is the same run
    step2 = Path(tiny_run.run_dir) / "checkpoints" / "step=0000002.ckpt"
    _, other = run_test(step2, threads=1, output=path, progress=False, limit=1)
    assert other != path and other.name == "tiny-2.json"
    assert json.loads(path.read_text())["meta"]["checkpoint_hash"] == json.loads(before)["meta"]["checkpoint_hash"]


def test_validate_command(tiny_run):
    from lic_bench.cli import app

    result = CliRunner().invoke(app, ["validate", "--checkpoint", tiny_run.last_checkpoint])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output[result.output.index("{"):])
    assert metrics["val/loss"] > 0 and metrics["val/bpp"] > 0


def test_jpeg_ai_suite_adds_keys_and_meta(tiny_run, tmp_path):
    doc, _ = run_test(tiny_run.last_checkpoint, threads=1, progress=False, limit=1, write=False,
                      metrics=["jpeg-ai"])
    image = doc["per_image"]["img00"]
    for key in ("ms-ssim-y", "psnr-y", "psnr-u", "psnr-v", "vif", "fsim", "iw-ssim", "nlpd",
                "psnr-hvs", "psnr-hvs-m", "vmaf"):
        assert isinstance(image[key], float), key
        assert doc["results"][key] == [image[key]]
    assert set(METRICS) <= set(doc["results"])  # CompressAI's keys stay
    meta = doc["meta"]["metrics"]
    assert meta["vif"]["packages"]["piq"] and meta["psnr-hvs"]["packages"]["psnr-hvsm"]
    assert meta["nlpd"]["higher_is_better"] is False
