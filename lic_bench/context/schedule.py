"""Decoding schedules: which latent positions are decoded together, step by step.

A schedule is a list of :class:`Step`; every position of an ``H x W`` latent is in
exactly one step, and a step's positions may be decoded at once when each of their
context taps points at a position decoded in an earlier step (or outside the latent).
:func:`check_schedule` verifies exactly that.

Wavefront for a causal raster mask
----------------------------------
With the 5x5 type-A mask, ``(i, j)`` reads ``(i, j-1)``, ``(i, j-2)`` and rows
``i-1``, ``i-2`` at columns ``j-2 .. j+2``. Give ``(i, j)`` the step ``t = a*i + j``.
A tap ``(dy, dx)`` lands on step ``t + a*dy + dx``, which is earlier iff
``a*dy + dx < 0``: for ``dy = 0`` that is ``dx < 0`` (true for the mask), for
``dy < 0`` it is ``a > dx / |dy|``, whose worst case is ``dx = 2, dy = -1``. So
``a = 3`` is the smallest valid slope and ``t = 3i + j`` gives ``3(H-1) + W``
steps instead of ``H*W`` (141 instead of 1536 for a 32x48 latent).
:func:`wavefront_slope` derives ``a`` from any causal mask the same way.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import Tensor

from lic_bench.context.masks import mask_taps, patch_index

__all__ = [
    "Step",
    "check_schedule",
    "checkerboard_steps",
    "kernel_map",
    "patch_steps",
    "single_step",
    "wavefront_slope",
    "wavefront_steps",
]


class Step(NamedTuple):
    """Positions ``(rows[n], cols[n])`` decoded together; ``kernel`` indexes the context
    kernel that predicts them (``-1``: no spatial context)."""

    rows: Tensor
    cols: Tensor
    kernel: int


def _grid(H: int, W: int) -> tuple[Tensor, Tensor]:
    ii, jj = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
    return ii.reshape(-1), jj.reshape(-1)


def _group(ii: Tensor, jj: Tensor, key: Tensor, kernel_of=lambda k: 0) -> list[Step]:
    order = torch.argsort(key, stable=True)  # stable: raster order inside a step
    ii, jj, key = ii[order], jj[order], key[order]
    values, counts = torch.unique_consecutive(key, return_counts=True)
    steps, start = [], 0
    for v, n in zip(values.tolist(), counts.tolist(), strict=True):
        steps.append(Step(ii[start : start + n], jj[start : start + n], kernel_of(v)))
        start += n
    return steps


def wavefront_slope(mask: Tensor) -> int:
    """Smallest ``a`` such that ``t = a*i + j`` orders every tap of ``mask`` before the centre."""
    dy, dx = mask_taps(mask)
    if bool((dy > 0).any()) or bool(((dy == 0) & (dx >= 0)).any()):
        raise ValueError("mask is not causal in raster order")
    up = dy < 0
    if not bool(up.any()):
        return 1
    return max(1, max(math.floor(x / -y) + 1 for x, y in zip(dx[up].tolist(), dy[up].tolist(), strict=True)))


def wavefront_steps(H: int, W: int, mask: Tensor) -> list[Step]:
    """Anti-diagonal wavefront ``t = a*i + j`` for a causal raster mask (kernel 0)."""
    a = wavefront_slope(mask)
    ii, jj = _grid(H, W)
    return _group(ii, jj, a * ii + jj)


def checkerboard_steps(H: int, W: int) -> list[Step]:
    """Anchors (``(i + j)`` even, no spatial context), then non-anchors (kernel 0)."""
    ii, jj = _grid(H, W)
    return _group(ii, jj, (ii + jj) % 2, kernel_of=lambda k: -1 if k == 0 else 0)


def patch_steps(H: int, W: int, p: int) -> list[Step]:
    """``p*p`` steps: step ``k`` holds every position with in-patch index ``k`` (kernel k)."""
    ii, jj = _grid(H, W)
    return _group(ii, jj, patch_index(ii, jj, p), kernel_of=lambda k: k)


def single_step(H: int, W: int) -> list[Step]:
    """Everything at once, no spatial context (channel-wise models within a slice)."""
    ii, jj = _grid(H, W)
    return [Step(ii, jj, -1)]


def kernel_map(steps: list[Step], H: int, W: int) -> Tensor:
    """``(H, W)`` map of the kernel index each position is predicted with."""
    out = torch.full((H, W), -2, dtype=torch.long)
    for s in steps:
        out[s.rows, s.cols] = s.kernel
    return out


def check_schedule(steps: list[Step], masks: list[Tensor], H: int, W: int) -> None:
    """Raise ``AssertionError`` unless every position is decoded exactly once and every
    context tap of every position points at a position decoded at an earlier step."""
    when = torch.full((H, W), -1, dtype=torch.long)
    for t, s in enumerate(steps):
        if bool((when[s.rows, s.cols] >= 0).any()):
            raise AssertionError(f"step {t} decodes a position twice")
        when[s.rows, s.cols] = t
    if bool((when < 0).any()):
        raise AssertionError(f"{int((when < 0).sum())} positions are never decoded")
    for t, s in enumerate(steps):
        if s.kernel < 0:
            continue
        dy, dx = mask_taps(masks[s.kernel])
        ni = s.rows[:, None] + dy[None, :]
        nj = s.cols[:, None] + dx[None, :]
        inside = (ni >= 0) & (ni < H) & (nj >= 0) & (nj < W)
        dep = when[ni.clamp(0, H - 1), nj.clamp(0, W - 1)]
        bad = inside & (dep >= t)
        if bool(bad.any()):
            k = int(torch.nonzero(bad)[0, 0])
            raise AssertionError(
                f"step {t}: position ({int(s.rows[k])}, {int(s.cols[k])}) reads a tap "
                f"decoded at step {int(dep[bad][0])}"
            )
