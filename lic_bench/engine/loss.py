"""Rate-distortion loss ``L = R + λ D`` (Ballé et al., "End-to-end Optimized Image
Compression", 2017, balle2017-end-to-end; the form and scaling CompressAI trains with).

R is the estimated rate in bits per pixel; D is ``255² · MSE`` (MSE on [0, 1] images) or
``1 - MS-SSIM``. The λ tables are in :mod:`lic_bench.engine.config`.

Variable rate: a model that returns ``output["lmbda"]`` -- one λ, or a ``(B,)`` tensor
with each sample's λ (gain units draw a rate level per sample, Cui et al. 2022,
cui2022-asymmetric) -- is trained with that λ, sample by sample:
``L = mean_i (R_i + λ_i D_i)``. With one λ for the batch this is ``R + λ D``.
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
        # per-sample rate (bits per pixel of each image)
        bits = sum(torch.log(p).reshape(p.shape[0], -1).sum(1) for p in output["likelihoods"].values())
        bpp_i = bits / (-math.log(2) * h * w)
        x_hat = output["x_hat"]
        mse_i = ((x_hat.float() - target.float()) ** 2).reshape(n, -1).mean(1)
        out = {"bpp": bpp_i.mean(), "mse": mse_i.mean()}
        if self.distortion == "mse":
            distortion_i = 255.0**2 * mse_i
        else:
            from pytorch_msssim import ms_ssim

            ssim_i = ms_ssim(x_hat.float(), target.float(), data_range=1.0, size_average=False)
            out["ms_ssim"] = ssim_i.mean()
            distortion_i = 1.0 - ssim_i
        lmbda = output.get("lmbda", self.lmbda)
        if isinstance(lmbda, torch.Tensor):
            lmbda = lmbda.to(distortion_i.device, distortion_i.dtype).reshape(-1)
        out["loss"] = (bpp_i + lmbda * distortion_i).mean()
        return out
