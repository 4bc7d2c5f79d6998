"""Spatial schedules (registry kind ``spatial-schedule``): in what order the positions of
one latent (or one channel slice) are coded, and the context kernels that order allows.

A schedule gives the masks of its context convolutions (``[]``: no spatial context)
and the decoding steps for an ``H x W`` latent (:mod:`lic_bench.context.schedule`).
The spatial context codec (:class:`~lic_bench.latent_codecs.SpatialContext`) and the
channel context codec (:class:`~lic_bench.latent_codecs.ChannelSpatialContext`) both
take one by name, so a new order is one new class here, usable by either.

==================  ===================================================  ==========================
id                  positions coded together                             paper
==================  ===================================================  ==========================
``raster``          a wavefront ``t = a*i + j`` of a causal raster mask  ``minnen2018-joint``
``checkerboard``    anchors (``i + j`` even, no context), then the rest  ``he2021-checkerboard``
``patch-parallel``  one in-patch index of every ``p x p`` patch a step   ``uludag2022-deep``
``single-step``     all at once, no spatial context                      ``minnen2020-channel-wise``
==================  ===================================================  ==========================
"""

from __future__ import annotations

import functools

import torch
from torch import Tensor

from lic_bench.context.masks import checkerboard_mask, patch_mask, raster_mask
from lic_bench.context.schedule import (
    Step,
    checkerboard_steps,
    patch_steps,
    single_step,
    wavefront_steps,
)
from lic_bench.registry import SPATIAL_SCHEDULES

__all__ = ["Checkerboard", "PatchParallel", "Raster", "SingleStep", "SpatialSchedule", "schedule_steps"]


class SpatialSchedule:
    """Base of a spatial schedule (used through its class; it holds no state)."""

    #: whether the steps depend on the mask values (a learned or loaded mask may differ)
    reads_masks = False

    @staticmethod
    def masks(kernel_size: int, patch_size: int) -> list[Tensor]:
        """The context kernels' masks; step ``kernel`` ``k`` uses ``masks[k]``."""
        raise NotImplementedError

    @staticmethod
    def steps(H: int, W: int, masks: list[Tensor], patch_size: int) -> list[Step]:
        raise NotImplementedError


@SPATIAL_SCHEDULES.register("raster", taxonomy=["sequential"], papers=["minnen2018-joint"],
                            description="Causal raster mask, decoded by wavefront t = a*i + j")
class Raster(SpatialSchedule):
    """Minnen et al. 2018 (``minnen2018-joint``): a type-A raster mask; decoded by the
    smallest wavefront slope the mask allows (:func:`~lic_bench.context.schedule.wavefront_slope`)."""

    reads_masks = True

    @staticmethod
    def masks(kernel_size: int, patch_size: int) -> list[Tensor]:
        return [raster_mask(kernel_size)]

    @staticmethod
    def steps(H: int, W: int, masks: list[Tensor], patch_size: int) -> list[Step]:
        return wavefront_steps(H, W, masks[0])


@SPATIAL_SCHEDULES.register("checkerboard", taxonomy=["checkerboard"], papers=["he2021-checkerboard"],
                            description="Anchors with no context, then every non-anchor at once")
class Checkerboard(SpatialSchedule):
    """He et al. 2021 (``he2021-checkerboard``): two steps."""

    @staticmethod
    def masks(kernel_size: int, patch_size: int) -> list[Tensor]:
        return [checkerboard_mask(kernel_size)]

    @staticmethod
    def steps(H: int, W: int, masks: list[Tensor], patch_size: int) -> list[Step]:
        return checkerboard_steps(H, W)


@SPATIAL_SCHEDULES.register("patch-parallel", taxonomy=["parallel-decoding"], papers=["uludag2022-deep"],
                            description="p x p patches, one in-patch index per step (p*p steps)")
class PatchParallel(SpatialSchedule):
    """Uludağ 2022 (``uludag2022-deep``, §4.3): one kernel per in-patch index."""

    @staticmethod
    def masks(kernel_size: int, patch_size: int) -> list[Tensor]:
        return [patch_mask(patch_size, kernel_size, index) for index in range(patch_size * patch_size)]

    @staticmethod
    def steps(H: int, W: int, masks: list[Tensor], patch_size: int) -> list[Step]:
        return patch_steps(H, W, patch_size)


@SPATIAL_SCHEDULES.register("single-step", taxonomy=["channel-wise"], papers=["minnen2020-channel-wise"],
                            description="Every position at once, no spatial context")
class SingleStep(SpatialSchedule):
    """No spatial context: within a channel slice of Minnen & Singh 2020
    (``minnen2020-channel-wise``) every position is coded in one step."""

    @staticmethod
    def masks(kernel_size: int, patch_size: int) -> list[Tensor]:
        return []

    @staticmethod
    def steps(H: int, W: int, masks: list[Tensor], patch_size: int) -> list[Step]:
        return single_step(H, W)


def schedule_steps(name: str, H: int, W: int, masks: list[Tensor], patch_size: int = 2) -> list[Step]:
    """The steps of schedule ``name`` (cached: the same list object for the same arguments)."""
    schedule = SPATIAL_SCHEDULES.get(name)
    key = tuple(tuple(map(tuple, m.cpu().tolist())) for m in masks) if schedule.reads_masks else ()
    return _steps(name, H, W, int(patch_size), key)


@functools.lru_cache(maxsize=64)
def _steps(name: str, H: int, W: int, patch_size: int, key: tuple) -> list[Step]:
    masks = [torch.tensor(m) for m in key]
    return SPATIAL_SCHEDULES.get(name).steps(H, W, masks, patch_size)
