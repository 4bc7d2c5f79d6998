"""Image quality and rate metrics used by evaluation and training.

``distortion``: MSE, PSNR and MS-SSIM (pytorch-msssim) on RGB tensors in [0, 1];
``rate``: bits per pixel from likelihoods (estimated) or from bitstream bytes (real);
``perceptual``: LPIPS through the ``lpips`` package, which needs ImageNet backbones
that may be missing, in which case it reports why instead of a number.
"""

from lic_bench.metrics.distortion import (
    MS_SSIM_MIN_SIDE,
    ms_ssim,
    ms_ssim_db,
    mse,
    psnr,
    psnr_from_mse,
    to_uint8_levels,
)
from lic_bench.metrics.perceptual import LpipsMetric
from lic_bench.metrics.rate import bpp_from_bytes, bpp_from_likelihoods

__all__ = [
    "MS_SSIM_MIN_SIDE",
    "LpipsMetric",
    "bpp_from_bytes",
    "bpp_from_likelihoods",
    "ms_ssim",
    "ms_ssim_db",
    "mse",
    "psnr",
    "psnr_from_mse",
    "to_uint8_levels",
]
