"""The bitstream file: round trip, bpp from bytes, and damaged or mismatched input
always ending in a one-line BitstreamError (never a traceback, crash or hang)."""

from __future__ import annotations

import json
import random
import zlib

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lic_bench.bitstream import (
    MAGIC,
    VERSION,
    BitstreamError,
    decode_image,
    encode_image,
    pack,
    read_image,
    read_image_array,
    unpack,
    write_png,
)
from lic_bench.bitstream.codec import compress_file, decompress_file, model_for_coding
from tests.core.core_helpers import smooth_image


@pytest.fixture(scope="module")
def sample():
    torch.set_num_threads(1)
    from tests.core.core_helpers import small_config

    model = model_for_coding(small_config("mbt2018-mean"))
    data = encode_image(model, smooth_image(70, 50))
    return model, data


def test_header_and_payload_round_trip():
    strings = [[b"abc", b""], [b"\x00\xff" * 10]]
    header = {"model": "m", "x": [1, 2]}
    got_header, got_strings = _unpack_unchecked(pack(header, strings))
    assert got_strings == strings and got_header["x"] == [1, 2]


def _unpack_unchecked(data):
    head_len = int.from_bytes(data[5:9], "big")
    header = json.loads(zlib.decompress(data[9 : 9 + head_len]))
    from lic_bench.bitstream.format import nest

    return header, nest(header["lengths"], data[9 + head_len : -4])


def test_file_layout(sample):
    _, data = sample
    assert data[:4] == MAGIC and data[4] == VERSION
    header, strings = unpack(data)
    assert header["size"] == [70, 50] and header["padded"] == [128, 64]
    assert len(header["weights_hash"]) == 16 and header["weights"] == {"init": "seed", "seed": 0}
    assert header["config"]["name"] == "mbt2018-mean"
    assert zlib.crc32(data[:-4]) == int.from_bytes(data[-4:], "big")


def _with_version(data: bytes, version: int) -> bytes:
    body = data[:4] + bytes([version]) + data[5:-4]
    return body + zlib.crc32(body).to_bytes(4, "big")


def test_version_1_files_still_decode_unless_their_context_coder_changed(sample):
    model, data = sample
    old = _with_version(data, 1)
    assert unpack(old)[0]["format_version"] == 1
    assert torch.equal(decode_image(old, model), decode_image(data, model))

    from tests.core.core_helpers import small_config

    ctx_model = model_for_coding(small_config("mbt2018"))
    ctx_data = encode_image(ctx_model, smooth_image(40, 40))
    decode_image(ctx_data, ctx_model)  # the current version decodes
    with pytest.raises(BitstreamError, match="older lic-bench .* encode the image again"):
        decode_image(_with_version(ctx_data, 1), ctx_model)
    with pytest.raises(BitstreamError, match="unsupported bitstream version 9"):
        unpack(_with_version(data, 9))


def _mutations(data: bytes, rng: random.Random, n: int):
    for i in range(n):
        kind = i % 5
        b = bytearray(data)
        if kind == 0:  # flip one bit
            pos = rng.randrange(len(b))
            b[pos] ^= 1 << rng.randrange(8)
        elif kind == 1:  # overwrite a run of bytes
            pos = rng.randrange(len(b))
            for j in range(pos, min(len(b), pos + rng.randint(1, 16))):
                b[j] = rng.randrange(256)
        elif kind == 2:  # truncate
            b = b[: rng.randrange(len(b))]
        elif kind == 3:  # delete a range
            pos = rng.randrange(len(b))
            del b[pos : pos + rng.randint(1, 32)]
        else:  # append or insert
            pos = rng.randrange(len(b) + 1)
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        if bytes(b) != data:
            yield bytes(b)


def test_fuzzed_files_always_raise_bitstream_error(sample):
    model, data = sample
    rng = random.Random(1234)
    count = 0
    for bad in _mutations(data, rng, 300):
        with pytest.raises(BitstreamError):
            decode_image(bad, model=model)
        count += 1
    assert count > 250


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200), st.booleans())
def test_arbitrary_bytes_never_escape_as_other_errors(blob, with_magic):
    data = (MAGIC + b"\x01" + blob) if with_magic else blob
    with pytest.raises(BitstreamError):
        unpack(data)


def _forge(header: dict, payload: bytes) -> bytes:
    head = zlib.compress(json.dumps(header).encode())
    body = MAGIC + b"\x01" + len(head).to_bytes(4, "big") + head + payload
    return body + zlib.crc32(body).to_bytes(4, "big")


def _repack(data: bytes, **changes) -> bytes:
    header, strings = unpack(data)
    header = {**header, **changes}
    header.pop("lengths")
    return pack(header, strings)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"size": [70, 50_000_000]}, "size"),
        ({"size": [70]}, "size"),
        ({"padded": [64, 64]}, "padded"),
        ({"shape": [1_000_000, 1]}, "shape"),
        ({"shape": "x"}, "shape"),
        ({"quality": "high"}, "quality"),
        ({"weights_hash": "0" * 16}, "weights mismatch"),
        ({"config_hash": "0" * 16}, "config hash"),
        ({"model": 3}, "model"),
    ],
)
def test_forged_headers_with_valid_checksum(sample, changes, message):
    model, data = sample
    with pytest.raises(BitstreamError, match=message):
        decode_image(_repack(data, **changes), model=model)


def test_forged_lengths_and_unknown_model(sample):
    model, data = sample
    header, strings = unpack(data)
    for lengths in (None, [[4]], [[-1, 6]], [[True]], [[[[[[5]]]]]], [[2.5, 2.5]]):
        with pytest.raises(BitstreamError):
            unpack(_forge({**header, "lengths": lengths}, b"x" * 5))
    cfg = dict(header["config"], name="no-such-model", class_path="nowhere.Model")
    from lic_bench.results import config_hash

    forged = _repack(data, config=cfg, config_hash=config_hash(cfg), model="no-such-model")
    with pytest.raises(BitstreamError, match="names no registered model"):
        decode_image(forged)


def test_other_weights_are_refused(sample, tmp_path):
    model, data = sample
    other = model_for_coding(model.config)
    with torch.no_grad():
        other.g_s[0].bias.add_(0.01)
    with pytest.raises(BitstreamError, match="weights mismatch"):
        decode_image(data, model=other)
    ckpt = tmp_path / "w.pt"
    torch.save({"state_dict": other.state_dict(), "config": other.config}, ckpt)
    with pytest.raises(BitstreamError, match="weights mismatch"):
        decode_image(data, checkpoint=ckpt)


def test_checkpoint_weights_round_trip(tmp_path):
    from tests.core.core_helpers import small_config

    model = model_for_coding(small_config("bmshj2018-hyperprior"))
    with torch.no_grad():
        model.g_s[0].bias.add_(0.05)
    ckpt = tmp_path / "trained.pt"
    torch.save({"state_dict": {f"model.{k}": v for k, v in model.state_dict().items()}}, ckpt)
    loaded = model_for_coding(model.config, checkpoint=ckpt)
    x = smooth_image(64, 64)
    data = encode_image(loaded, x)
    with pytest.raises(BitstreamError, match="--checkpoint"):
        decode_image(data)
    assert torch.equal(decode_image(data, checkpoint=ckpt), decode_image(data, model=loaded))
    # a checkpoint that carries its config needs no --model
    with_cfg = tmp_path / "with-config.pt"
    torch.save({"state_dict": model.state_dict(), "config": model.config}, with_cfg)
    src = tmp_path / "in.png"
    write_png(x, src)
    info = compress_file(src, tmp_path / "c.licb", checkpoint=with_cfg)
    assert info["model"] == "bmshj2018-hyperprior" and info["weights"]["init"] == "checkpoint"


def test_compress_file_bpp_is_file_size(tmp_path):
    src = tmp_path / "in.png"
    write_png(smooth_image(50, 70, seed=3), src)
    out = tmp_path / "in.licb"
    info = compress_file(src, out, model="bmshj2018-factorized", threads=1)
    size = out.stat().st_size
    assert info["bytes"] == size
    assert info["bpp"] == pytest.approx(size * 8 / (50 * 70), rel=1e-12)
    png = tmp_path / "out.png"
    dec = decompress_file(out, png, threads=1)
    assert dec["size"] == [50, 70]
    assert read_image_array(png).shape == (50, 70, 3)


def test_read_image_converts_with_notes(tmp_path):
    import imagecodecs
    from PIL import Image

    rgb16 = (np.arange(4 * 6 * 3, dtype=np.uint16).reshape(4, 6, 3) * 900).astype(np.uint16)
    (tmp_path / "rgb16.png").write_bytes(imagecodecs.png_encode(rgb16))
    gray = (np.arange(24, dtype=np.uint8) * 10).reshape(4, 6)
    Image.fromarray(gray).save(tmp_path / "gray.png")
    rgba = np.dstack([np.full((4, 6, 3), 200, np.uint8), np.zeros((4, 6), np.uint8)])
    Image.fromarray(rgba).save(tmp_path / "rgba.png")

    notes: list[str] = []
    a = read_image_array(tmp_path / "rgb16.png", notes)
    expected = np.round(rgb16.astype(np.float64) / 65535 * 255).astype(np.uint8)
    assert np.array_equal(a, expected) and any("16-bit" in n for n in notes)

    notes = []
    x = read_image(tmp_path / "gray.png", notes)
    assert x.shape == (1, 3, 4, 6) and torch.equal(x[0, 0], x[0, 2])
    assert any("grayscale" in n for n in notes)

    notes = []
    a = read_image_array(tmp_path / "rgba.png", notes)
    assert a.shape == (4, 6, 3) and (a == 200).all() and any("alpha" in n for n in notes)

    (tmp_path / "junk.png").write_bytes(b"not an image")
    from lic_bench.errors import UsageError

    with pytest.raises(UsageError):
        read_image(tmp_path / "junk.png")


def test_write_png_round_trips_8bit(tmp_path):
    x = torch.randint(0, 256, (1, 3, 5, 7)).float() / 255
    write_png(x, tmp_path / "a.png")
    assert torch.equal(read_image(tmp_path / "a.png"), x)
