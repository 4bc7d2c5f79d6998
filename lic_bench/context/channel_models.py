"""Channel-context presets: ``minnen2020-channelwise``, ``he2022-elic``,
``uludag2022-unified`` and ``uludag2022-unified-parallel``.

Layout (seed 004 Fig. 4.1; Minnen & Singh 2020 Fig. 1)::

    x ─ g_a ─ y ───────────────────────────── context (slices) ─ ŷ ─ g_s ─ x̂
              └ h_a ─ z ─ Q ─ ẑ ─┬─ h_s_mean  ─ μ' ─┘ │
                                 └─ h_s_scale ─ σ' ───┘

g_a / g_s are the four-layer GDN transforms of :mod:`lic_bench.models.transforms`
(seed 004 §4.1 uses 192 hidden and 384 latent channels), h_a is Minnen et al.'s
hyper-analysis, and the two hyper decoders (``split_hyper``) are two transposed 5x5
stride-2 convolutions and a 3x3 convolution each (seed 004 Fig. 4.4). Training uses
mixed quantization by default (noise for the rate, rounding for synthesis; seed 004
§4.2). The y codec is :class:`~lic_bench.context.channel.ChannelSpatialContext`.
"""

from __future__ import annotations

from lic_bench.models.compose import ComposedModel, hyper_decoder
from lic_bench.registry import MODELS

__all__ = [
    "He2022Elic",
    "Minnen2020Channelwise",
    "Uludag2022Unified",
    "Uludag2022UnifiedParallel",
    "hyper_decoder",
]

_BASE = {"N": 192, "M": 320, "backbone": "mean-scale-hyperprior", "split_hyper": True,
         "hyper_nonlinearity": "relu", "quantizer": "mixed-quantization"}


@MODELS.register(
    "minnen2020-channelwise",
    taxonomy=["channel-wise", "mean-scale-hyperprior", "mixed-quantization"],
    papers=["minnen2020-channel-wise"],
    test_overrides={"N": 16, "M": 24, "num_slices": 3, "max_support_slices": 2},
)
class Minnen2020Channelwise(ComposedModel):
    """Channel-wise autoregressive entropy model with latent residual prediction
    (Minnen & Singh, "Channel-wise Autoregressive Entropy Models for Learned Image
    Compression", 2020, ``minnen2020-channel-wise``): 10 slices, 5 support slices."""

    defaults = {**_BASE, "context": "channel-wise", "num_slices": 10, "max_support_slices": 5, "lrp": True}


@MODELS.register(
    "he2022-elic",
    taxonomy=["uneven-channel-grouping", "checkerboard", "mean-scale-hyperprior"],
    papers=["he2022-elic", "he2021-checkerboard"],
    test_overrides={"N": 16, "M": 24, "groups": [2, 2, 4, 16]},
)
class He2022Elic(ComposedModel):
    """ELIC's space-channel context (He et al., "ELIC: Efficient Learned Image
    Compression with Unevenly Grouped Space-Channel Contextual Adaptive Coding", 2022,
    ``he2022-elic``): uneven groups 16/16/32/64/M-128, a checkerboard inside each.
    Transforms are the GDN ones of the other models, not ELIC's residual stacks."""

    defaults = {**_BASE, "context": "uneven-channel-grouping", "lrp": False}


@MODELS.register(
    "uludag2022-unified",
    taxonomy=["unified-spatial-channel", "mixed-quantization"],
    papers=["uludag2022-deep"],
    test_overrides={"N": 16, "M": 24, "num_slices": 3},
)
class Uludag2022Unified(ComposedModel):
    """Unified spatial + channel context, serial form (Uludağ 2022, ``uludag2022-deep``,
    ch. 4): equal channel slices conditioned on all earlier slices, a 5x5 masked
    convolution inside each slice (decoded by wavefront), LRP, mixed quantization."""

    defaults = {**_BASE, "M": 384, "context": "unified-spatial-channel", "num_slices": 8, "lrp": True}


@MODELS.register(
    "uludag2022-unified-parallel",
    taxonomy=["unified-spatial-channel", "mixed-quantization"],
    papers=["uludag2022-deep"],
    test_overrides={"N": 16, "M": 24, "num_slices": 3, "patch_size": 2},
)
class Uludag2022UnifiedParallel(ComposedModel):
    """Unified spatial + channel context, patch-parallel form (Uludağ 2022,
    ``uludag2022-deep``, §4.3 and §5.5): each slice is cut into ``p x p`` patches and
    all elements with the same in-patch index are coded together (``p*p`` steps per
    slice), each seeing the earlier indices of its own and neighbouring patches."""

    defaults = {**_BASE, "M": 384, "context": "unified-spatial-channel", "num_slices": 8, "lrp": True,
                "parallel": True, "patch_size": 2}
