"""Rate-distortion loss ``L = R + λ D`` (Ballé et al., "End-to-end Optimized Image
Compression", 2017, balle2017-end-to-end; the form and scaling CompressAI trains with).

R is the estimated rate in bits per pixel; D is ``255² · MSE`` (MSE on [0, 1] images) or
``1 - MS-SSIM``. The λ tables are in :mod:`lic_bench.engine.config`.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class RateDistortionLoss(nn.Module):
    def __init__(self, lmbda: float, distortion: str = "mse"):
        super().__init__()
        if distortion not in ("mse", "ms-ssim"):
            raise ValueError(f"distortion must be mse or ms-ssim, not {distortion!r}")
        self.lmbda = float(lmbda)
        self.distortion = distortion

    def forward(self, output: dict, target: torch.Tensor) -> dict[str, torch.Tensor]:
        n, _, h, w = target.shape
        num_pixels = n * h * w
        bpp = sum(
            torch.log(p).sum() for p in output["likelihoods"].values()
        ) / (-math.log(2) * num_pixels)
        x_hat = output["x_hat"]
        mse = torch.mean((x_hat.float() - target.float()) ** 2)
        out = {"bpp": bpp, "mse": mse}
        if self.distortion == "mse":
            distortion = 255.0**2 * mse
        else:
            from pytorch_msssim import ms_ssim

            out["ms_ssim"] = ms_ssim(x_hat.float(), target.float(), data_range=1.0)
            distortion = 1.0 - out["ms_ssim"]
        out["loss"] = bpp + self.lmbda * distortion
        return out
