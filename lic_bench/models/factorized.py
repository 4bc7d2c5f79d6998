"""``bmshj2018-factorized``: the factorized-prior model."""

from __future__ import annotations

from typing import Any

from lic_bench.entropy import EntropyBottleneck
from lic_bench.fastpath import codec_for
from lic_bench.models.base import LatentCompressionModel
from lic_bench.models.transforms import analysis, synthesis
from lic_bench.registry import MODELS

__all__ = ["FactorizedPrior"]


@MODELS.register(
    "bmshj2018-factorized",
    taxonomy=["factorized-prior"],
    papers=["balle2018-variational", "balle2017-end-to-end"],
)
class FactorizedPrior(LatentCompressionModel):
    """Factorized-prior model: one non-parametric density per latent channel.

    Ballé et al., "Variational image compression with a scale hyperprior", 2018
    (``balle2018-variational``), baseline of its experiments, after "End-to-end
    Optimized Image Compression", 2017 (``balle2017-end-to-end``)::

        x ─ g_a ─ y ─ Q ─ ŷ ─ g_s ─ x̂        ŷ coded with EntropyBottleneck(M)

    Same modules and state-dict keys as CompressAI's ``FactorizedPrior``
    (``bmshj2018-factorized``); ``nonlinearity: relu`` gives its
    ``FactorizedPriorReLU``.

    Args:
        N: channels of the hidden layers.
        M: channels of the latent y.
        nonlinearity: registry name of the non-linearity of g_a (inverse in g_s).
        quantizer: registry name of the training quantizer.
    """

    _stages = 4
    coded_latents = 1  # y only

    def __init__(
        self,
        N: int = 128,
        M: int = 192,
        nonlinearity: str = "gdn",
        quantizer: str | dict[str, Any] = "additive-uniform-noise",
    ):
        super().__init__(quantizer=quantizer)
        self.N, self.M = int(N), int(M)
        self.entropy_bottleneck = EntropyBottleneck(self.M)
        self.g_a = analysis(self.N, self.M, nonlinearity)
        self.g_s = synthesis(self.N, self.M, nonlinearity)

    def forward(self, x):
        y = self.g_a(x)
        y_hat, y_likelihoods = self.quantize_factorized(self.entropy_bottleneck, y)
        return {"x_hat": self.g_s(y_hat), "likelihoods": {"y": y_likelihoods}}

    def compress(self, x):
        if (fast := codec_for(self, x)) is not None:  # same bytes, faster (lic_bench.fastpath)
            return fast.compress(x)
        y = self.g_a(x)
        strings, _ = self.compress_factorized(self.entropy_bottleneck, y)
        return {"strings": [strings], "shape": tuple(y.shape[-2:])}

    def decompress(self, strings, shape):
        if (fast := codec_for(self)) is not None:  # same pixels, faster (lic_bench.fastpath)
            return fast.decompress(strings, shape)
        y_hat = self.decompress_factorized(self.entropy_bottleneck, strings[0], shape)
        return {"x_hat": self.g_s(y_hat).clamp_(0, 1)}
