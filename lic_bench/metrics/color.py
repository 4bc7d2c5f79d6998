"""BT.709 colour conversion of decoded 8-bit RGB for the luma / chroma metrics.

The JPEG AI common test conditions measure most metrics on the luma of BT.709 Y'CbCr.
We convert the 8-bit RGB the codec delivered (both images alike) without re-quantising:
full range, Y in [0, 255], Cb and Cr centred on 128 with the same excursion, so PSNR-Y/U/V
use a peak of 255. Departure from the CTC: they convert to 10-bit limited-range video
first; on 8-bit sources that changes PSNR by a constant offset, and BD-rates not at all.
"""

from __future__ import annotations

import numpy as np

#: ITU-R BT.709 luma coefficients
KR, KB = 0.2126, 0.0722
KG = 1.0 - KR - KB


def rgb_to_yuv709(rgb: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` uint8 RGB to a float64 ``(3, H, W)`` Y, Cb, Cr stack (full range)."""
    x = np.asarray(rgb, dtype=np.float64)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    y = KR * r + KG * g + KB * b
    cb = (b - y) / (2.0 * (1.0 - KB)) + 128.0
    cr = (r - y) / (2.0 * (1.0 - KR)) + 128.0
    return np.stack([y, cb, cr])


def luma709(rgb: np.ndarray) -> np.ndarray:
    """BT.709 luma of 8-bit RGB, float64 in [0, 255]."""
    x = np.asarray(rgb, dtype=np.float64)
    return KR * x[..., 0] + KG * x[..., 1] + KB * x[..., 2]


def luma709_limited_u8(rgb: np.ndarray) -> np.ndarray:
    """BT.709 luma as 8-bit limited-range video (16..235), the form VMAF was trained on."""
    return np.clip(np.round(16.0 + luma709(rgb) * (219.0 / 255.0)), 0, 255).astype(np.uint8)
