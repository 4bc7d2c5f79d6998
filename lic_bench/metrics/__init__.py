"""Image quality and rate metrics used by evaluation and training.

``distortion``: MSE, PSNR and MS-SSIM (pytorch-msssim) on RGB tensors in [0, 1];
``rate``: bits per pixel from likelihoods (estimated) or from bitstream bytes (real);
``perceptual``: LPIPS through the ``lpips`` package, which needs ImageNet backbones
that may be missing, in which case it reports why instead of a number;
``specs`` and ``suite``: the metric registry's records and the registered metrics.

The torch-based names are imported on first use, so the metric registry (which the
site and BD numbers read) works without torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "MS_SSIM_MIN_SIDE": "distortion",
    "ms_ssim": "distortion",
    "ms_ssim_db": "distortion",
    "mse": "distortion",
    "psnr": "distortion",
    "psnr_from_mse": "distortion",
    "to_uint8_levels": "distortion",
    "LpipsMetric": "perceptual",
    "bpp_from_bytes": "rate",
    "bpp_from_likelihoods": "rate",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"lic_bench.metrics.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'lic_bench.metrics' has no attribute {name!r}")
