"""Target-rate runs: the per-image quality search, and `anchors run --target-bpp/--rates`
end to end on two small crops (JPEG, so it is fast), resumable from the work folder."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from lic_bench.codecs.rate_search import RATE_PRESETS, ImageSearch, parse_targets
from lic_bench.errors import UsageError


def test_parse_targets():
    assert parse_targets(None, "jpeg-ai") == [0.06, 0.12, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]
    assert parse_targets(None, "clic") == [0.075, 0.15, 0.3]
    assert parse_targets(["0.5,0.25", "1"], None) == [0.25, 0.5, 1.0]
    assert parse_targets(None, None) is None
    for bad, msg in ((["0.5,x"], "takes numbers"), (["-1"], "must be a rate"), (["nan"], "must be a rate")):
        with pytest.raises(UsageError, match=msg):
            parse_targets(bad, None)
    with pytest.raises(UsageError, match="not both"):
        parse_targets(["1"], "clic")
    with pytest.raises(UsageError, match="unknown --rates"):
        parse_targets(None, "jpeg")


def _model(increasing: bool, lo: int, hi: int, base: float = 0.05, growth: float = 1.09):
    """A codec whose rate grows ~9 % per quality step (QP-like when not ``increasing``)."""
    calls = []

    def encode(q):
        calls.append(q)
        u = q - lo if increasing else hi - q
        return int(round(base * growth ** u * 10_000 / 8))  # bytes of a 10k-pixel image

    return encode, calls


@pytest.mark.parametrize("increasing,lo,hi", [(True, 0, 100), (False, 0, 63)])
def test_search_hits_every_reachable_target_cheaply(increasing, lo, hi):
    encode, calls = _model(increasing, lo, hi)
    search = ImageSearch(encode, 10_000, (lo, hi), 1, increasing)
    targets = RATE_PRESETS["jpeg-ai"]
    found = [search.find(t) for t in targets]
    for f in found:
        assert f.quality is not None, f.reason
        assert abs(f.bpp / f.target - 1) <= 0.15
        assert isinstance(f.quality, int)
    assert len(calls) == len(set(calls))  # never the same encode twice
    assert len(calls) <= len(targets) + 6  # the later targets reuse the earlier points


def test_search_skips_what_the_range_cannot_reach():
    encode, calls = _model(True, 1, 100, base=0.2)
    search = ImageSearch(encode, 10_000, (1, 100), 1, True)
    low = search.find(0.06)
    assert low.quality is None and "lowest quality still needs" in low.reason
    high = search.find(5000.0)
    assert high.quality is None and "highest quality gives only" in high.reason
    assert len(calls) < 20


def test_search_skips_a_target_between_two_quality_steps():
    # one step doubles the rate: 0.7 bpp lies between 0.5 and 1.0, each > 15 % away
    search = ImageSearch(lambda q: int(0.5 * 2 ** (q - 10) * 10_000 / 8), 10_000, (0, 20), 1, True)
    res = search.find(0.7)
    assert res.quality is None and "adjacent qualities" in res.reason
    assert search.find(1.0).quality == 11


@pytest.fixture(scope="module")
def crops(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("crops")
    rs = np.random.RandomState(3)
    yy, xx = np.mgrid[0:96, 0:128]
    for i in range(2):
        img = np.stack([128 + 80 * np.sin(xx / (5.0 + i) + c) * np.cos(yy / 7.0) for c in range(3)], -1)
        img += rs.normal(0, 10, img.shape)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(folder / f"crop{i}.png")
    return folder


def _run(args):
    from lic_bench.cli import app

    return CliRunner().invoke(app, args)


@pytest.mark.torch
def test_anchors_run_at_target_rates(crops, tmp_path):
    pytest.importorskip("torch")
    work, out = tmp_path / "work", tmp_path / "out.json"
    args = ["anchors", "run", "-c", "jpeg444", "-d", str(crops), "--target-bpp", "0.02,1,2",
            "--metrics", "psnr,psnr-yuv", "--work-dir", str(work), "-o", str(out)]
    result = _run(args)
    assert result.exit_code == 0, result.output
    assert "0.02 bpp not reached" in result.output  # JPEG's floor is far above 0.02 bpp
    doc = json.loads(out.read_text())
    res = doc["results"]
    assert res["target_bpp"] == [1.0, 2.0] and res["reached"] == [2, 2]
    for key in ("bpp", "psnr-rgb", "psnr-y", "psnr-u", "psnr-v", "quality"):
        assert len(res[key]) == 2 and all(v is not None for v in res[key]), key
    for image in doc["per_image"].values():
        assert image["target_bpp"] == [0.02, 1.0, 2.0]
        assert image["quality"][0] is None and image["bpp"][0] is None
        for t, b in zip(image["target_bpp"][1:], image["bpp"][1:], strict=True):
            assert abs(b / t - 1) <= 0.15
    meta = doc["meta"]
    assert meta["rate_control"]["skipped"] == {"0.02": ["crop0.png", "crop1.png"]}
    assert meta["metrics"]["psnr-yuv"]["keys"] == ["psnr-y", "psnr-u", "psnr-v"]
    assert set(meta["metric_seconds"]) == {"psnr", "psnr-yuv"}
    assert meta["codec"] == "jpeg444" and meta["provenance"] == "measured"

    # resumable: a second run with one more metric encodes nothing again
    stamps = {p: p.stat().st_mtime_ns for p in (work / "encode").iterdir()}
    (work / "encode" / "crop1.json").unlink()  # ... except an image whose record was lost
    result = _run(args[:-6] + ["--metrics", "psnr,nlpd", "--work-dir", str(work), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert (work / "encode" / "crop0.json").stat().st_mtime_ns == stamps[work / "encode" / "crop0.json"]
    assert (work / "encode" / "crop1.json").is_file()
    doc2 = json.loads(out.read_text())
    assert doc2["results"]["psnr-rgb"] == res["psnr-rgb"]
    assert all(v > 0 and math.isfinite(v) for v in doc2["results"]["nlpd"])


@pytest.mark.torch
def test_compressai_plot_reads_a_target_rate_document(crops, tmp_path):
    pytest.importorskip("torch")
    from compressai.utils.plot.__main__ import parse_json_file

    out = tmp_path / "out.json"
    result = _run(["anchors", "run", "-c", "webp", "-d", str(crops), "--rates", "clic", "-m", "psnr",
                   "--work-dir", str(tmp_path / "w"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    parsed = parse_json_file(out, "psnr")
    assert parsed["xs"] == doc["results"]["bpp"] and parsed["ys"] == doc["results"]["psnr-rgb"]


def _cli(*args):
    from tests.cli_runner import run_cli

    return run_cli(*args)


def test_bad_options_are_one_line_errors(crops):
    for extra, msg in ((["--rates", "jpeg-ai", "-q", "50"], "not both"),
                       (["--metrics", "psnr,foo"], "unknown metric 'foo'"),
                       (["--target-bpp", "abc"], "takes numbers")):
        proc = _cli("anchors", "run", "-c", "jpeg444", "-d", str(crops), *extra)
        assert proc.returncode == 2
        assert msg in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def _suite_doc(name, rate_scale):
    """FAKE fixture document (not a measurement) with the seven JPEG AI metrics."""
    rate = np.array([0.1, 0.2, 0.4, 0.8, 1.6])
    s = np.log2(rate / 0.1)
    res = {"bpp": list(rate * rate_scale), "psnr-rgb": list(27 + 3 * s),
           "ms-ssim-y": list(1 - 10 ** (-(10 + 2.5 * s) / 10)), "vif": list(0.2 + 0.1 * s),
           "fsim": list(0.9 + 0.02 * s), "nlpd": list(0.3 - 0.05 * s), "iw-ssim": list(0.9 + 0.02 * s),
           "vmaf": list(40 + 12 * s), "psnr-hvs": list(28 + 3 * s)}
    return {"name": name, "description": "FAKE fixture", "results": res,
            "meta": {"kind": "anchor", "dataset": "kodak"}}


def test_bd_on_any_metric_and_the_jpeg_ai_average(tmp_path):
    a, t = tmp_path / "a.json", tmp_path / "t.json"
    a.write_text(json.dumps(_suite_doc("a", 1.0)))
    t.write_text(json.dumps(_suite_doc("t", 0.8)))
    vmaf = _cli("bd", str(a), str(t), "--metric", "vmaf", "--format", "json")
    assert vmaf.returncode == 0, vmaf.stderr
    assert json.loads(vmaf.stdout)["bd_rate"] == pytest.approx(-20.0, abs=1e-6)
    nlpd = json.loads(_cli("bd", str(a), str(t), "-m", "nlpd", "-f", "json").stdout)
    assert nlpd["bd_rate"] == pytest.approx(-20.0, abs=1e-6) and nlpd["bd_psnr"] > 0
    avg = _cli("bd", str(a), str(t), "--metric", "jpeg-ai-average", "--format", "json")
    assert avg.returncode == 0, avg.stderr
    out = json.loads(avg.stdout)
    assert out["bd_rate"] == pytest.approx(-20.0, abs=1e-6) and len(out["per_metric"]) == 7
    text = _cli("bd", str(a), str(t), "--metric", "jpeg-ai-average")
    assert "BD-rate  (jpeg-ai-average, pchip): -20.0000 %" in text.stdout
    # a curve with 3 points: the few-points warning is given for each metric on its own
    short = _suite_doc("s", 0.9)
    short["results"] = {k: v[:3] for k, v in short["results"].items()}
    (tmp_path / "s.json").write_text(json.dumps(short))
    warn = _cli("bd", str(a), str(tmp_path / "s.json"), "-m", "jpeg-ai-average")
    assert warn.returncode == 0
    assert sum("only 3 points" in line for line in warn.stderr.splitlines()) == 7
    # the average needs all seven
    del short["results"]["vmaf"]
    (tmp_path / "s.json").write_text(json.dumps(short))
    missing = _cli("bd", str(a), str(tmp_path / "s.json"), "-m", "jpeg-ai-average")
    assert missing.returncode == 2 and "missing: vmaf" in missing.stderr
    bad = _cli("bd", str(a), str(t), "-m", "ssimulacra2")
    assert bad.returncode == 2 and "unknown metric 'ssimulacra2'" in bad.stderr
