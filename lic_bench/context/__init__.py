"""What context models are built from (registry kind ``spatial-schedule``). Needs torch.

Masked convolutions (:mod:`.masks`), decoding steps (:mod:`.schedule`), the registered
spatial schedules ``raster``, ``checkerboard``, ``patch-parallel`` and ``single-step``
(:mod:`.spatial_schedules`), and the position-major coder every context model codes
through (:mod:`.coding`, :mod:`.spatial_coder`), which codes all positions of a
schedule step at once. The context models themselves are latent codecs
(:mod:`lic_bench.latent_codecs`: ``autoregressive-context``, ``checkerboard``,
``channel-wise``, ``uneven-channel-grouping``, ``unified-spatial-channel``); the models
built on them are presets (:mod:`lic_bench.models.presets`).
"""

from lic_bench.context.coding import SpatialKernels, SymbolCoder
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
from lic_bench.context.spatial_schedules import SpatialSchedule, schedule_steps

__all__ = [
    "MaskedConv2d",
    "SpatialKernels",
    "SpatialSchedule",
    "Step",
    "SymbolCoder",
    "check_schedule",
    "checkerboard_mask",
    "checkerboard_steps",
    "patch_mask",
    "patch_steps",
    "raster_mask",
    "schedule_steps",
    "wavefront_slope",
    "wavefront_steps",
]
