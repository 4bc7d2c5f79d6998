"""Fused divisive normalisation (GDN / IGDN / 1DN / GSDN) for inference.

Two reference implementations are mirrored exactly, operation for operation:

* CompressAI's ``GDN`` (Ballé, Laparra, Simoncelli 2016, ``balle2016-density``):
  ``x * rsqrt(conv1x1(x², gamma, beta))`` (``sqrt`` for the inverse);
* lic-bench's ``DivisiveNormalization`` (``lic_bench.layers.normalization``):
  the channel mix as a matrix product plus bias, then ``x / root`` (``x * root``
  for the inverse), with optional |x|^alpha, root^epsilon and mean.

Savings: beta and gamma are re-parameterised once instead of on every call;
``x²``, the mix and the root go into buffers reused from call to call; the
result is multiplied into the input in place when the pipeline owns it. A
``channels_last`` input is mixed as ``X·Wᵀ`` over (pixels × channels), which
MKL's GEMM computes with the same sums as ``W·X`` (checked in the tests).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

__all__ = ["Buffers", "fused_normalization"]

_CL = torch.channels_last


class Buffers:
    """Grow-only scratch buffers, one per role, viewed to the needed shape.

    One set serves every layer of a codec: each layer is done with its scratch
    before the next one starts, and no layer returns a scratch tensor.
    """

    def __init__(self) -> None:
        self._flat: dict[str, Tensor] = {}

    def get(self, role: str, like: Tensor, shape: tuple[int, ...]) -> Tensor:
        n = 1
        for s in shape:
            n *= s
        buf = self._flat.get(role)
        if (buf is None or buf.numel() < n or buf.dtype != like.dtype or buf.device != like.device
                or buf.is_inference()):
            # a normal tensor even when first called under inference_mode: later calls
            # outside it write into the same buffer
            with torch.inference_mode(False):
                buf = torch.empty(n, dtype=like.dtype, device=like.device)
            self._flat[role] = buf
        return buf[:n].view(shape)

    def nbytes(self) -> int:
        """Memory held between calls (counted in the benchmark's peak memory)."""
        return sum(b.numel() * b.element_size() for b in self._flat.values())

    def like(self, role: str, x: Tensor) -> Tensor:
        """A scratch tensor with ``x``'s shape and memory layout (NCHW or channels_last)."""
        if x.is_contiguous(memory_format=_CL) and not x.is_contiguous():
            b, c, h, w = x.shape
            return self.get(role, x, (b, h, w, c)).permute(0, 3, 1, 2)
        return self.get(role, x, tuple(x.shape))


def _is_compressai_gdn(module: nn.Module) -> bool:
    from compressai.layers import GDN, GDN1

    return type(module) is GDN or type(module) is GDN1


def _is_ours(module: nn.Module) -> bool:
    try:
        from lic_bench.layers.normalization import DivisiveNormalization
    except ImportError:  # pragma: no cover - the layer package is optional here
        return False
    return type(module) is DivisiveNormalization


def fused_normalization(module: nn.Module, buffers: Buffers | None = None):
    """A fused step for ``module``, or None when it is not a known normalisation."""
    buffers = buffers if buffers is not None else Buffers()
    if _is_compressai_gdn(module):
        return _CompressAIGDN(module, buffers)
    if _is_ours(module):
        return _OurNormalization(module, buffers)
    return None


class _CompressAIGDN:
    def __init__(self, module: nn.Module, buffers: Buffers):
        from compressai.layers import GDN1

        with torch.no_grad():
            beta = module.beta_reparam(module.beta).detach().clone()
            gamma = module.gamma_reparam(module.gamma).detach().clone()
        c = gamma.shape[0]
        self.beta, self.gamma = beta, gamma.reshape(c, c, 1, 1)
        self.inverse = bool(module.inverse)
        self.simplified = type(module) is GDN1
        self.buffers = buffers

    def __call__(self, x: Tensor, owned: bool) -> tuple[Tensor, bool]:
        if self.simplified:  # GDN1: x * (1 / conv(|x|)), or x * conv(|x|) for the inverse
            norm = F.conv2d(torch.abs(x), self.gamma, self.beta)
            if not self.inverse:
                norm = 1.0 / norm
        else:
            sq = torch.mul(x, x, out=self.buffers.like("sq", x))
            norm = F.conv2d(sq, self.gamma, self.beta)
            norm = norm.sqrt_() if self.inverse else norm.rsqrt_()
        if owned:
            return x.mul_(norm), True
        return x * norm, True


class _OurNormalization:
    def __init__(self, module: nn.Module, buffers: Buffers):
        with torch.no_grad():
            self.beta = module.beta_reparam(module.beta).detach().clone()
            self.gamma = module.gamma_reparam(module.gamma).detach().clone()
            self.mean = module.mean.detach().clone().reshape(1, -1, 1, 1) if module.has_mean else None
        self.gamma_t = self.gamma.t()
        self.inverse = bool(module.inverse)
        self.alpha, self.epsilon = module.alpha, module.epsilon
        self.buffers = buffers

    def _power(self, x: Tensor, out: Tensor) -> Tensor:
        if self.alpha == 2.0:
            return torch.mul(x, x, out=out)
        if self.alpha == 1.0:
            return torch.abs(x, out=out)
        return torch.pow(torch.abs(x, out=out), self.alpha, out=out)

    def _root_(self, norm: Tensor) -> Tensor:
        if self.epsilon == 0.5:
            return norm.sqrt_()
        if self.epsilon == 1.0:
            return norm
        return norm.pow_(self.epsilon)

    def _mix(self, p: Tensor) -> Tensor:
        """``pointwise(p, gamma, beta)`` of lic_bench.layers.conv, layout kept."""
        b, c, h, w = p.shape
        if p.is_contiguous(memory_format=_CL) and not p.is_contiguous():
            rows = p.permute(0, 2, 3, 1).reshape(b, h * w, c)
            out = self.buffers.get("mix", p, (b, h * w, c))
            torch.matmul(rows, self.gamma_t, out=out)
            out.add_(self.beta)
            return out.view(b, h, w, c).permute(0, 3, 1, 2)
        out = self.buffers.get("mix", p, (b, c, h * w))
        torch.matmul(self.gamma, p.reshape(b, c, h * w), out=out)
        out.add_(self.beta.reshape(1, -1, 1))
        return out.view(b, c, h, w)

    def __call__(self, x: Tensor, owned: bool) -> tuple[Tensor, bool]:
        if self.mean is not None and not self.inverse:
            x, owned = x - self.mean, True
        if not (x.is_contiguous(memory_format=_CL) or x.is_contiguous()):
            x, owned = x.contiguous(), True
        p = self.buffers.like("pow", x)
        norm = self._root_(self._mix(self._power(x, p)))
        if self.inverse:
            out = x.mul_(norm) if owned else x * norm
            return (out.add_(self.mean) if self.mean is not None else out), True
        return (x.div_(norm) if owned else x / norm), True
