"""No silent random weights; published weights by name, found, checked, recorded.

Runs the console entry point in-process (the URL table CompressAI ships is pointed at
a local server by the ``published`` fixture, which a subprocess would not see)."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("torch")


from tests.core.core_helpers import run_cli  # noqa: E402

MODEL = "bmshj2018-factorized"  # the smallest published architecture


def run(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    return run_cli(monkeypatch, capsys, *args)


def one_line_error(code: int, err: str, *needles: str) -> None:
    assert code != 0
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture()
def crop(kodak_crops, tmp_path):
    src = sorted((kodak_crops / "kodak").glob("*.png"))[0]
    return shutil.copy(src, tmp_path / "crop.png")


def test_compress_without_weights_is_refused_and_random_weights_is_explicit(monkeypatch, capsys, crop, tmp_path):
    out = tmp_path / "x.lic"
    code, _, err = run(monkeypatch, capsys, "compress", crop, "-o", out, "--model", MODEL)
    one_line_error(code, err, "no trained weights", "--pretrained compressai", "--random-weights")
    assert not out.exists()

    code, _, err = run(monkeypatch, capsys, "compress", crop, "-o", out, "--model", MODEL, "--random-weights",
                       "--threads", "1")
    assert code == 0 and out.is_file() and "random weights" in err
    code, text, _ = run(monkeypatch, capsys, "inspect", out)
    assert code == 0 and "RANDOM (seed 0)" in text

    png = tmp_path / "y.png"
    code, _, err = run(monkeypatch, capsys, "decompress", out, "-o", png)
    one_line_error(code, err, "random weights", "--random-weights")
    assert not png.exists()
    code, _, err = run(monkeypatch, capsys, "decompress", out, "-o", png, "--random-weights")
    assert code == 0 and png.is_file(), err


def test_pretrained_by_name_is_recorded_and_decodes_from_the_header(monkeypatch, capsys, crop, tmp_path, published):
    published(MODEL, 1)
    out = tmp_path / "x.lic"
    code, text, err = run(monkeypatch, capsys, "compress", crop, "-o", out, "--model", MODEL,
                          "--pretrained", "compressai", "--quality", "1", "--threads", "1")
    assert code == 0, err
    code, text, _ = run(monkeypatch, capsys, "inspect", out)
    assert "published by compressai: bmshj2018-factorized quality 1, trained for mse" in text
    # the decoder finds the same file (now in torch's hub cache) from the header alone
    code, _, err = run(monkeypatch, capsys, "decompress", out, "-o", tmp_path / "y.png")
    assert code == 0 and (tmp_path / "y.png").is_file(), err


def test_weights_dir_serves_a_machine_without_internet(monkeypatch, capsys, crop, tmp_path, published):
    made = published(MODEL, 1)
    monkeypatch.setenv("LIC_BENCH_PRETRAINED_URL", "http://127.0.0.1:9")  # nothing listens there
    offline = tmp_path / "weights"
    offline.mkdir()
    args = ("compress", crop, "-o", tmp_path / "x.lic", "--model", MODEL, "--pretrained", "compressai",
            "--quality", "1", "--threads", "1")
    code, _, err = run(monkeypatch, capsys, *args, "--weights-dir", offline)
    one_line_error(code, err, made.name, "cannot be downloaded", "LIC_BENCH_WEIGHTS", str(offline))

    shutil.copy(made, offline / made.name)
    code, _, err = run(monkeypatch, capsys, *args, "--weights-dir", offline)
    assert code == 0, err
    monkeypatch.setenv("LIC_BENCH_WEIGHTS", str(offline))
    code, _, err = run(monkeypatch, capsys, "decompress", tmp_path / "x.lic", "-o", tmp_path / "y.png")
    assert code == 0, err


def test_corrupt_or_wrong_file_is_one_line(monkeypatch, capsys, crop, tmp_path, published):
    made = published(MODEL, 1)
    folder = tmp_path / "weights"
    folder.mkdir()
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / made.name).write_bytes(bytes(data))
    code, _, err = run(monkeypatch, capsys, "compress", crop, "-o", tmp_path / "x.lic", "--model", MODEL,
                       "--pretrained", "compressai", "--quality", "1", "--weights-dir", folder)
    one_line_error(code, err, "corrupt or not the published file", made.name)


@pytest.mark.parametrize("extra, needle", [
    (["--quality", "9"], "qualities 1..8"),
    (["--quality", "1", "--metric", "psnr"], "unknown --metric"),
    ([], "needs --quality"),
])
def test_bad_pretrained_requests_are_one_line(monkeypatch, capsys, crop, tmp_path, extra, needle):
    code, _, err = run(monkeypatch, capsys, "compress", crop, "-o", tmp_path / "x.lic", "--model", MODEL,
                       "--pretrained", "compressai", *extra)
    one_line_error(code, err, needle)


def test_unpublished_model_is_one_line(monkeypatch, capsys, crop, tmp_path):
    code, _, err = run(monkeypatch, capsys, "compress", crop, "-o", tmp_path / "x.lic", "--model",
                       "he2021-checkerboard", "--pretrained", "compressai", "--quality", "1")
    one_line_error(code, err, "publishes no weights for 'he2021-checkerboard'")


def test_weights_words_show_a_files_text_safely():
    from lic_bench.bitstream.weights import describe_weights

    text = describe_weights({"init": "pretrained", "source": "\x1b[2Jcompressai", "model": "m" * 500,
                             "quality": 3, "metric": "mse", "file": "f"}, "abc\x1b123")
    assert "\x1b" not in text and len(text) < 300 and "quality 3" in text
    assert describe_weights({"init": "seed", "seed": 0}).startswith("RANDOM (seed 0)")
    assert describe_weights("not a dict") == "unknown origin"


def test_a_published_file_fetched_by_hand_works_as_checkpoint(monkeypatch, capsys, crop, tmp_path, zoo_files):
    made = zoo_files("mbt2018", 1)  # the published key layout (entropy_bottleneck._biases.0, ...)
    out = tmp_path / "x.lic"
    code, _, err = run(monkeypatch, capsys, "compress", crop, "-o", out, "--model", "mbt2018",
                       "--checkpoint", made, "--threads", "1")
    assert code == 0, err
    code, text, _ = run(monkeypatch, capsys, "inspect", out)
    assert f"trained, from checkpoint {made.name}" in text
    code, _, err = run(monkeypatch, capsys, "decompress", out, "-o", tmp_path / "y.png", "--checkpoint", made)
    assert code == 0, err


@pytest.mark.parametrize("arch", ["cheng2020-attn", "bmshj2018-hyperprior"])
def test_widths_are_read_off_any_published_layout(arch, zoo_files):
    from compressai.zoo.image import cfgs

    from lic_bench.models import checkpoint_sizes

    widths = cfgs[arch][1]
    assert checkpoint_sizes(zoo_files(arch, 1)) == {"N": widths[0], "M": widths[-1]}
