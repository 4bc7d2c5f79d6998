"""``bmshj2018-hyperprior`` and ``mbt2018-mean``: scale and mean-scale hyperpriors."""

from __future__ import annotations

from typing import Any

import torch

from lic_bench.entropy import EntropyBottleneck, GaussianConditional
from lic_bench.fastpath import codec_for
from lic_bench.models.base import LatentCompressionModel
from lic_bench.models.transforms import analysis, hyper_analysis, hyper_synthesis, synthesis
from lic_bench.registry import MODELS

__all__ = ["ScaleHyperprior", "MeanScaleHyperprior"]


@MODELS.register(
    "bmshj2018-hyperprior",
    taxonomy=["scale-hyperprior"],
    papers=["balle2018-variational"],
)
class ScaleHyperprior(LatentCompressionModel):
    """Scale hyperprior: side information z predicts the scale of each latent.

    Ballé, Minnen, Singh, Hwang, Johnston, "Variational image compression with a
    scale hyperprior", 2018 (``balle2018-variational``)::

        x ─ g_a ─ y ─┬──────── Q ─ ŷ ─ g_s ─ x̂
                     │|y|          ↑ N(0, σ)
                     h_a ─ z ─ Q ─ ẑ ─ h_s ─ σ          ẑ: EntropyBottleneck(N)

    Same modules and state-dict keys as CompressAI's ``ScaleHyperprior``.

    Args:
        N, M: hidden and latent channels.
        nonlinearity: non-linearity of g_a / g_s (registry name).
        hyper_nonlinearity: non-linearity of h_a / h_s (ReLU in the paper).
        quantizer: registry name of the training quantizer.
    """

    _stages = 6
    _mean_scale = False

    def __init__(
        self,
        N: int = 128,
        M: int = 192,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "relu",
        quantizer: str | dict[str, Any] = "additive-uniform-noise",
    ):
        super().__init__(quantizer=quantizer)
        self.N, self.M = int(N), int(M)
        self.entropy_bottleneck = EntropyBottleneck(self.N)
        self.g_a = analysis(self.N, self.M, nonlinearity)
        self.g_s = synthesis(self.N, self.M, nonlinearity)
        self.h_a = hyper_analysis(self.N, self.M, hyper_nonlinearity)
        self.h_s = hyper_synthesis(self.N, self.M, hyper_nonlinearity, mean_scale=self._mean_scale)
        self.gaussian_conditional = GaussianConditional(None)

    # The hyper-analysis input and the Gaussian parameters are the only differences
    # between the scale and the mean-scale model.
    def _hyper_input(self, y: torch.Tensor) -> torch.Tensor:
        return torch.abs(y)

    def _params(self, z_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.h_s(z_hat), None

    def forward(self, x):
        y = self.g_a(x)
        z = self.h_a(self._hyper_input(y))
        z_hat, z_likelihoods = self.quantize_factorized(self.entropy_bottleneck, z)
        scales, means = self._params(z_hat)
        y_hat, y_likelihoods = self.quantize_gaussian(self.gaussian_conditional, y, scales, means)
        return {
            "x_hat": self.g_s(y_hat),
            "likelihoods": {"y": y_likelihoods, "z": z_likelihoods},
        }

    def compress(self, x):
        if (fast := codec_for(self, x)) is not None:  # same bytes, faster (lic_bench.fastpath)
            return fast.compress(x)
        y = self.g_a(x)
        z = self.h_a(self._hyper_input(y))
        z_strings, z_hat = self.compress_factorized(self.entropy_bottleneck, z)
        scales, means = self._params(z_hat)
        y_strings = self.compress_gaussian(self.gaussian_conditional, y, scales, means)
        return {"strings": [y_strings, z_strings], "shape": tuple(z.shape[-2:])}

    def decompress(self, strings, shape):
        if (fast := codec_for(self)) is not None:  # same pixels, faster (lic_bench.fastpath)
            return fast.decompress(strings, shape)
        z_hat = self.decompress_factorized(self.entropy_bottleneck, strings[1], shape)
        scales, means = self._params(z_hat)
        y_hat = self.decompress_gaussian(self.gaussian_conditional, strings[0], scales, means)
        return {"x_hat": self.g_s(y_hat).clamp_(0, 1)}


@MODELS.register(
    "mbt2018-mean",
    taxonomy=["mean-scale-hyperprior"],
    papers=["minnen2018-joint"],
)
class MeanScaleHyperprior(ScaleHyperprior):
    """Mean-scale hyperprior: z predicts the mean and the scale of each latent.

    Minnen, Ballé, Toderici, "Joint Autoregressive and Hierarchical Priors for
    Learned Image Compression", 2018 (``minnen2018-joint``), its model without the
    autoregressive context::

        x ─ g_a ─ y ─┬──────── Q ─ ŷ ─ g_s ─ x̂
                     │             ↑ N(μ, σ)
                     h_a ─ z ─ Q ─ ẑ ─ h_s ─ (σ, μ)

    Same modules and state-dict keys as CompressAI's ``MeanScaleHyperprior``;
    the hyper-transforms use LeakyReLU by default, as there.
    """

    _mean_scale = True

    def __init__(
        self,
        N: int = 192,
        M: int = 320,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "leaky-relu",
        quantizer: str | dict[str, Any] = "additive-uniform-noise",
    ):
        super().__init__(
            N=N,
            M=M,
            nonlinearity=nonlinearity,
            hyper_nonlinearity=hyper_nonlinearity,
            quantizer=quantizer,
        )

    def _hyper_input(self, y: torch.Tensor) -> torch.Tensor:
        return y

    def _params(self, z_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        scales, means = self.h_s(z_hat).chunk(2, 1)
        return scales, means
