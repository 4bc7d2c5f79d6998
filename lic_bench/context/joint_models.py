"""``mbt2018`` and ``he2021-checkerboard``: mean-scale hyperprior + spatial context.

Both share the Minnen et al. 2018 transforms (:mod:`lic_bench.models.transforms`)
and differ only in the context mask and decoding schedule
(:mod:`lic_bench.context.joint`)::

    x ─ g_a ─ y ─┬───────────────── Q ─ ŷ ─┬─ g_s ─ x̂
                 │                          └─ context (masked conv) ─┐
                 h_a ─ z ─ Q ─ ẑ ─ h_s ─ params ─────── entropy_parameters ─ (σ, μ)

State-dict keys and shapes are those of CompressAI's
``JointAutoregressiveHierarchicalPriors`` (``mbt2018``), so the same weights load
into both; ``compress``/``decompress`` produce one rANS string per image for ŷ and
one for ẑ (``{"strings": [y_strings, z_strings], "shape": z_shape}``).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from lic_bench.context.coding import SymbolCoder, coding_threads
from lic_bench.context.joint import (
    context_conv,
    entropy_parameters,
    joint_code,
    joint_eval,
    joint_train,
)
from lic_bench.entropy import EntropyBottleneck, GaussianConditional
from lic_bench.fastpath import fast_transform
from lic_bench.models.base import LatentCompressionModel
from lic_bench.models.transforms import analysis, hyper_analysis, hyper_synthesis, synthesis
from lic_bench.registry import MODELS

__all__ = ["JointContextModel", "Mbt2018", "He2021Checkerboard"]


class JointContextModel(LatentCompressionModel):
    """Mean-scale hyperprior with a spatial context model on ŷ (see module docstring).

    Args:
        N, M: hidden and latent channels.
        spatial: ``"autoregressive"`` or ``"checkerboard"``.
        context_kernel: size of the masked context convolution.
        nonlinearity: non-linearity of g_a / g_s (registry name).
        hyper_nonlinearity: non-linearity of h_a / h_s.
        quantizer: training quantizer (registry name).
    """

    _stages = 6

    def __init__(
        self,
        N: int = 192,
        M: int = 192,
        spatial: str = "autoregressive",
        context_kernel: int = 5,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "leaky-relu",
        quantizer: str | dict[str, Any] = "additive-uniform-noise",
    ):
        super().__init__(quantizer=quantizer)
        self.N, self.M, self.spatial = int(N), int(M), spatial
        self.entropy_bottleneck = EntropyBottleneck(self.N)
        self.g_a = analysis(self.N, self.M, nonlinearity)
        self.g_s = synthesis(self.N, self.M, nonlinearity)
        self.h_a = hyper_analysis(self.N, self.M, hyper_nonlinearity)
        self.h_s = hyper_synthesis(self.N, self.M, hyper_nonlinearity, mean_scale=True)
        self.entropy_parameters = entropy_parameters(self.M)
        self.context_prediction = context_conv(self.M, spatial, context_kernel)
        self.gaussian_conditional = GaussianConditional(None)

    def _ctx(self):
        return self.context_prediction, self.entropy_parameters

    def forward(self, x: Tensor) -> dict[str, Any]:
        y = self.g_a(x)
        z_hat, z_likelihoods = self.quantize_factorized(self.entropy_bottleneck, self.h_a(y))
        if self.training:
            y_hat, y_likelihoods = joint_train(
                y, self.h_s(z_hat), *self._ctx(), self.gaussian_conditional, self.quantizer,
                self.spatial,
            )
        else:
            with coding_threads():  # the very operations decompress runs
                y_hat, y_likelihoods = joint_eval(
                    y, self.h_s(z_hat), *self._ctx(), self.gaussian_conditional,
                    self.quantizer, self.spatial,
                )
        return {"x_hat": self.g_s(y_hat), "likelihoods": {"y": y_likelihoods, "z": z_likelihoods}}

    def compress(self, x: Tensor) -> dict[str, Any]:
        y = self.g_a(x)
        z = self.h_a(y)
        z_strings, z_hat = self.compress_factorized(self.entropy_bottleneck, z)
        coder = SymbolCoder.encoder(self.gaussian_conditional, y.shape[0])
        with coding_threads():
            params = fast_transform(self, "h_s")(z_hat)
            joint_code(y, params, *self._ctx(), coder, self.spatial, self.quantizer.offset(y))
        return {"strings": [coder.flush(), z_strings], "shape": tuple(z.shape[-2:])}

    def decompress_latent(self, strings: list, shape) -> Tensor:
        """ŷ from the strings (the entropy-decoding part of :meth:`decompress`)."""
        z_hat = self.decompress_factorized(self.entropy_bottleneck, strings[1], shape)
        coder = SymbolCoder.decoder(self.gaussian_conditional, strings[0])
        with coding_threads():
            # bit-identical to self.h_s, which the eval forward runs
            params = fast_transform(self, "h_s")(z_hat)
            B, _, H, W = params.shape
            offset = self.quantizer.offset(params.new_zeros(B, self.M, H, W))
            return joint_code(None, params, *self._ctx(), coder, self.spatial, offset)["y_hat"]

    def decompress(self, strings: list, shape) -> dict[str, Tensor]:
        y_hat = self.decompress_latent(strings, shape)
        # Same arithmetic as self.g_s, about twice as fast (lic_bench.fastpath).
        return {"x_hat": fast_transform(self, "g_s")(y_hat).clamp_(0, 1)}


@MODELS.register(
    "mbt2018",
    taxonomy=["autoregressive-context", "mean-scale-hyperprior"],
    papers=["minnen2018-joint"],
    test_overrides={"N": 16, "M": 24},
)
class Mbt2018(JointContextModel):
    """Joint autoregressive and hierarchical priors (Minnen, Ballé, Toderici 2018,
    ``minnen2018-joint``): serial 5x5 masked context, decoded by wavefront.
    CompressAI-compatible state dict (``JointAutoregressiveHierarchicalPriors``)."""

    def __init__(
        self,
        N: int = 192,
        M: int = 192,
        context_kernel: int = 5,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "leaky-relu",
        quantizer: str | dict[str, Any] = "additive-uniform-noise",
    ):
        super().__init__(
            N, M, "autoregressive", context_kernel, nonlinearity, hyper_nonlinearity, quantizer
        )


@MODELS.register(
    "he2021-checkerboard",
    taxonomy=["checkerboard", "mean-scale-hyperprior"],
    papers=["he2021-checkerboard", "minnen2018-joint"],
    test_overrides={"N": 16, "M": 24},
)
class He2021Checkerboard(JointContextModel):
    """Checkerboard context model (He et al. 2021, ``he2021-checkerboard``) on the
    Minnen et al. 2018 architecture, as in the paper's main experiments: two decoding
    passes, anchors with a zero context then non-anchors."""

    def __init__(
        self,
        N: int = 192,
        M: int = 192,
        context_kernel: int = 5,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "leaky-relu",
        quantizer: str | dict[str, Any] = "additive-uniform-noise",
    ):
        super().__init__(
            N, M, "checkerboard", context_kernel, nonlinearity, hyper_nonlinearity, quantizer
        )
