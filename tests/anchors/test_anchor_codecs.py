"""Every available anchor codec round-trips a small Kodak crop with real bytes."""

from __future__ import annotations

import numpy as np
import pytest

from lic_bench.codecs import codec_names, get_codec
from lic_bench.codecs.color import (
    downsample_420,
    rgb_to_ycbcr,
    upsample_420,
    ycbcr_to_rgb,
)
from lic_bench.codecs.sweep import load_rgb, psnr
from lic_bench.errors import MissingDependencyError


@pytest.fixture(scope="module")
def crop(kodak_dir):
    # a textured 64x48 patch (the fence and grass of kodim01)
    return np.ascontiguousarray(load_rgb(kodak_dir / "kodim01.png")[200:248, 300:364])


@pytest.mark.parametrize("name", codec_names())
def test_round_trip_two_qualities(name, crop):
    codec = get_codec(name)
    try:
        codec.versions()
    except MissingDependencyError as exc:
        pytest.skip(str(exc))
    q_low, q_high = codec.qualities[1], codec.qualities[-2]  # sweeps are listed low rate first
    low, high = codec.encode(crop, q_low), codec.encode(crop, q_high)
    rec_low, rec_high = codec.decode(low), codec.decode(high)
    assert rec_low.shape == rec_high.shape == crop.shape
    assert rec_low.dtype == np.uint8
    assert 0 < len(low) < len(high), (len(low), len(high))
    assert psnr(crop, rec_low) < psnr(crop, rec_high)
    assert psnr(crop, rec_high) > 28  # a real decode of this image, not noise
    assert set(codec.versions()) and all(codec.versions().values())


def test_x265_uses_bpg_qp_offset_and_no_info_sei(crop):
    codec = get_codec("x265-bpg444")
    try:
        codec.versions()
    except MissingDependencyError as exc:
        pytest.skip(str(exc))
    data = codec.encode(crop, 30)
    assert data.startswith(b"\x00\x00\x00\x01")  # raw Annex-B stream, no container
    assert b"x265" not in data  # the info SEI (encoder version string) is off, as in BPG


def test_ycbcr_matches_jfif_and_inverts():
    rgb = np.array([[[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 0, 255]]], dtype=np.uint8)
    ycc = rgb_to_ycbcr(rgb, bits=8)
    assert ycc[:, 0, 0].tolist() == [255, 128, 128]
    assert ycc[:, 0, 1].tolist() == [0, 128, 128]
    assert ycc[0, 0, 2] == 76  # 0.299 * 255
    assert ycc[1, 0, 3] == 255  # Cb of pure blue saturates
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    back10 = ycbcr_to_rgb(rgb_to_ycbcr(img, bits=10), bits=10)
    assert np.abs(back10.astype(int) - img).max() <= 1
    back8 = ycbcr_to_rgb(rgb_to_ycbcr(img, bits=8), bits=8)
    assert np.abs(back8.astype(int) - img).max() <= 2


def test_chroma_resampling_keeps_flat_areas():
    plane = np.full((8, 8), 700, dtype=np.uint16)
    assert (upsample_420(downsample_420(plane)) == 700).all()
    ramp = np.tile(np.arange(0, 16, dtype=np.uint16) * 10, (4, 1))
    up = upsample_420(downsample_420(ramp)).astype(int)
    assert np.abs(up - ramp)[:, 1:-1].max() <= 5
