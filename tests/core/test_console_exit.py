"""The console script skips Python's finalisation after torch (lic_bench.cli.console):
what it prints and writes is all there, and its exit status is the command's."""

from __future__ import annotations

import pytest

from tests.cli_runner import lic_bench_process

torch = pytest.importorskip("torch")


@pytest.fixture
def tiny_image(tmp_path):
    from PIL import Image

    path = tmp_path / "tiny.png"
    Image.effect_noise((64, 64), 40).convert("RGB").save(path)
    return path


def test_a_finished_command_leaves_its_output_and_status(tmp_path, tiny_image):
    bits, png = tmp_path / "a.licb", tmp_path / "a.png"
    done = lic_bench_process("compress", tiny_image, "-o", bits, "-m", "bmshj2018-factorized",
                             "--random-weights", "--threads", "1")
    assert done.returncode == 0, done.stderr
    assert f"{bits}: bmshj2018-factorized" in done.stdout  # piped stdout was flushed
    back = lic_bench_process("decompress", bits, "-o", png, "--random-weights", "--threads", "1")
    assert back.returncode == 0, back.stderr
    from lic_bench.bitstream.image_io import read_image

    assert tuple(read_image(png, []).shape[-2:]) == (64, 64)  # a whole PNG


def test_an_error_after_torch_keeps_its_status_and_line(tmp_path, tiny_image):
    bits = tmp_path / "a.licb"
    bits.write_bytes(b"LICB" + b"\x00" * 40)
    failed = lic_bench_process("decompress", bits, "-o", tmp_path / "a.png", "--random-weights")
    assert failed.returncode not in (0, None)
    lines = [line for line in failed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), failed.stderr
