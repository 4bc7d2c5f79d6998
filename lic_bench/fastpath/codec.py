"""``FastCodec``: compress/decompress of the hyperprior family, bit-identical and faster.

Supported architectures (lic-bench's and CompressAI's classes of the same name):

=====================  ===========================================  =================
kind                   hyper input → Gaussian parameters            papers
=====================  ===========================================  =================
factorized             — (y coded by the entropy bottleneck)        balle2018-variational
scale                  |y| → σ = h_s(ẑ)                              balle2018-variational
mean-scale             y → (σ, μ) = h_s(ẑ).chunk(2)                  minnen2018-joint
gained mean-scale      gain units around g_a / h_a / h_s / g_s      cui2021-asymmetric
=====================  ===========================================  =================
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from lic_bench.fastpath.entropy import (
    CoderTables,
    bottleneck_decode,
    bottleneck_encode,
    gaussian_decode,
    gaussian_encode,
    gaussian_indexes,
)
from lic_bench.fastpath.gdn import Buffers
from lic_bench.fastpath.transforms import FastSequential

__all__ = ["FastCodec", "prepare_for_inference", "supports", "model_kind"]


def model_kind(model: torch.nn.Module) -> str | None:
    """'factorized', 'scale', 'mean-scale', 'gained' or None (not supported)."""
    import compressai.models as cm

    cls = type(model)
    if cls is cm.FactorizedPrior:
        return "factorized"
    if cls is cm.ScaleHyperprior:
        return "scale"
    if cls is cm.MeanScaleHyperprior:
        return "mean-scale"
    try:
        from lic_bench.models import (
            FactorizedPrior,
            GainedMeanScaleHyperprior,
            MeanScaleHyperprior,
            ScaleHyperprior,
        )
        from lic_bench.quantizers.base import Quantizer
    except ImportError:  # pragma: no cover
        return None
    quantizer = getattr(model, "quantizer", None)
    if quantizer is not None and type(quantizer).offset is not Quantizer.offset:
        return None  # coding offsets (universal quantization) take the model's own path
    if cls is FactorizedPrior:
        return "factorized"
    if cls is ScaleHyperprior:
        return "scale"
    if cls is MeanScaleHyperprior:
        return "mean-scale"
    if cls is GainedMeanScaleHyperprior:
        return "gained"
    return None


def supports(model: torch.nn.Module) -> bool:
    return model_kind(model) is not None


class FastCodec:
    """Inference-only twin of ``model`` (a snapshot of its weights and tables).

    ``compress(x)`` / ``decompress(strings, shape)`` follow CompressAI's
    conventions (and take ``quality`` for the gained model).
    """

    def __init__(self, model: torch.nn.Module):
        kind = model_kind(model)
        if kind is None:
            raise ValueError(f"no fast path for {type(model).__name__}")
        self.kind = kind
        self.model = model
        self.variable_rate = kind == "gained"
        self.scratch = scratch = Buffers()  # one pool for every layer: they run one at a time
        self.g_a = FastSequential(model.g_a, scratch)
        self.g_s = FastSequential(model.g_s, scratch)
        self.bottleneck = CoderTables(model.entropy_bottleneck)
        if kind != "factorized":
            self.h_a = FastSequential(model.h_a, scratch)
            self.h_s = FastSequential(model.h_s, scratch)
            self.gaussian = CoderTables(model.gaussian_conditional)

    # -- pieces shared with the benchmark's "transforms only" stage ----------------
    def plan(self) -> dict[str, list[str]]:
        """How each transform's layers are run (reported in benchmark results)."""
        names = ["g_a", "g_s"] + ([] if self.kind == "factorized" else ["h_a", "h_s"])
        return {n: getattr(self, n).plan for n in names}

    def _gain(self, unit: str, x: Tensor, quality: float) -> Tensor:
        return getattr(self.model, unit)(x, quality)

    def _quality(self, quality: float | None) -> float | None:
        return self.model._quality(quality) if self.variable_rate else None

    def _params(self, z_hat: Tensor, q: float | None) -> tuple[Tensor, Tensor | None]:
        if q is not None:
            z_hat = self._gain("inverse_hyper_gain", z_hat, q)
        params = self.h_s(z_hat)
        if self.kind == "scale":
            return params, None
        scales, means = params.chunk(2, 1)
        return scales, means

    # -- coding ----------------------------------------------------------------------
    @torch.no_grad()
    def compress(self, x: Tensor, quality: float | None = None) -> dict[str, Any]:
        q = self._quality(quality)
        y = self.g_a(x)
        if self.kind == "factorized":
            strings, _ = bottleneck_encode(self.bottleneck, y)
            return {"strings": [strings], "shape": tuple(y.shape[-2:])}
        if q is not None:
            y = self._gain("gain", y, q)
        z = self.h_a(torch.abs(y) if self.kind == "scale" else y)
        if q is not None:
            z = self._gain("hyper_gain", z, q)
        z_strings, z_hat = bottleneck_encode(self.bottleneck, z)
        scales, means = self._params(z_hat, q)
        indexes = gaussian_indexes(self.gaussian, scales)
        y_strings = gaussian_encode(self.gaussian, y, indexes, means)
        out = {"strings": [y_strings, z_strings], "shape": tuple(z.shape[-2:])}
        if q is not None:
            out["quality"] = q
        return out

    @torch.no_grad()
    def decompress(self, strings, shape, quality: float | None = None) -> dict[str, Tensor]:
        q = self._quality(quality)
        if self.kind == "factorized":
            y_hat = bottleneck_decode(self.bottleneck, strings[0], shape)
        else:
            z_hat = bottleneck_decode(self.bottleneck, strings[1], shape)
            scales, means = self._params(z_hat, q)
            indexes = gaussian_indexes(self.gaussian, scales)
            y_hat = gaussian_decode(self.gaussian, strings[0], indexes, means)
            if q is not None:
                y_hat = self._gain("inverse_gain", y_hat, q)
        return {"x_hat": self.g_s(y_hat).clamp_(0, 1)}


def prepare_for_inference(model: torch.nn.Module) -> FastCodec:
    """A :class:`FastCodec` for ``model`` (eval mode, CDF tables built)."""
    model.eval()
    if model.entropy_bottleneck._offset.numel() == 0:
        model.update(force=True)
    return FastCodec(model)
