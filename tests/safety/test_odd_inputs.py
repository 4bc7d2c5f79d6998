"""[safety] item 3: odd images and outputs get a clear answer.

Images that can be coded are (with a note for every conversion); everything else,
and every output that would lose data, ends in one line and a non-zero exit.
Policy for outputs: an existing file is kept unless ``--force``; the input is never
replaced, even with ``--force``; outputs are written beside the target and renamed,
so no half-written file is left behind.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from lic_bench.bitstream import write_png
from tests.core.core_helpers import smooth_image
from tests.safety.conftest import assert_one_line_error, lic_bench

MODEL = ["--model", "bmshj2018-factorized", "--random-weights"]


def _png_header_only(path, width: int, height: int) -> None:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "in.png"
    write_png(smooth_image(40, 56), path)
    return path


def test_bad_image_inputs(tmp_path):
    cases = {
        "missing.png": (None, "no such image file"),
        "folder.png": ("dir", "is a folder"),
        "empty.png": (b"", "empty file"),
        "truncated.png": ("truncated", "not a readable image"),
        "bomb.png": ("bomb", "too large"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        if content == "dir":
            path.mkdir()
        elif content == "truncated":
            write_png(smooth_image(64, 64), path)
            path.write_bytes(path.read_bytes()[:60])
        elif content == "bomb":
            _png_header_only(path, 40000, 40000)
        elif content is not None:
            path.write_bytes(content)
        proc = lic_bench("compress", path, "-o", tmp_path / "out.licb", *MODEL)
        assert_one_line_error(proc, message)
        assert not (tmp_path / "out.licb").exists()


def test_existing_output_is_kept_without_force(tmp_path, image):
    out = tmp_path / "out.licb"
    out.write_bytes(b"precious")
    assert_one_line_error(lic_bench("compress", image, "-o", out, *MODEL), "--force")
    assert out.read_bytes() == b"precious"
    proc = lic_bench("compress", image, "-o", out, *MODEL, "--force")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:4] == b"LICB"
    png = tmp_path / "out.png"
    png.write_bytes(b"precious")
    assert_one_line_error(lic_bench("decompress", out, "-o", png), "--force")
    assert png.read_bytes() == b"precious"
    assert lic_bench("decompress", out, "-o", png, "--force", "--random-weights").returncode == 0
    assert Image.open(png).size == (56, 40)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_output_never_replaces_the_input(tmp_path, image):
    before = image.read_bytes()
    assert_one_line_error(lic_bench("compress", image, "-o", image, *MODEL, "--force"), "is the input")
    assert image.read_bytes() == before
    out = tmp_path / "a.licb"
    assert lic_bench("compress", image, "-o", out, *MODEL).returncode == 0
    data = out.read_bytes()
    assert_one_line_error(lic_bench("decompress", out, "-o", out, "--force"), "is the input")
    assert out.read_bytes() == data


def test_output_in_a_missing_folder_or_a_folder(tmp_path, image):
    assert_one_line_error(lic_bench("compress", image, "-o", tmp_path / "nope" / "a.licb", *MODEL),
                          "no such folder")
    assert_one_line_error(lic_bench("compress", image, "-o", tmp_path, *MODEL), "is a folder")


@pytest.mark.parametrize("kind", ["gray", "rgba", "16bit", "palette", "1x1", "63x65", "jpeg", "webp"])
def test_odd_images_round_trip_with_a_note(tmp_path, kind):
    from lic_bench.bitstream.codec import compress_file, decompress_file

    rng = np.random.default_rng(0)
    rgb = (rng.random((65, 63, 3)) * 255).astype(np.uint8)
    path = tmp_path / f"in.{ {'jpeg': 'jpg', 'webp': 'webp'}.get(kind, 'png') }"
    size = (63, 65)
    if kind == "gray":
        Image.fromarray(rgb[..., 0]).save(path)
    elif kind == "rgba":
        Image.fromarray(np.dstack([rgb, rgb[..., :1]])).save(path)
    elif kind == "16bit":
        import imagecodecs

        path.write_bytes(imagecodecs.png_encode(rgb.astype(np.uint16) * 257))
    elif kind == "palette":
        Image.fromarray(rgb).convert("P").save(path)
    elif kind == "1x1":
        Image.fromarray(rgb[:1, :1]).save(path)
        size = (1, 1)
    else:
        Image.fromarray(rgb).save(path, quality=90)
    info = compress_file(path, tmp_path / "a.licb", model="bmshj2018-factorized")
    if kind in ("gray", "rgba", "16bit"):
        assert info["notes"], kind
    decompress_file(tmp_path / "a.licb", tmp_path / "b.png")
    assert Image.open(tmp_path / "b.png").size == size
