"""Context models (registry kind ``context-model``) and the models built on them. Needs torch.

Context models: ``autoregressive-context`` (Minnen et al. 2018), ``checkerboard``
(He et al. 2021), ``channel-wise`` (Minnen & Singh 2020), ``uneven-channel-grouping``
(He et al. 2022, ELIC) and ``unified-spatial-channel`` (Uludağ 2022). Models:
``mbt2018``, ``he2021-checkerboard``, ``minnen2020-channelwise``, ``he2022-elic``,
``uludag2022-unified``, ``uludag2022-unified-parallel``.

Every one codes through :func:`lic_bench.context.spatial_coder.code_positions`, which
codes all positions of a schedule step at once (:mod:`lic_bench.context.schedule`).
"""

from lic_bench.context.channel import (
    ChannelSpatialContext,
    elic_groups,
    even_groups,
    uneven_channel_grouping,
    unified_spatial_channel,
)
from lic_bench.context.coding import SpatialKernels, SymbolCoder
from lic_bench.context.joint import JointContext, autoregressive_context, checkerboard_context
from lic_bench.context.masks import (
    MaskedConv2d,
    checkerboard_mask,
    patch_mask,
    raster_mask,
)
from lic_bench.context.schedule import (
    Step,
    check_schedule,
    checkerboard_steps,
    patch_steps,
    wavefront_slope,
    wavefront_steps,
)

__all__ = [
    "ChannelSpatialContext",
    "elic_groups",
    "even_groups",
    "unified_spatial_channel",
    "uneven_channel_grouping",
    "JointContext",
    "MaskedConv2d",
    "SpatialKernels",
    "Step",
    "SymbolCoder",
    "autoregressive_context",
    "check_schedule",
    "checkerboard_context",
    "checkerboard_mask",
    "checkerboard_steps",
    "patch_mask",
    "patch_steps",
    "raster_mask",
    "wavefront_slope",
    "wavefront_steps",
]
