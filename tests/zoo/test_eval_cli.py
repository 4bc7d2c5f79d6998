"""`lic-bench eval` end to end on CompressAI-format files (random weights, two 64x64
Kodak crops): real bitstream files, bpp from their bytes, a document that
``compressai.utils.plot`` reads, resumption per image and quality."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from tests.zoo.test_weights_cli import one_line_error, run  # noqa: E402

MODEL = "bmshj2018-factorized"


@pytest.fixture()
def eval_args(kodak_crops, tmp_path, published, monkeypatch):
    published(MODEL, 1)
    published(MODEL, 2)
    monkeypatch.setenv("LIC_BENCH_RESULTS", str(tmp_path / "results"))
    return ["eval", "--model", MODEL, "--pretrained", "compressai", "--quality", "1..2",
            "--dataset", "kodak", "--data-dir", kodak_crops, "--work-dir", tmp_path / "work",
            "--threads", "1"]


def test_eval_writes_a_curve_compressai_plot_reads(monkeypatch, capsys, tmp_path, eval_args):
    code, out, err = run(monkeypatch, capsys, *eval_args)
    assert code == 0, err
    path = tmp_path / "results" / "eval" / MODEL / "compressai-kodak.json"
    assert json.loads(out)["written"] == str(path)
    doc = json.loads(path.read_text())
    meta = doc["meta"]
    assert meta["kind"] == "eval" and meta["provenance"] == "measured" and meta["points"] == ["q1", "q2"]
    assert [w["quality"] for w in meta["weights"]] == [1, 2]
    assert "factorized-prior" in meta["taxonomy"] and meta["dataset"]["num_images"] == 2

    # bpp is the size of the bitstream files on disk
    for i, point in enumerate(("q1", "q2")):
        sizes = []
        for name, row in doc["per_image"].items():
            bitstream = tmp_path / "work" / point / f"{name}.lic"
            sizes.append(bitstream.stat().st_size)
            assert row["bytes"][i] == sizes[-1]
            assert row["bpp"][i] == pytest.approx(sizes[-1] * 8 / (64 * 64))
            assert row["decode_max_diff_levels"][i] <= 1
        assert doc["results"]["bpp"][i] == pytest.approx(sum(sizes) * 8 / (2 * 64 * 64))
    assert all(t > 0 for t in doc["results"]["encoding_time"] + doc["results"]["decoding_time"])

    from compressai.utils.plot.__main__ import parse_json_file

    curve = parse_json_file(path, "psnr")
    assert curve["name"] == MODEL and curve["xs"] == doc["results"]["bpp"]
    assert curve["ys"] == doc["results"]["psnr-rgb"] and len(curve["ys"]) == 2
    # 64-pixel crops are below MS-SSIM's minimum size: no value, and the document says why
    assert doc["results"]["ms-ssim-rgb"] == [None, None] and "161-pixel" in meta["metric_notes"]["ms-ssim"]


def test_eval_resumes_per_image_and_quality(monkeypatch, capsys, tmp_path, eval_args):
    code, out, err = run(monkeypatch, capsys, *eval_args)
    assert code == 0, err
    assert json.loads(out)["counts"] == {"measured": 4, "kept_from_earlier_run": 0}
    stamp = (tmp_path / "work" / "q1").glob("*.lic")
    mtimes = {p: p.stat().st_mtime_ns for p in stamp}
    victim = next(iter(sorted((tmp_path / "work" / "q2").glob("*.lic"))))
    victim.unlink()  # as if the run had stopped before this image of quality 2

    code, out, err = run(monkeypatch, capsys, *eval_args)
    assert code == 0, err
    assert json.loads(out)["counts"] == {"measured": 1, "kept_from_earlier_run": 3}
    assert victim.is_file()
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())


def test_eval_without_the_weights_says_so_in_one_line(monkeypatch, capsys, tmp_path, kodak_crops):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.setenv("LIC_BENCH_PRETRAINED_URL", "http://127.0.0.1:9")
    code, _, err = run(monkeypatch, capsys, "eval", "--model", "mbt2018-mean", "--pretrained", "compressai",
                       "--quality", "1..8", "--dataset", "kodak", "--data-dir", kodak_crops,
                       "--work-dir", tmp_path / "work")
    one_line_error(code, err, "mbt2018-mean-1-e522738d.pth.tar", "cannot be downloaded", "LIC_BENCH_WEIGHTS")
    assert not (tmp_path / "work").exists()


def test_the_site_shows_an_eval_curve_as_measured_here(monkeypatch, capsys, tmp_path, eval_args):
    from lic_bench.kb import load_kb
    from lic_bench.results import load_results
    from lic_bench.site._results import for_component, for_paper, results_section
    from lic_bench.site.rd import provenance_text

    code, _, err = run(monkeypatch, capsys, *eval_args)
    assert code == 0, err
    docs = load_results()  # $LIC_BENCH_RESULTS: this test's folder
    docs = [d for d in docs if d["meta"].get("points") == ["q1", "q2"]]
    assert len(docs) == 1
    assert provenance_text(docs[0]).startswith("measured here with `")
    page = results_section(for_component(docs, load_kb(), "factorized-prior"), "taxonomy", "guide.md")
    assert MODEL in page and "measured here with `lic-bench eval --model" in page
    assert MODEL in results_section(for_paper(docs, "balle2018-variational"), "papers", "guide.md")


def test_eval_of_checkpoint_files(monkeypatch, capsys, tmp_path, kodak_crops, zoo_files):
    monkeypatch.setenv("LIC_BENCH_RESULTS", str(tmp_path / "results"))
    files = [zoo_files(MODEL, 1), zoo_files(MODEL, 2)]
    code, out, err = run(monkeypatch, capsys, "eval", "--model", MODEL, "--checkpoint", files[0],
                         "--checkpoint", files[1], "--name", "zoo-files", "--dataset", "kodak",
                         "--data-dir", kodak_crops, "--work-dir", tmp_path / "work", "--limit", "1",
                         "--no-progress")
    assert code == 0, err
    doc = json.loads((tmp_path / "results" / "eval" / MODEL / "zoo-files-kodak.json").read_text())
    assert [w["file"] for w in doc["meta"]["weights"]] == [f.name for f in files]
    assert len(doc["results"]["bpp"]) == 2 and doc["meta"]["dataset"]["num_images"] == 1
