"""Spatial schedules are a registered kind that both context codecs take by id.

Every registered schedule decodes each position once, after every position its context
kernels read; the channel context codec round-trips with any of them; a context codec
codes its elements with the codec it is given (CompressAI's ``latent_codec={"y": ...}``).
"""

from __future__ import annotations

import pytest
import torch

from lic_bench.context import check_schedule, schedule_steps
from lic_bench.latent_codecs import (
    ChannelSliceCodec,
    ChannelSpatialContext,
    GaussianConditionalCodec,
    JointContext,
    SpatialSliceCodec,
)
from lic_bench.quantizers import get_quantizer
from lic_bench.registry import SPATIAL_SCHEDULES, load_all

load_all()
NAMES = SPATIAL_SCHEDULES.list()


def test_the_four_schedules_are_registered():
    assert {"raster", "checkerboard", "patch-parallel", "single-step"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("patch", [2, 3])
def test_every_schedule_is_causal(name, patch):
    masks = SPATIAL_SCHEDULES.get(name).masks(5, patch)
    steps = schedule_steps(name, 7, 9, masks, patch)
    check_schedule(steps, masks, 7, 9)
    assert schedule_steps(name, 7, 9, masks, patch) is steps  # cached


@pytest.mark.parametrize("name", NAMES)
def test_channel_context_round_trips_with_any_schedule(name):
    torch.manual_seed(0)
    ctx = ChannelSpatialContext(M=6, num_slices=2, schedule=name, widths=(8,)).eval()
    ctx.gaussian_conditional.update_scale_table(torch.exp(torch.linspace(-2.2, 5.5, 64)).tolist(), force=True)
    y = 3 * torch.randn(1, 6, 5, 6)
    hyper = (torch.randn(1, 6, 5, 6), torch.randn(1, 6, 5, 6).abs() + 1)
    with torch.no_grad():
        ref = ctx(y, hyper)["y_hat"]
        y_hat = ctx.decompress(ctx.compress(y, hyper)["strings"], hyper)["y_hat"]
    assert torch.equal(y_hat, ref)
    # the slice codec is chosen once, by whether the schedule has context kernels
    kernels = len(SPATIAL_SCHEDULES.get(name).masks(5, 2))
    assert all(isinstance(s, SpatialSliceCodec if kernels else ChannelSliceCodec) for s in ctx.slices)
    assert len(ctx.slices[0].kernels) == kernels


def test_a_schedule_with_several_kernels_is_refused_by_the_one_kernel_codec():
    with pytest.raises(ValueError, match="one"):
        JointContext(M=4, schedule="patch-parallel")


def test_the_context_codes_with_the_element_codec_it_is_given():
    q = get_quantizer("additive-uniform-noise")
    elements = GaussianConditionalCodec(q, mean_scale=True)
    ctx = JointContext(M=4, schedule="checkerboard", quantizer=q, y_codec=elements)
    assert ctx.gaussian_conditional is elements.gaussian_conditional
    assert any(k.startswith("y_codec.gaussian_conditional.") for k in ctx.state_dict())
