"""The decoding schedules respect the causal masks: every context tap of every
position was decoded at an earlier step (the wavefront proof, checked exhaustively)."""

from __future__ import annotations

import pytest
import torch

from lic_bench.context.masks import MaskedConv2d, checkerboard_mask, patch_mask, raster_mask
from lic_bench.context.schedule import (
    _grid,
    _group,
    check_schedule,
    checkerboard_steps,
    patch_steps,
    wavefront_slope,
    wavefront_steps,
)
from lic_bench.context.spatial_coder import ContextPlan

SIZES = [(1, 1), (1, 9), (9, 1), (5, 7), (8, 12), (13, 6)]


def test_raster_mask_is_minnen_type_a():
    m = raster_mask(5)
    assert int(m.sum()) == 12 and not m[2, 2] and m[2, 1] and m[1, 4] and not m[3, 0]
    assert wavefront_slope(m) == 3  # the tap (dy, dx) = (-1, +2) forces a > 2
    assert wavefront_slope(raster_mask(7)) == 4
    assert wavefront_slope(raster_mask(3)) == 2


@pytest.mark.parametrize("H,W", SIZES)
def test_wavefront_respects_the_5x5_mask(H, W):
    steps = wavefront_steps(H, W, raster_mask(5))
    check_schedule(steps, [raster_mask(5)], H, W)
    # every t in [0, 3(H-1) + W) holds a position once rows are at least 3 wide
    assert len(steps) == (3 * (H - 1) + W if W >= 3 else H * W)
    for s in steps:  # t = 3i + j on every position of the step
        assert torch.unique(3 * s.rows + s.cols).numel() == 1


@pytest.mark.parametrize("k", [3, 7])
def test_wavefront_of_other_kernel_sizes(k):
    check_schedule(wavefront_steps(9, 11, raster_mask(k)), [raster_mask(k)], 9, 11)


def test_a_too_steep_wavefront_is_caught():
    """t = 2i + j would decode (i, j) together with its tap (i-1, j+2): must fail."""
    ii, jj = _grid(6, 8)
    with pytest.raises(AssertionError, match="reads a tap"):
        check_schedule(_group(ii, jj, 2 * ii + jj), [raster_mask(5)], 6, 8)


@pytest.mark.parametrize("H,W", SIZES)
def test_checkerboard_two_passes(H, W):
    steps = checkerboard_steps(H, W)
    check_schedule(steps, [checkerboard_mask(5)], H, W)
    assert len(steps) == min(2, H * W)
    assert steps[-1].kernel == (0 if H * W > 1 else -1) and steps[0].kernel == -1
    assert bool(((steps[0].rows + steps[0].cols) % 2 == 0).all())


@pytest.mark.parametrize("p,k", [(2, 5), (3, 5), (4, 7)])
@pytest.mark.parametrize("H,W", [(5, 7), (8, 12)])
def test_patch_steps_respect_their_masks(p, k, H, W):
    steps = patch_steps(H, W, p)
    masks = [patch_mask(p, k, i) for i in range(p * p)]
    check_schedule(steps, masks, H, W)
    assert len(steps) <= p * p
    assert int(masks[0].sum()) == 0  # the first index has no spatial context
    # the last index sees every neighbour but itself
    assert int(masks[-1].sum()) == k * k - int(sum(1 for d in range(-(k // 2), k // 2 + 1)
                                                  for e in range(-(k // 2), k // 2 + 1)
                                                  if d % p == 0 and e % p == 0))


def test_patch_schedule_with_a_raster_mask_is_caught():
    with pytest.raises(AssertionError):
        check_schedule(patch_steps(6, 6, 2), [raster_mask(5)] * 4, 6, 6)


@pytest.mark.parametrize("mask", [raster_mask(5), checkerboard_mask(5), patch_mask(3, 5, 5)])
def test_gathered_context_equals_the_dense_masked_conv(mask):
    torch.manual_seed(0)
    conv = MaskedConv2d(6, 10, 5, mask=mask)
    y = torch.randn(1, 6, 7, 9)
    dense = conv(y)
    steps = wavefront_steps(7, 9, raster_mask(5))
    plan = ContextPlan(steps, [conv], 9)
    y_pad = torch.nn.functional.pad(y, (2, 2, 2, 2))[0].permute(1, 2, 0).reshape(-1, 6)
    pos, _, taps, kernel = plan.items[12]
    with torch.no_grad():
        got = plan.context(y_pad, pos, taps, kernel)
    step = steps[12]
    torch.testing.assert_close(got.t(), dense[0][:, step.rows, step.cols], rtol=1e-5, atol=1e-5)
