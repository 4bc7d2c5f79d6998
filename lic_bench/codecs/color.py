"""Colour conversions done here, in numpy, so that they are exact and documented.

BT.601 full range (the JFIF / BPG ``-c ycbcr`` convention): with Kr = 0.299,
Kb = 0.114 and R, G, B in [0, 1],

    Y  = Kr R + (1 - Kr - Kb) G + Kb B
    Cb = (B - Y) / (2 (1 - Kb))
    Cr = (R - Y) / (2 (1 - Kr))

and an n-bit sample is ``round(Y (2^n - 1))``, ``round(C (2^n - 1) + 2^(n-1))``;
for n = 8 that is the familiar ``Cb = 128 - 0.168736 R - 0.331264 G + 0.5 B``.
The inverse uses the exact inverse matrix, then rounds and clips to uint8.
"""

from __future__ import annotations

import numpy as np

KR, KB = 0.299, 0.114
KG = 1.0 - KR - KB

#: rows give (Y, Cb, Cr) from (R, G, B), all in [0, 1] / [-0.5, 0.5]
RGB_TO_YCBCR = np.array(
    [
        [KR, KG, KB],
        [-KR / (2 * (1 - KB)), -KG / (2 * (1 - KB)), 0.5],
        [0.5, -KG / (2 * (1 - KR)), -KB / (2 * (1 - KR))],
    ]
)
YCBCR_TO_RGB = np.linalg.inv(RGB_TO_YCBCR)


def rgb_to_ycbcr(rgb: np.ndarray, bits: int = 8) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB -> ``(3, H, W)`` n-bit integer planes Y, Cb, Cr (full range)."""
    x = rgb.astype(np.float64) / 255.0
    ycc = np.einsum("ij,hwj->ihw", RGB_TO_YCBCR, x)
    peak = (1 << bits) - 1
    ycc *= peak
    ycc[1:] += 1 << (bits - 1)
    dtype = np.uint8 if bits <= 8 else np.uint16
    return np.clip(np.rint(ycc), 0, peak).astype(dtype)


def ycbcr_to_rgb(planes: np.ndarray, bits: int = 8) -> np.ndarray:
    """``(3, H, W)`` n-bit full-range Y, Cb, Cr -> ``(H, W, 3)`` uint8 RGB."""
    peak = (1 << bits) - 1
    ycc = planes.astype(np.float64)
    ycc[1:] -= 1 << (bits - 1)
    ycc /= peak
    rgb = np.einsum("ij,jhw->hwi", YCBCR_TO_RGB, ycc)
    return np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)


def downsample_420(plane: np.ndarray) -> np.ndarray:
    """Average each 2x2 block (even height and width required), keeping the dtype."""
    h, w = plane.shape
    blocks = plane.astype(np.float64).reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    return np.rint(blocks).astype(plane.dtype)


def _up2(x: np.ndarray, axis: int) -> np.ndarray:
    # centre-sited chroma: output 2i sits a quarter sample before input i, 2i+1 a quarter after
    prev = np.concatenate([x.take([0], axis), x.take(range(x.shape[axis] - 1), axis)], axis)
    nxt = np.concatenate([x.take(range(1, x.shape[axis]), axis), x.take([-1], axis)], axis)
    even, odd = 0.75 * x + 0.25 * prev, 0.75 * x + 0.25 * nxt
    out = np.stack([even, odd], axis=axis + 1)
    shape = list(x.shape)
    shape[axis] *= 2
    return out.reshape(shape)


def upsample_420(plane: np.ndarray) -> np.ndarray:
    """Bilinear 2x upsampling for the centre-sited chroma that :func:`downsample_420` makes."""
    up = _up2(_up2(plane.astype(np.float64), 0), 1)
    return np.rint(up).astype(plane.dtype)


def pad_to_multiple(rgb: np.ndarray, multiple: int) -> np.ndarray:
    """Edge-replicate the bottom/right border so both sides are multiples of ``multiple``."""
    h, w = rgb.shape[:2]
    ph, pw = (-h) % multiple, (-w) % multiple
    if not ph and not pw:
        return rgb
    return np.pad(rgb, ((0, ph), (0, pw), (0, 0)), mode="edge")
