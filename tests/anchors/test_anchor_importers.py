"""Importers read the public sample files in shared/data/rd-reported and record where numbers came from."""

from __future__ import annotations

import json

import pytest

from lic_bench.errors import UsageError
from lic_bench.rd.importers import detect_format, import_file, write_imported
from lic_bench.rd.papers import paper_records


@pytest.fixture(scope="module")
def rd(shared_data):
    return shared_data / "rd-reported"


def one(path, **kw):
    docs = import_file(path, command="test", **kw)
    assert len(docs) == 1
    return docs[0]


def test_compressai_paper_file_is_digitised_with_source_commit(rd):
    doc = one(rd / "compressai_results/image/kodak/paper-mbt2018.json")
    meta = doc["meta"]
    assert doc["name"] == "mbt2018" and meta["kind"] == "reported"
    assert meta["provenance"] == "digitised" and meta["dataset"] == "kodak"
    assert meta["source"]["repository"] == "github.com/InterDigitalInc/CompressAI"
    assert meta["source"]["commit"].startswith("869a9f5d")
    assert meta["source"]["path"] == "results/image/kodak/paper-mbt2018.json"
    assert len(doc["results"]["bpp"]) == len(doc["results"]["psnr-rgb"]) >= 4
    papers = paper_records()
    assert all(p in papers for p in meta["papers"])
    if "minnen2018-joint" in papers:
        assert meta["papers"] == ["minnen2018-joint"]
        assert set(papers["minnen2018-joint"]["components"]) <= set(meta["taxonomy"])


def test_compressai_measured_file_keeps_variant_in_tag(rd):
    doc = one(rd / "compressai_results/image/kodak/compressai-bmshj2018-hyperprior_ms-ssim_cpu.json")
    assert doc["name"] == "bmshj2018-hyperprior"
    assert doc["meta"]["tag"] == "compressai-ms-ssim-cpu-kodak"
    assert doc["meta"]["provenance"] == "reported"
    assert "ms-ssim-rgb" in doc["results"]


def test_explicit_paper_must_exist_and_unknown_name_gets_none(rd):
    doc = one(rd / "compressai_results/image/kodak/paper-mbt2018.json", paper=["no-such-paper2099-x"])
    assert doc["meta"]["papers"] == [] and doc["meta"]["taxonomy"] == []
    assert one(rd / "compressai_results/image/kodak/vtm.json")["meta"]["papers"] == []


def test_tfc_text_merges_psnr_and_msssim(rd):
    doc = one(rd / "tfc_image_compression/kodak/PSNR_sRGB_RGB/balle-2018-iclr-opt-mse.txt")
    res = doc["results"]
    assert set(res) >= {"bpp", "psnr-rgb", "ms-ssim-rgb"}
    assert res["bpp"][0] == pytest.approx(0.119752, abs=1e-3) or res["bpp"][0] < 0.2
    assert doc["meta"]["source"]["repository"] == "github.com/tensorflow/compression"
    assert doc["meta"]["source"]["path"].startswith("results/image_compression/kodak/")
    with pytest.raises(UsageError, match="R'G'B'"):
        import_file(rd / "tfc_image_compression/kodak/PSNR_sRGB_Y/balle-2018-iclr-opt-mse.txt")


def test_elic_csv_columns(rd):
    doc = one(rd / "elic_JiangWeibeta/elic_official_kodak.csv")
    res = doc["results"]
    assert doc["name"] == "he2022-elic"
    assert all(0.8 < v < 1 for v in res["ms-ssim-rgb"]) and all(25 < v < 45 for v in res["psnr-rgb"])
    assert res["bpp"][0] == pytest.approx(1.4898326)


def test_mlic_c3_and_coolchic(rd):
    mlic = one(rd / "mlic_JiangWeibeta/results/kodak/mlic_mse.json")
    assert mlic["name"] == "mlic" and mlic["results"]["psnr-rgb"][0] == pytest.approx(29.2291)
    c3 = import_file(rd / "c3_deepmind_baselines/kodak.json", command="t")
    assert len(c3) == 27 and {"c3", "bpg444", "vtm"} <= {d["name"] for d in c3}
    evc = [d for d in c3 if d["name"] == "evc-s"][0]
    assert evc["meta"]["provenance"] == "digitised"  # "Obtained from Figure 17b ... PlotDigitizer"
    only = import_file(rd / "c3_deepmind_baselines/kodak.json", curve="COIN", command="t")
    assert [d["name"] for d in only] == ["coin"]
    cc = one(rd / "coolchic_orange/image-kodak-v5.0.tsv")
    assert cc["meta"]["images_per_point"] == [24] * 5
    assert cc["results"]["bpp"] == sorted(cc["results"]["bpp"])


def test_write_imported_layout(rd, tmp_path):
    docs = import_file(rd / "compressai_results/image/kodak/paper-mbt2018.json", command="t")
    (path,) = write_imported(docs, root=tmp_path)
    assert path == tmp_path / "results/reported/mbt2018/compressai-paper-kodak.json"
    assert json.loads(path.read_text())["meta"]["provenance"] == "digitised"


def test_errors(rd, tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        import_file(tmp_path / "missing.json")
    bad = tmp_path / "x.json"
    bad.write_text('{"foo": 1}')
    with pytest.raises(UsageError, match="unrecognised"):
        detect_format(bad)
    with pytest.raises(UsageError, match="holds 27 curves"):
        import_file(rd / "c3_deepmind_baselines/kodak.json", name="x")
