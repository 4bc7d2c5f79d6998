"""Like with like: `bd` refuses two averaging protocols unless told, `--per-image` is the
JPEG AI CTC's per-image BD, and `rd table` (json/csv) compares only curves of the anchor's
protocol and names the anchor with its version."""

from __future__ import annotations

import csv
import io
import json
import os

import numpy as np
import pytest

from lic_bench.errors import UsageError
from lic_bench.rd.bd import bd_documents, bd_per_image
from lic_bench.rd.protocol import ProtocolMismatch, averaging_of, objective_of
from tests.cli_runner import run_cli as cli

BPP = [0.1, 0.2, 0.4, 0.8, 1.6]
PSNR = [27.0, 29.5, 32.0, 34.5, 37.0]
MSSSIM = [0.90, 0.94, 0.965, 0.98, 0.99]


def doc(name, scale=1.0, averaging="per-quality", kind="reported", **meta):
    """A curve whose rate is ``scale`` times the reference's at every quality: BD-rate
    (scale - 1) x 100 % against it, exactly, with any interpolation."""
    bpp = [b * scale for b in BPP]
    per_image = {f"img{i}.png": {"bpp": [b * (1 + 0.1 * i) for b in bpp],
                                 "psnr-rgb": [p - i for p in PSNR]} for i in range(3)}
    return {"name": name, "results": {"bpp": bpp, "psnr-rgb": PSNR, "ms-ssim-rgb": MSSSIM},
            "per_image": per_image,
            "meta": {"kind": kind, "provenance": "measured" if kind == "anchor" else "reported",
                     "dataset": "kodak", "averaging": averaging, "opt_metric": "mse", **meta}}


def write(path, document):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


def test_averaging_is_read_from_meta_or_from_what_the_file_holds():
    assert averaging_of(doc("a", averaging="per-target-rate")) == "per-target-rate"
    old_target = {"meta": {"rate_control": {"target_bpp": [0.25]}}}
    assert averaging_of(old_target) == "per-target-rate" and averaging_of({"meta": {}}) == "per-quality"
    with pytest.raises(UsageError, match="meta.averaging"):
        averaging_of({"meta": {"averaging": "per-whim"}})
    assert objective_of({"name": "x", "meta": {"opt_metric": "ms-ssim-rgb"}}) == "ms-ssim"
    assert objective_of({"name": "vtm", "meta": {"opt_metric": "mse"}}) == "none"


def test_bd_refuses_a_protocol_mismatch_without_the_flag(tmp_path):
    anchor = doc("x265-bpg444", averaging="per-target-rate", kind="anchor")
    test = doc("model", scale=0.8)
    with pytest.raises(ProtocolMismatch, match="per-target-rate"):
        bd_documents(anchor, test)
    res = bd_documents(anchor, test, allow_protocol_mismatch=True)
    assert res.bd_rate == pytest.approx(-20.0, abs=1e-6)
    assert any("protocol mismatch" in w for w in res.warnings)
    a, t = write(tmp_path / "a.json", anchor), write(tmp_path / "t.json", test)
    refused = cli("bd", a, t)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: protocol mismatch") and len(refused.stderr.strip().splitlines()) == 1
    assert "--allow-protocol-mismatch" in refused.stderr
    allowed = cli("bd", a, t, "--allow-protocol-mismatch", "--format", "json")
    assert allowed.returncode == 0, allowed.stderr
    out = json.loads(allowed.stdout)
    assert out["bd_rate"] == pytest.approx(-20.0, abs=1e-6)
    assert any("protocol mismatch" in w for w in out["warnings"])
    text = cli("bd", a, t, "--allow-protocol-mismatch")
    assert text.returncode == 0 and "warning: protocol mismatch" in text.stderr
    same = cli("bd", a, write(tmp_path / "t2.json", doc("m", 0.8, averaging="per-target-rate")))
    assert same.returncode == 0 and "mismatch" not in same.stderr


def test_per_image_is_the_mean_of_each_images_bd(tmp_path):
    anchor = doc("x265-bpg444", averaging="per-target-rate", kind="anchor")
    test = doc("model", scale=0.8)
    # image i of the test: its rates x0.8 and +i dB... the same shift as the anchor's image i,
    # so every image is -20 %; make image 2 of the test worse to tell a mean from a constant
    test["per_image"]["img2.png"]["bpp"] = [b * 1.1 for b in test["per_image"]["img2.png"]["bpp"]]
    out = bd_per_image(anchor, test)
    expected = {"img0": -20.0, "img1": -20.0, "img2": (0.8 * 1.1 - 1) * 100}
    assert out["per_image"] == pytest.approx(expected, abs=1e-6)
    assert out["bd_rate"] == pytest.approx(np.mean(list(expected.values())), abs=1e-6)
    assert out["images"] == 3 and out["missing"] == []
    a, t = write(tmp_path / "a.json", anchor), write(tmp_path / "t.json", test)
    run = cli("bd", a, t, "--per-image", "--format", "json")  # protocols differ: per-image does not average them
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["bd_rate"] == pytest.approx(out["bd_rate"], abs=1e-9)
    no_table = write(tmp_path / "n.json", {**test, "per_image": {}})
    refused = cli("bd", a, no_table, "--per-image")
    assert refused.returncode == 2 and "per_image" in refused.stderr and "Traceback" not in refused.stderr


@pytest.fixture()
def project(tmp_path):
    """A project with two x265 anchors (one per protocol), a reported VTM and four curves."""
    root = tmp_path / "proj"
    for sub in ("taxonomy", "papers"):
        (root / sub).mkdir(parents=True)
    res = root / "results"
    write(res / "anchors/x265-bpg444/kodak.json",
          doc("x265-bpg444", averaging="per-target-rate", kind="anchor", rate_control={"target_bpp": BPP}))
    write(res / "anchors/x265-bpg444/kodak-per-quality.json",
          doc("x265-bpg444", kind="anchor", codec_versions={"x265": "4.2"}, codec_settings={"preset": "placebo"}))
    write(res / "reported/vtm/compressai-kodak.json", doc("vtm", 0.5, tag="compressai-kodak"))
    write(res / "reported/mse-model/a-kodak.json", doc("mse-model", 0.9, tag="a-kodak"))
    write(res / "reported/mse-model-copy/b-kodak.json", doc("mse-model-copy", 0.9 * (1 + 1e-7), tag="b-kodak"))
    write(res / "reported/ssim-model/a-kodak.json", doc("ssim-model", 0.7, tag="a-kodak", opt_metric="ms-ssim"))
    write(res / "reported/ctc-model/a-kodak.json", doc("ctc-model", 0.6, tag="a-kodak", averaging="per-target-rate"))
    write(res / "reported/clic-model/a-clic.json", doc("clic-model", 0.6, tag="a-clic", dataset="clic2020-pro-valid"))
    return {"env": dict(os.environ, LIC_BENCH_ROOT=str(root)), "root": root}


def test_rd_table_json_compares_like_with_like(project):
    run = cli("rd", "table", "--format", "json", env=project["env"])
    assert run.returncode == 0, run.stderr
    table = json.loads(run.stdout)
    assert table["anchor"] == "anchors/x265-bpg444/kodak-per-quality.json"
    assert table["averaging"] == "per-quality" and table["anchor_info"]["version"] == "x265 4.2, preset placebo"
    rows = {r["name"]: r for r in table["rows"]}
    assert set(rows) == {"vtm", "ssim-model", "mse-model", "mse-model-copy"}  # not ctc-model (other protocol), nor CLIC
    assert rows["mse-model"]["same_curve_as"] == ["mse-model-copy [b-kodak]"] and rows["vtm"]["same_curve_as"] == []
    assert rows["mse-model"]["bd_rate_psnr"] == pytest.approx(-10.0, abs=1e-6)
    assert rows["vtm"]["objective"] == "none" and rows["ssim-model"]["objective"] == "ms-ssim"
    assert all(r["anchor_version"] == "x265 4.2, preset placebo" and r["averaging"] == "per-quality"
               for r in table["rows"])
    target = json.loads(cli("rd", "table", "--format", "json", "--averaging", "per-target-rate",
                            env=project["env"]).stdout)
    assert [r["name"] for r in target["rows"]] == ["ctc-model"]
    ssim = json.loads(cli("rd", "table", "--format", "json", "--objective", "ms-ssim", env=project["env"]).stdout)
    assert [r["name"] for r in ssim["rows"]] == ["vtm", "ssim-model"]  # classical codecs stay, ranked on MS-SSIM


def test_rd_table_csv_is_the_same_table(project):
    as_json = json.loads(cli("rd", "table", "--format", "json", env=project["env"]).stdout)
    run = cli("rd", "table", "--format", "csv", env=project["env"])
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [r["name"] for r in rows] == [r["name"] for r in as_json["rows"]]
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    for got, want in zip(rows, as_json["rows"], strict=True):
        assert float(got["bd_rate_psnr"]) == pytest.approx(want["bd_rate_psnr"], abs=1e-9)
        assert got["anchor"] == "x265-bpg444" and got["anchor_averaging"] == "per-quality"


def test_rd_table_against_a_reported_vtm_names_its_version(project):
    run = cli("rd", "table", "--anchor", "vtm", "--format", "json", env=project["env"])
    assert run.returncode == 0, run.stderr
    table = json.loads(run.stdout)
    assert table["anchor"] == "reported/vtm/compressai-kodak.json"
    assert table["anchor_info"]["version"].startswith("VTM 9.1 as the LALIC authors label")
    # the per-quality x265 sweep is ranked too, its target-rate run is not
    assert sorted(r["label"] for r in table["rows"]) == [
        "mse-model [a-kodak]", "mse-model-copy [b-kodak]", "ssim-model [a-kodak]", "x265-bpg444 [kodak-per-quality]"]
    assert next(r for r in table["rows"] if r["name"] == "mse-model")["bd_rate_psnr"] == pytest.approx(80.0, abs=1e-6)
    none = cli("rd", "table", "--anchor", "vtm", "--dataset", "tecnick", env=project["env"])
    assert none.returncode == 2 and none.stderr.startswith("error: no anchor 'vtm'")
    bad = cli("rd", "table", "--format", "xml", env=project["env"])
    assert bad.returncode == 2 and "unknown format" in bad.stderr
