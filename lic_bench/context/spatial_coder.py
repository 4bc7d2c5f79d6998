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

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from lic_bench.context.coding import SymbolCoder, coding_threads
from lic_bench.context.masks import MaskedConv2d, mask_taps
from lic_bench.context.schedule import Step

__all__ = ["MLP", "spatial_code"]


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


def _position_major(t: Tensor) -> Tensor:
    """``(C, H, W) -> (H*W, C)``, contiguous."""
    return t.permute(1, 2, 0).reshape(-1, t.shape[0]).contiguous()


class _Plan:
    """Per-step indexes into the flat and the padded latent, built once per call."""

    def __init__(self, steps: list[Step], conv: MaskedConv2d, W: int):
        k = conv.kernel_size[0]
        self.pad = P = k // 2
        Wp = W + 2 * P
        dy, dx = mask_taps(conv.mask2d)
        w = conv.weight[:, :, dy + P, dx + P]  # (C_out, C_in, T)
        self.ctx_w = w.permute(2, 1, 0).reshape(-1, w.shape[0]).contiguous()  # (T*C_in, C_out)
        self.ctx_b = conv.bias if conv.bias is not None else w.new_zeros(w.shape[0])
        offsets = dy * Wp + dx
        self.items = []
        for s in steps:
            pos = s.rows * W + s.cols
            padded = (s.rows + P) * Wp + (s.cols + P)
            taps = (padded[:, None] + offsets[None, :]).reshape(-1) if s.kernel >= 0 else None
            self.items.append((pos, padded, taps))


def spatial_code(
    y: Tensor | None,
    params: Tensor,
    conv: MaskedConv2d,
    ep: nn.Sequential,
    coder: SymbolCoder,
    steps: list[Step],
    offset: Tensor | None = None,
) -> dict[str, Tensor]:
    """Quantize, encode or decode ``y`` (``(B, M, H, W)``) under the hyper ``params`` (2M).

    Returns ``{"y_hat"}``, plus ``"y_rate"``, ``"scales"`` and ``"means"`` when
    quantizing (the eval forward needs them for the likelihoods), all ``(B, M, H, W)``.
    """
    B, C2, H, W = params.shape
    M = conv.in_channels
    with coding_threads():
        plan = _Plan(steps, conv, W)
        mlp = MLP(ep, split=C2)
        keep = coder.mode == "quantize"
        out: dict[str, list[Tensor]] = {"y_hat": [], "y_rate": [], "scales": [], "means": []}
        for b in range(B):
            res = _code_image(
                b,
                None if y is None else _position_major(y[b]),
                mlp.head(_position_major(params[b])),
                None if offset is None else _position_major(offset[b]),
                plan, mlp, coder, M, H, W, keep,
            )
            for key, val in res.items():
                out[key].append(val.reshape(H, W, M).permute(2, 0, 1))
    return {k: torch.stack(v).contiguous() for k, v in out.items() if v}


def _code_image(b, y, head, offset, plan, mlp, coder, M, H, W, keep) -> dict[str, Tensor]:
    P = plan.pad
    y_pad = head.new_zeros((H + 2 * P) * (W + 2 * P), M)
    rate = head.new_empty(H * W, M) if keep else None
    scales_all = head.new_empty(H * W, M) if keep else None
    means_all = head.new_empty(H * W, M) if keep else None
    for pos, padded, taps in plan.items:
        h = head.index_select(0, pos)
        ctx = None
        if taps is not None:
            gathered = y_pad.index_select(0, taps).view(pos.numel(), -1)
            ctx = torch.addmm(plan.ctx_b, gathered, plan.ctx_w)
        scales, means = mlp.tail(h, ctx).split(M, dim=1)
        y_s = None if y is None else y.index_select(0, pos)
        d_s = None if offset is None else offset.index_select(0, pos)
        y_hat, y_rate = coder.image(b, y_s, scales, means, d_s)
        y_pad.index_copy_(0, padded, y_hat)
        if keep:
            rate.index_copy_(0, pos, y_rate)
            scales_all.index_copy_(0, pos, scales)
            means_all.index_copy_(0, pos, means)
    Wp = W + 2 * P
    y_hat = y_pad.view(H + 2 * P, Wp, M)[P : P + H, P : P + W].reshape(H * W, M)
    res = {"y_hat": y_hat}
    if keep:
        res.update(y_rate=rate, scales=scales_all, means=means_all)
    return res
