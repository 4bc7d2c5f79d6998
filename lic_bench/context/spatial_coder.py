"""Position-major coding of one latent with a spatial context and a mean-scale hyperprior.

This is the coder behind ``mbt2018`` and ``he2021-checkerboard``
(:mod:`lic_bench.context.joint`). It runs the same schedule as
:func:`lic_bench.context.coding.code_latent` but is laid out for the small,
latency-bound steps of a wavefront (about 11 positions each on a 32x48 latent):

* the latent is kept position-major, ``(H+2P) * (W+2P)`` rows of ``M`` channels, so
  a step's context taps are one ``index_select`` whose result is already the GEMM
  operand, and its decoded values go back with one ``index_copy_``;
* the hyper parameters' share of the first entropy-parameter layer
  (``W1[:, :2M] @ params + b1``) does not depend on ŷ, so it is computed for the
  whole latent in one large GEMM before the loop; a step only adds
  ``W1[:, 2M:] @ ctx``;
* each layer is one ``addmm`` on an ``(n, channels)`` operand, activations in place.

The split of the first layer changes the summation order relative to
``entropy_parameters(cat(params, ctx))`` (the training path), i.e. the last bit of
a Gaussian parameter. That is harmless because the eval forward, ``compress`` and
``decompress`` all run this code: they agree bit for bit with each other.

Images of a batch are coded one after the other so that an image's stream does not
depend on what it was batched with (GEMM blocking may depend on the row count).
Symbols of a step are coded in ``(position, channel)`` row-major order.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from lic_bench.context.coding import SymbolCoder, coding_threads, memo, module_state
from lic_bench.context.masks import MaskedConv2d, mask_taps
from lic_bench.context.schedule import Step

__all__ = [
    "MLP",
    "ContextPlan",
    "code_positions",
    "context_plan",
    "position_major",
    "spatial_code",
]


class MLP:
    """An ``nn.Sequential`` of 1x1 convolutions and (leaky) ReLUs as ``addmm`` calls
    on position-major ``(n, C)`` operands; the first layer split at ``split`` input
    channels (``head``: the part applied before the loop)."""

    def __init__(self, seq: nn.Sequential, split: int):
        layers: list[list] = []
        for mod in seq:
            if isinstance(mod, nn.Conv2d) and mod.kernel_size == (1, 1):
                w = mod.weight.reshape(mod.out_channels, -1)
                b = mod.bias if mod.bias is not None else w.new_zeros(mod.out_channels)
                layers.append([w.t().contiguous(), b, None])
            elif isinstance(mod, nn.LeakyReLU | nn.ReLU) and layers:
                layers[-1][2] = mod.negative_slope if isinstance(mod, nn.LeakyReLU) else 0.0
            else:
                raise TypeError(f"entropy parameters: unsupported layer {type(mod).__name__}")
        (w1, b1, self.act1), *self.rest = layers
        self.head_w, self.head_b = w1[:split].contiguous(), b1
        self.ctx_w = w1[split:].contiguous()

    def head(self, params: Tensor) -> Tensor:
        """``(rows, split) -> (rows, hidden)``: the first layer's share of ``params``."""
        return torch.addmm(self.head_b, params, self.head_w)

    def tail(self, h: Tensor, ctx: Tensor | None) -> Tensor:
        """Finish the network from the head's rows ``h`` (updated in place) and ``ctx``."""
        if ctx is not None:
            h = h.addmm_(ctx, self.ctx_w)
        h = _act(h, self.act1)
        for w, b, slope in self.rest:
            h = _act(torch.addmm(b, h, w), slope)
        return h


def _act(h: Tensor, slope: float | None) -> Tensor:
    if slope is None:
        return h
    return torch.relu_(h) if slope == 0.0 else F.leaky_relu_(h, slope)


def position_major(t: Tensor) -> Tensor:
    """``(C, H, W) -> (H*W, C)``, contiguous."""
    return t.permute(1, 2, 0).reshape(-1, t.shape[0]).contiguous()


class ContextPlan:
    """A schedule's per-step indexes into the flat and the padded position-major
    latent, and each context kernel as a ``(T*C_in, C_out)`` matrix over its taps."""

    def __init__(self, steps: list[Step], convs: list[MaskedConv2d], W: int):
        self.steps = steps  # held so that its id, part of the cache key, is not reused
        self.pad = P = max((c.kernel_size[0] // 2 for c in convs), default=0)
        Wp = W + 2 * P
        self.kernels, offsets = [], []
        for conv in convs:
            dy, dx = mask_taps(conv.mask2d)
            k = conv.kernel_size[0] // 2
            w = conv.weight[:, :, dy + k, dx + k]  # (C_out, C_in, T)
            bias = conv.bias if conv.bias is not None else w.new_zeros(w.shape[0])
            self.kernels.append((w.permute(2, 1, 0).reshape(-1, w.shape[0]).contiguous(), bias))
            offsets.append(dy * Wp + dx)
        self.out_channels = convs[0].out_channels if convs else 0
        self.items = []
        for s in steps:
            pos = s.rows * W + s.cols
            padded = (s.rows + P) * Wp + (s.cols + P)
            taps = None
            if s.kernel >= 0:
                taps = (padded[:, None] + offsets[s.kernel][None, :]).reshape(-1)
            self.items.append((pos, padded, taps, s.kernel))

    def context(self, y_pad: Tensor, pos: Tensor, taps: Tensor | None, kernel: int) -> Tensor | None:
        """``(n, C_out)`` context of a step's positions (None: no spatial context)."""
        if kernel < 0:
            return None
        w, b = self.kernels[kernel]
        if taps.numel() == 0:
            return b.expand(pos.numel(), -1).clone()
        return torch.addmm(b, y_pad.index_select(0, taps).view(pos.numel(), -1), w)


def context_plan(steps: list[Step], convs: list[MaskedConv2d], W: int) -> ContextPlan:
    """The :class:`ContextPlan`, cached on the first kernel until weights or schedule
    change (not cached without kernels: then it is a handful of index tensors)."""
    if not convs:
        return ContextPlan(steps, [], W)
    key = (id(steps), W, *(module_state(c) for c in convs))
    return memo(convs[0], "plan", key, lambda: ContextPlan(steps, list(convs), W))


#: ``(image index, step positions (n,), context (n, C_ctx) or None) -> (scales, means)``
ParamsAt = Callable[[int, Tensor, Tensor | None], tuple[Tensor, Tensor]]


def code_positions(
    y: Tensor | None,
    shape: tuple[int, int, int, int],
    plan: ContextPlan,
    params_at: ParamsAt,
    coder: SymbolCoder,
    offset: Tensor | None = None,
    like: Tensor | None = None,
) -> dict[str, Tensor]:
    """Run ``plan``'s schedule over a ``(B, C, H, W)`` latent, image by image.

    Returns ``{"y_hat"}``, plus ``"y_rate"``, ``"scales"`` and ``"means"`` when
    quantizing (the eval forward needs them for the likelihoods), all ``(B, C, H, W)``.
    Callers hold :func:`coding_threads`.
    """
    B, C, H, W = shape
    like = y if y is not None else like
    keep = coder.mode == "quantize"
    out: dict[str, list[Tensor]] = {"y_hat": [], "y_rate": [], "scales": [], "means": []}
    for b in range(B):
        res = _code_image(
            b,
            None if y is None else position_major(y[b]),
            None if offset is None else position_major(offset[b]),
            plan, params_at, coder, like, C, H, W, keep,
        )
        for key, val in res.items():
            out[key].append(val.reshape(H, W, C).permute(2, 0, 1))
    return {k: torch.stack(v).contiguous() for k, v in out.items() if v}


def _code_image(b, y, offset, plan, params_at, coder, like, C, H, W, keep) -> dict[str, Tensor]:
    P = plan.pad
    Wp = W + 2 * P
    y_pad = like.new_zeros((H + 2 * P) * Wp, C)
    kept = {k: like.new_empty(H * W, C) for k in ("y_rate", "scales", "means")} if keep else {}
    for pos, padded, taps, kernel in plan.items:
        scales, means = params_at(b, pos, plan.context(y_pad, pos, taps, kernel))
        y_s = None if y is None else y.index_select(0, pos)
        d_s = None if offset is None else offset.index_select(0, pos)
        y_hat, y_rate = coder.image(b, y_s, scales, means, d_s)
        y_pad.index_copy_(0, padded, y_hat)
        if keep:
            for key, val in (("y_rate", y_rate), ("scales", scales), ("means", means)):
                kept[key].index_copy_(0, pos, val)
    y_hat = y_pad.view(H + 2 * P, Wp, C)[P : P + H, P : P + W].reshape(H * W, C)
    return {"y_hat": y_hat, **kept}


def spatial_code(
    y: Tensor | None,
    params: Tensor,
    conv: MaskedConv2d,
    ep: nn.Sequential,
    coder: SymbolCoder,
    steps: list[Step],
    offset: Tensor | None = None,
) -> dict[str, Tensor]:
    """``mbt2018`` / checkerboard: code ``y`` (``(B, M, H, W)``) under the hyper ``params``
    (2M) with one entropy-parameter network whose output is ``(scales, means)``."""
    B, C2, H, W = params.shape
    M = conv.in_channels
    with coding_threads():
        plan = context_plan(steps, [conv], W)
        mlp = memo(ep, "mlp", (C2, module_state(ep)), lambda: MLP(ep, split=C2))
        heads = [mlp.head(position_major(params[b])) for b in range(B)]

        def params_at(b: int, pos: Tensor, ctx: Tensor | None) -> tuple[Tensor, Tensor]:
            scales, means = mlp.tail(heads[b].index_select(0, pos), ctx).split(M, dim=1)
            return scales, means

        return code_positions(y, (B, M, H, W), plan, params_at, coder, offset, like=params)
