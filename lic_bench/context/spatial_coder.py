"""Position-major coding of a latent under a context model: the engine behind every
context model's eval forward, ``compress`` and ``decompress``.

:func:`code_positions` runs a schedule (:mod:`lic_bench.context.schedule`) step by
step; at each step it computes the spatial context only at the step's positions,
asks the model for their Gaussian parameters and codes all their symbols with one
call of the :class:`~lic_bench.context.coding.SymbolCoder`. It is laid out for small,
latency-bound steps (a ``mbt2018`` wavefront step holds about 11 positions of a 32x48
latent):

* the latent is kept position-major, ``(H+2P) * (W+2P)`` rows of ``C`` channels, so
  a step's context taps are one ``index_select`` whose result is already the GEMM
  operand (:class:`ContextPlan`), and its decoded values go back with one
  ``index_copy_``;
* an entropy-parameter network's first layer is split (:class:`MLP`): its share of
  the inputs known before the loop (hyper parameters, channel context) is one large
  GEMM over the whole latent, and a step only adds the spatial context's share;
* each layer is one ``addmm`` on an ``(n, channels)`` operand, activations in place.

The split changes the summation order relative to ``net(cat(maps, ctx))`` (the
training path), i.e. the last bit of a Gaussian parameter. That is harmless because
the eval forward, ``compress`` and ``decompress`` all run this code and agree bit
for bit with each other.

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
    """A per-position network (``nn.Sequential`` starting with a 1x1 convolution) on
    position-major ``(n, C)`` rows, its first layer split at ``split`` input channels:
    :meth:`head` applies the first ``split`` columns before the loop, :meth:`tail`
    adds the rest from the context and runs the remaining layers."""

    def __init__(self, seq: nn.Sequential, split: int):
        layers = list(seq)
        if not layers or not _is_pointwise(layers[0]):
            raise TypeError("an entropy-parameter network must start with a 1x1 convolution")
        w1, b1 = _linear(layers[0])
        self.head_w, self.head_b = w1[:split].contiguous(), b1
        self.ctx_w = w1[split:].contiguous()
        self.ops = [_row_op(m) for m in layers[1:]]

    def head(self, params: Tensor) -> Tensor:
        """``(rows, split) -> (rows, hidden)``: the first layer's share of ``params``."""
        return torch.addmm(self.head_b, params, self.head_w)

    def tail(self, h: Tensor, ctx: Tensor | None) -> Tensor:
        """Finish the network from the head's rows ``h`` (updated in place) and ``ctx``."""
        if ctx is not None:
            h = h.addmm_(ctx, self.ctx_w)
        for op in self.ops:
            h = op(h)
        return h


def _is_pointwise(mod: nn.Module) -> bool:
    return isinstance(mod, nn.Conv2d) and mod.kernel_size == (1, 1) and mod.groups == 1


def _linear(mod: nn.Conv2d) -> tuple[Tensor, Tensor]:
    """A 1x1 convolution as ``(W^T (C_in, C_out), b)`` for ``addmm``."""
    w = mod.weight.reshape(mod.out_channels, -1)
    b = mod.bias if mod.bias is not None else w.new_zeros(mod.out_channels)
    return w.t().contiguous(), b


def _row_op(mod: nn.Module) -> Callable[[Tensor], Tensor]:
    """One layer as a function of ``(n, C)`` rows."""
    if _is_pointwise(mod):
        w, b = _linear(mod)
        return lambda h: torch.addmm(b, h, w)
    if type(mod) is nn.ReLU:
        return torch.relu_
    if type(mod) is nn.LeakyReLU:
        slope = mod.negative_slope
        return lambda h: F.leaky_relu_(h, slope)
    # any other per-position layer (GELU, GDN, ...): rows as 1x1 images
    return lambda h: mod(h[:, :, None, None]).flatten(1)


def position_major(t: Tensor) -> Tensor:
    """``(C, H, W) -> (H*W, C)``, contiguous."""
    return t.permute(1, 2, 0).reshape(-1, t.shape[0]).contiguous()


class ContextPlan:
    """A schedule's per-step indexes into the flat and the padded position-major
    latent, and each context kernel as a ``(T*C_in, C_out)`` matrix over its taps."""

    def __init__(self, steps: list[Step], convs: list[MaskedConv2d], W: int, device=None):
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

        def to(t: Tensor) -> Tensor:  # schedules are built on the CPU
            return t if device is None else t.to(device)

        for s in steps:
            pos = s.rows * W + s.cols
            padded = (s.rows + P) * Wp + (s.cols + P)
            taps = None
            if s.kernel >= 0:
                taps = (padded[:, None] + offsets[s.kernel][None, :]).reshape(-1)
            self.items.append((to(pos), to(padded), None if taps is None else to(taps), s.kernel))

    def context(self, y_pad: Tensor, pos: Tensor, taps: Tensor | None, kernel: int) -> Tensor | None:
        """``(n, C_out)`` context of a step's positions (None: no spatial context)."""
        if kernel < 0:
            return None
        w, b = self.kernels[kernel]
        if taps.numel() == 0:
            return b.expand(pos.numel(), -1).clone()
        return torch.addmm(b, y_pad.index_select(0, taps).view(pos.numel(), -1), w)


def context_plan(steps: list[Step], convs: list[MaskedConv2d], W: int, device=None) -> ContextPlan:
    """The :class:`ContextPlan` with its indexes on ``device`` (default: the kernels'),
    cached on the first kernel until weights or schedule change (not cached without
    kernels: then it is a handful of index tensors)."""
    if not convs:
        return ContextPlan(steps, [], W, device)
    device = device if device is not None else convs[0].weight.device
    key = (id(steps), W, str(device), *(module_state(c) for c in convs))
    return memo(convs[0], "plan", key, lambda: ContextPlan(steps, list(convs), W, device))


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
