"""The CLI: anchor runs write results, bd reproduces numbers, bad input gives one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lic_bench.codecs.sweep import load_rgb
from tests.cli_runner import run_cli as cli


@pytest.fixture(scope="module")
def tiny_dataset(kodak_dir, tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("tiny")
    for i, name in enumerate(("kodim03.png", "kodim23.png")):
        crop = load_rgb(kodak_dir / name)[100:292, 200:392]  # 192x192: big enough for MS-SSIM
        Image.fromarray(np.ascontiguousarray(crop)).save(folder / f"crop{i}.png")
    return folder


def test_anchors_run_then_bd_against_itself(tiny_dataset, tmp_path):
    out = tmp_path / "jpeg.json"
    run = cli("anchors", "run", "--codec", "jpeg444", "--dataset", tiny_dataset, "-o", out,
              "-q", 30, "-q", 60, "-q", 80, "-q", 90)
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text())
    res, meta = doc["results"], doc["meta"]
    assert doc["name"] == "jpeg444" and meta["kind"] == "anchor" and meta["taxonomy"] == []
    assert meta["codec_versions"]["libjpeg"] and meta["images"] == ["crop0.png", "crop1.png"]
    assert res["bpp"] == sorted(res["bpp"]) and res["quality"] == [30, 60, 80, 90]
    assert res["psnr-rgb"] == sorted(res["psnr-rgb"])
    assert all(0.5 < v < 1 for v in res["ms-ssim-rgb"])
    assert len(doc["per_image"]["crop1.png"]["bytes"]) == 4
    bd = cli("bd", out, out, "--format", "json")
    assert bd.returncode == 0, bd.stderr
    assert json.loads(bd.stdout)["bd_rate"] == pytest.approx(0.0, abs=1e-9)


def test_one_line_errors(tmp_path, tiny_dataset):
    missing = cli("bd", tmp_path / "nope.json", tmp_path / "nope2.json")
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("error:") and len(missing.stderr.strip().splitlines()) == 1
    doc = {"name": "x", "results": {"bpp": [0.1, 0.2, 0.4, 0.8], "psnr-rgb": [28, 30, 32, 34]}, "meta": {}}
    f = tmp_path / "x.json"
    f.write_text(json.dumps(doc))
    no_metric = cli("bd", f, f, "--metric", "ms-ssim-rgb")
    assert no_metric.returncode == 2 and "no 'ms-ssim-rgb'" in no_metric.stderr
    assert "Traceback" not in no_metric.stderr
    bad_codec = cli("anchors", "run", "--codec", "bpg", "--dataset", tiny_dataset)
    assert bad_codec.returncode == 2 and "unknown codec" in bad_codec.stderr
    bad_ds = cli("anchors", "run", "--codec", "jpeg444", "--dataset", tmp_path / "no-such-dir")
    assert bad_ds.returncode == 2 and bad_ds.stderr.startswith("error:")
    junk = tmp_path / "junk.json"
    junk.write_text('{"foo": 1}')
    bad_import = cli("rd", "import", junk)
    assert bad_import.returncode == 2 and "unrecognised" in bad_import.stderr
    no_dataset = cli("rd", "import", f)
    assert no_dataset.returncode == 2 and "give --dataset" in no_dataset.stderr


def test_anchors_list_json():
    out = cli("anchors", "list", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert set(rows) == {"x265-bpg444", "jpeg444", "jpeg2000", "webp", "avif444", "jpegxl", "vvc420"}
    assert rows["vvc420"]["subsampling"] == "4:2:0" and rows["x265-bpg444"]["subsampling"] == "4:4:4"
