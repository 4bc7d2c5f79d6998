"""Models on :class:`~lic_bench.context.channel.ChannelSpatialContext`:
``minnen2020-channelwise``, ``he2022-elic``, ``uludag2022-unified`` and
``uludag2022-unified-parallel``.

Layout (seed 004 Fig. 4.1; Minnen & Singh 2020 Fig. 1)::

    x ─ g_a ─ y ───────────────────────────── context (slices) ─ ŷ ─ g_s ─ x̂
              └ h_a ─ z ─ Q ─ ẑ ─┬─ h_s_mean  ─ μ' ─┘ │
                                 └─ h_s_scale ─ σ' ───┘

g_a / g_s are the four-layer GDN transforms of :mod:`lic_bench.models.transforms`
(seed 004 §4.1 uses 192 hidden and 384 latent channels), h_a is Minnen et al.'s
hyper-analysis, and the two hyper decoders are two transposed 5x5 stride-2
convolutions and a 3x3 convolution each (seed 004 Fig. 4.4). Training uses mixed
quantization by default (noise for the rate, rounding for synthesis; seed 004 §4.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.context.channel import ChannelSpatialContext, elic_groups
from lic_bench.context.coding import coding_threads
from lic_bench.entropy import EntropyBottleneck
from lic_bench.fastpath import fast_transform
from lic_bench.layers import conv, deconv, get_nonlinearity
from lic_bench.models.base import LatentCompressionModel
from lic_bench.models.transforms import analysis, hyper_analysis, synthesis
from lic_bench.registry import MODELS

__all__ = [
    "ChannelContextModel",
    "He2022Elic",
    "Minnen2020Channelwise",
    "Uludag2022Unified",
    "Uludag2022UnifiedParallel",
    "hyper_decoder",
]


def hyper_decoder(N: int, M: int, nonlinearity: str = "relu") -> nn.Sequential:
    """ẑ (N) -> one Gaussian parameter map (M): deconv, deconv, 3x3 conv (x4)."""
    mid = N * 3 // 2
    return nn.Sequential(
        deconv(N, N),
        get_nonlinearity(nonlinearity, N, inverse=True),
        deconv(N, mid),
        get_nonlinearity(nonlinearity, mid, inverse=True),
        conv(mid, M, stride=1, kernel_size=3),
    )


class ChannelContextModel(LatentCompressionModel):
    """Hyperprior with separate mean/scale decoders and a channel(-spatial) context.

    Args:
        N, M: hidden and latent channels.
        num_slices: equal channel slices (ignored when ``groups`` is given).
        groups: explicit channel group sizes.
        spatial: context inside a slice: ``none``, ``checkerboard``,
            ``autoregressive`` or ``patch``.
        patch_size: ``p`` of the patch-parallel context.
        context_kernel: spatial context kernel size.
        max_support_slices: decoded slices that condition the next (-1: all).
        lrp: latent residual prediction.
        nonlinearity: g_a / g_s non-linearity; hyper_nonlinearity: h_a / h_s and
            context networks.
        quantizer: training quantizer.
    """

    _stages = 6

    def __init__(
        self,
        N: int = 192,
        M: int = 320,
        num_slices: int = 10,
        groups: Sequence[int] | None = None,
        spatial: str = "none",
        patch_size: int = 2,
        context_kernel: int = 5,
        max_support_slices: int = -1,
        lrp: bool = True,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "relu",
        quantizer: str | dict[str, Any] = "mixed-quantization",
    ):
        super().__init__(quantizer=quantizer)
        self.N, self.M = int(N), int(M)
        self.entropy_bottleneck = EntropyBottleneck(self.N)
        self.g_a = analysis(self.N, self.M, nonlinearity)
        self.g_s = synthesis(self.N, self.M, nonlinearity)
        self.h_a = hyper_analysis(self.N, self.M, hyper_nonlinearity)
        self.h_s_mean = hyper_decoder(self.N, self.M, hyper_nonlinearity)
        self.h_s_scale = hyper_decoder(self.N, self.M, hyper_nonlinearity)
        self.context = ChannelSpatialContext(
            self.M,
            num_slices=num_slices,
            groups=groups,
            spatial=spatial,
            patch_size=patch_size,
            kernel_size=context_kernel,
            max_support_slices=max_support_slices,
            lrp=lrp,
            activation=hyper_nonlinearity,
            quantizer=quantizer,
        )
        # one quantizer object for the model and its context
        self.context.quantizer = self.quantizer

    def _hyper(self, z_hat: Tensor) -> tuple[Tensor, Tensor]:
        if self.training or torch.is_grad_enabled():
            return self.h_s_mean(z_hat), self.h_s_scale(z_hat)
        # the same arithmetic, faster (lic_bench.fastpath)
        return fast_transform(self, "h_s_mean")(z_hat), fast_transform(self, "h_s_scale")(z_hat)

    def forward(self, x: Tensor) -> dict[str, Any]:
        y = self.g_a(x)
        z_hat, z_likelihoods = self.quantize_factorized(self.entropy_bottleneck, self.h_a(y))
        if self.training:
            out = self.context(y, self._hyper(z_hat))
        else:
            with coding_threads():  # the very operations decompress runs
                out = self.context(y, self._hyper(z_hat))
        return {
            "x_hat": self.g_s(out["y_hat"]),
            "likelihoods": {"y": out["likelihoods"]["y"], "z": z_likelihoods},
        }

    def compress(self, x: Tensor) -> dict[str, Any]:
        y = self.g_a(x)
        z = self.h_a(y)
        z_strings, z_hat = self.compress_factorized(self.entropy_bottleneck, z)
        with coding_threads():
            y_strings = self.context.compress(y, self._hyper(z_hat))
        return {"strings": [y_strings, z_strings], "shape": tuple(z.shape[-2:])}

    def decompress_latent(self, strings: list, shape) -> Tensor:
        """ŷ from the strings (the entropy-decoding part of :meth:`decompress`)."""
        z_hat = self.decompress_factorized(self.entropy_bottleneck, strings[1], shape)
        with coding_threads():
            return self.context.decompress(strings[0], self._hyper(z_hat))

    def decompress(self, strings: list, shape) -> dict[str, Tensor]:
        # Same arithmetic as self.g_s, about twice as fast (lic_bench.fastpath).
        y_hat = self.decompress_latent(strings, shape)
        return {"x_hat": fast_transform(self, "g_s")(y_hat).clamp_(0, 1)}


@MODELS.register(
    "minnen2020-channelwise",
    taxonomy=["channel-wise", "mean-scale-hyperprior", "mixed-quantization"],
    papers=["minnen2020-channel-wise"],
    test_overrides={"N": 16, "M": 24, "num_slices": 3, "max_support_slices": 2},
)
class Minnen2020Channelwise(ChannelContextModel):
    """Channel-wise autoregressive entropy model with latent residual prediction
    (Minnen & Singh, "Channel-wise Autoregressive Entropy Models for Learned Image
    Compression", 2020, ``minnen2020-channel-wise``): 10 slices, 5 support slices."""

    def __init__(
        self,
        N: int = 192,
        M: int = 320,
        num_slices: int = 10,
        max_support_slices: int = 5,
        lrp: bool = True,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "relu",
        quantizer: str | dict[str, Any] = "mixed-quantization",
    ):
        super().__init__(
            N, M, num_slices, None, "none", 2, 5, max_support_slices, lrp,
            nonlinearity, hyper_nonlinearity, quantizer,
        )


@MODELS.register(
    "he2022-elic",
    taxonomy=["uneven-channel-grouping", "checkerboard", "mean-scale-hyperprior"],
    papers=["he2022-elic", "he2021-checkerboard"],
    test_overrides={"N": 16, "M": 24, "groups": [2, 2, 4, 16]},
)
class He2022Elic(ChannelContextModel):
    """ELIC's space-channel context (He et al., "ELIC: Efficient Learned Image
    Compression with Unevenly Grouped Space-Channel Contextual Adaptive Coding", 2022,
    ``he2022-elic``): uneven groups 16/16/32/64/M-128, a checkerboard inside each.
    Transforms are the GDN ones of the other models, not ELIC's residual stacks."""

    def __init__(
        self,
        N: int = 192,
        M: int = 320,
        groups: Sequence[int] | None = None,
        context_kernel: int = 5,
        lrp: bool = False,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "relu",
        quantizer: str | dict[str, Any] = "mixed-quantization",
    ):
        super().__init__(
            N, M, 0, list(groups) if groups else elic_groups(M), "checkerboard", 2,
            context_kernel, -1, lrp, nonlinearity, hyper_nonlinearity, quantizer,
        )


@MODELS.register(
    "uludag2022-unified",
    taxonomy=["unified-spatial-channel", "mixed-quantization"],
    papers=["uludag2022-deep"],
    test_overrides={"N": 16, "M": 24, "num_slices": 3},
)
class Uludag2022Unified(ChannelContextModel):
    """Unified spatial + channel context, serial form (Uludağ 2022, ``uludag2022-deep``,
    ch. 4): equal channel slices conditioned on all earlier slices, a 5x5 masked
    convolution inside each slice (decoded by wavefront), LRP, mixed quantization."""

    def __init__(
        self,
        N: int = 192,
        M: int = 384,
        num_slices: int = 8,
        context_kernel: int = 5,
        lrp: bool = True,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "relu",
        quantizer: str | dict[str, Any] = "mixed-quantization",
    ):
        super().__init__(
            N, M, num_slices, None, "autoregressive", 2, context_kernel, -1, lrp,
            nonlinearity, hyper_nonlinearity, quantizer,
        )


@MODELS.register(
    "uludag2022-unified-parallel",
    taxonomy=["unified-spatial-channel", "mixed-quantization"],
    papers=["uludag2022-deep"],
    test_overrides={"N": 16, "M": 24, "num_slices": 3, "patch_size": 2},
)
class Uludag2022UnifiedParallel(ChannelContextModel):
    """Unified spatial + channel context, patch-parallel form (Uludağ 2022,
    ``uludag2022-deep``, §4.3 and §5.5): each slice is cut into ``p x p`` patches and
    all elements with the same in-patch index are coded together (``p*p`` steps per
    slice), each seeing the earlier indices of its own and neighbouring patches."""

    def __init__(
        self,
        N: int = 192,
        M: int = 384,
        num_slices: int = 8,
        patch_size: int = 2,
        context_kernel: int = 5,
        lrp: bool = True,
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "relu",
        quantizer: str | dict[str, Any] = "mixed-quantization",
    ):
        super().__init__(
            N, M, num_slices, None, "patch", patch_size, context_kernel, -1, lrp,
            nonlinearity, hyper_nonlinearity, quantizer,
        )
