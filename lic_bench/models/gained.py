"""``cui2022-gained-mean``: a mean-scale hyperprior with gain units (variable rate)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from lic_bench.fastpath import codec_for
from lic_bench.models.hyperprior import MeanScaleHyperprior
from lic_bench.registry import MODELS
from lic_bench.variable_rate import GainUnits, interpolated_lambda

__all__ = ["GainedMeanScaleHyperprior"]

# CompressAI's MSE trade-offs of qualities 1-6.
DEFAULT_LMBDAS = (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483)


@MODELS.register(
    "cui2022-gained-mean",
    taxonomy=["gain-units", "mean-scale-hyperprior"],
    papers=["cui2022-asymmetric", "minnen2018-joint"],
)
class GainedMeanScaleHyperprior(MeanScaleHyperprior):
    """Gained mean-scale hyperprior: one set of weights for every λ.

    Cui et al., "Asymmetric Gained Deep Image Compression With Continuous Rate
    Adaptation", 2022 (``cui2022-asymmetric``), on the mean-scale hyperprior of
    Minnen et al. 2018 (``minnen2018-joint``)::

        x ─ g_a ─ ×G_s ─ y ─┬──────── Q ─ ŷ ─ ×G⁻¹_s ─ g_s ─ x̂
                            h_a ─ ×H_s ─ z ─ Q ─ ẑ ─ ×H⁻¹_s ─ h_s ─ (σ, μ)

    ``G``, ``G⁻¹``, ``H``, ``H⁻¹`` are :class:`~lic_bench.variable_rate.GainUnits`
    with one vector per λ in ``lmbdas``. Training draws one level per sample and
    reports each sample's λ as ``out["lmbda"]`` (the rate-distortion loss uses it);
    evaluation and coding take ``quality`` in [1, len(lmbdas)], any float:
    between two levels the gains are interpolated exponentially.

    Args:
        N, M, nonlinearity, hyper_nonlinearity, quantizer: as ``mbt2018-mean``.
        lmbdas: the trade-offs the levels are trained for, lowest rate first.
        default_quality: quality used when ``forward``/``compress`` get none
            outside training.
    """

    variable_rate = True

    def __init__(
        self,
        N: int = 192,
        M: int = 320,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "leaky-relu",
        quantizer: str | dict[str, Any] = "additive-uniform-noise",
        lmbdas: Sequence[float] = DEFAULT_LMBDAS,
        default_quality: float | None = None,
    ):
        super().__init__(
            N=N,
            M=M,
            nonlinearity=nonlinearity,
            hyper_nonlinearity=hyper_nonlinearity,
            quantizer=quantizer,
        )
        self.lmbdas = [float(v) for v in lmbdas]
        levels = len(self.lmbdas)
        if levels < 1:
            raise ValueError("lmbdas must hold at least one value")
        self.levels = levels
        self.default_quality = float(levels if default_quality is None else default_quality)
        self.gain = GainUnits(levels, self.M)
        self.inverse_gain = GainUnits(levels, self.M)
        self.hyper_gain = GainUnits(levels, self.N)
        self.inverse_hyper_gain = GainUnits(levels, self.N)

    def _quality(self, quality: float | None) -> float:
        q = self.default_quality if quality is None else float(quality)
        if not 1.0 <= q <= self.levels:
            raise ValueError(f"quality must lie in [1, {self.levels}], got {q:g}")
        return q

    def _encode(self, x, q):
        y = self.gain(self.g_a(x), q)
        z = self.hyper_gain(self.h_a(y), q)
        return y, z

    def _params_at(self, z_hat, q):
        return self._params(self.inverse_hyper_gain(z_hat, q))

    def forward(self, x, quality: float | None = None):
        if quality is None and self.training:
            # One level per sample, each trained with its own λ (out["lmbda"] is then a
            # (B,) tensor). torch's generator, so torch.manual_seed makes it reproducible.
            q = (torch.randint(self.levels, (x.shape[0],)) + 1).to(x.device, x.dtype)
        else:
            q = self._quality(quality)
        y, z = self._encode(x, q)
        z_hat, z_likelihoods = self.quantize_factorized(self.entropy_bottleneck, z)
        scales, means = self._params_at(z_hat, q)
        y_hat, y_likelihoods = self.quantize_gaussian(self.gaussian_conditional, y, scales, means)
        return {
            "x_hat": self.g_s(self.inverse_gain(y_hat, q)),
            "likelihoods": {"y": y_likelihoods, "z": z_likelihoods},
            "lmbda": interpolated_lambda(self.lmbdas, q),
            "quality": q,
        }

    def compress(self, x, quality: float | None = None):
        if (fast := codec_for(self, x)) is not None:  # same bytes, faster (lic_bench.fastpath)
            return fast.compress(x, quality)
        q = self._quality(quality)
        y, z = self._encode(x, q)
        z_strings, z_hat = self.compress_factorized(self.entropy_bottleneck, z)
        scales, means = self._params_at(z_hat, q)
        y_strings = self.compress_gaussian(self.gaussian_conditional, y, scales, means)
        return {"strings": [y_strings, z_strings], "shape": tuple(z.shape[-2:]), "quality": q}

    def decompress(self, strings, shape, quality: float | None = None):
        if (fast := codec_for(self)) is not None:  # same pixels, faster (lic_bench.fastpath)
            return fast.decompress(strings, shape, quality)
        q = self._quality(quality)
        z_hat = self.decompress_factorized(self.entropy_bottleneck, strings[1], shape)
        scales, means = self._params_at(z_hat, q)
        y_hat = self.decompress_gaussian(self.gaussian_conditional, strings[0], scales, means)
        x_hat = self.g_s(self.inverse_gain(y_hat, q)).clamp_(0, 1)
        return {"x_hat": x_hat}
