"""Distortion metrics on RGB images in [0, 1] (tensors shaped ``(N, 3, H, W)``).

PSNR is computed on the three RGB channels together with peak 1.0 (= 255 on 8-bit
images), per image; MS-SSIM is Wang, Simoncelli and Bovik's multi-scale SSIM (2003)
as implemented by pytorch-msssim, the same function CompressAI's evaluation uses.
"""

from __future__ import annotations

import math

import torch

#: pytorch-msssim downsamples four times with an 11-pixel window, so both sides must
#: exceed (11 - 1) * 2**4 = 160 pixels.
MS_SSIM_MIN_SIDE = 161


def to_uint8_levels(x: torch.Tensor) -> torch.Tensor:
    """Clamp to [0, 1] and round to the 256 levels an 8-bit decoded image can hold."""
    return torch.round(x.clamp(0.0, 1.0) * 255.0) / 255.0


def mse(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean squared error per image (over channels and pixels): shape ``(N,)``."""
    return ((a.double() - b.double()) ** 2).flatten(1).mean(dim=1)


def psnr_from_mse(value: float, peak: float = 1.0) -> float:
    """PSNR in dB of a given MSE; infinite for identical images."""
    if value <= 0:
        return math.inf
    return 10.0 * math.log10(peak * peak / value)


def psnr(a: torch.Tensor, b: torch.Tensor, peak: float = 1.0) -> list[float]:
    """PSNR in dB of each image pair of the batch."""
    return [psnr_from_mse(float(v), peak) for v in mse(a, b)]


def ms_ssim(a: torch.Tensor, b: torch.Tensor) -> list[float | None]:
    """MS-SSIM of each image pair; ``None`` when the image is too small for five scales."""
    from pytorch_msssim import ms_ssim as _ms_ssim

    if min(a.shape[-2:]) < MS_SSIM_MIN_SIDE:
        return [None] * a.shape[0]
    values = _ms_ssim(a.float(), b.float(), data_range=1.0, size_average=False)
    return [float(v) for v in values]


def ms_ssim_db(value: float | None) -> float | None:
    """MS-SSIM on a dB scale, ``-10 log10(1 - MS-SSIM)``, as CompressAI plots it."""
    if value is None:
        return None
    if value >= 1.0:
        return math.inf
    return -10.0 * math.log10(1.0 - value)
