"""Sequential transforms (g_a, g_s, h_a, h_s) run with the same arithmetic, faster.

Every step does exactly the floating-point operations of the module it
replaces, in the same order; only memory layout and buffer reuse change:

* ``ConvTranspose2d`` gets a ``channels_last`` input (oneDNN's direct kernel; the
  same sums in the same order as the NCHW path, checked bit for bit in
  ``tests/bench/test_fastpath.py``);
* ``Conv2d`` keeps an NCHW-contiguous input: its ``channels_last`` kernel
  accumulates in another order and differs in the last bit;
* divisive normalisation is fused (:mod:`lic_bench.fastpath.gdn`);
* ReLU / LeakyReLU run in place on tensors the pipeline owns;
* any other module is called as is, on an NCHW-contiguous input.

Memory: a large input is run in horizontal strips (full width, overlapping by the
transform's receptive field, cut on its stride grid) so that no activation holds
more than about :data:`STRIP_BUDGET` bytes. Each output row is then computed from
exactly the inputs, and with exactly the kernels and blocking along the row, of the
whole-image pass: the result is bit-identical (``tests/safety/test_memory_bound.py``).
Tiles that also cut the width are not: oneDNN's transposed convolution then sums in
another order and differs in the last bit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.fastpath.gdn import Buffers, fused_normalization

__all__ = ["FastSequential", "STRIP_BUDGET"]

#: Bytes one strip's activations may take (``LIC_BENCH_STRIP_MB`` overrides, in MiB).
STRIP_BUDGET = int(float(os.environ.get("LIC_BENCH_STRIP_MB", "768")) * (1 << 20))

_CL = torch.channels_last

# A step takes (x, owned) -> (y, owned): "owned" means no one else holds x, so it
# may be overwritten.
Step = Callable[[Tensor, bool], tuple[Tensor, bool]]


def _nchw(x: Tensor) -> Tensor:
    return x.contiguous()


def _conv_step(module: nn.Conv2d) -> Step:
    def step(x: Tensor, owned: bool) -> tuple[Tensor, bool]:
        return module(_nchw(x)), True

    return step


def _deconv_step(module: nn.ConvTranspose2d) -> Step:
    def step(x: Tensor, owned: bool) -> tuple[Tensor, bool]:
        return module(x.contiguous(memory_format=_CL)), True

    return step


def _activation_step(module: nn.Module) -> Step:
    if isinstance(module, nn.LeakyReLU):
        slope = module.negative_slope

        def leaky(x: Tensor, owned: bool) -> tuple[Tensor, bool]:
            if owned:
                return torch.nn.functional.leaky_relu_(x, slope), True
            return torch.nn.functional.leaky_relu(x, slope), True

        return leaky

    def relu(x: Tensor, owned: bool) -> tuple[Tensor, bool]:
        return (torch.relu_(x) if owned else torch.relu(x)), True

    return relu


def _module_step(module: nn.Module) -> Step:
    def step(x: Tensor, owned: bool) -> tuple[Tensor, bool]:
        return module(_nchw(x)), False

    return step


def compile_step(module: nn.Module, buffers: Buffers | None = None) -> tuple[Step, str]:
    """The fast step for one layer, and how it is run (for reports)."""
    if type(module) is nn.ConvTranspose2d and module.groups == 1:
        return _deconv_step(module), "deconv/channels_last"
    if type(module) is nn.Conv2d:
        return _conv_step(module), "conv/nchw"
    if type(module) in (nn.ReLU, nn.LeakyReLU):
        return _activation_step(module), "activation/in-place"
    fused = fused_normalization(module, buffers)
    if fused is not None:
        return fused, "normalization/fused"
    return _module_step(module), f"module/{type(module).__name__}"


class FastSequential:
    """A frozen, faster twin of an ``nn.Sequential`` for inference.

    It reads the module's parameters when built: build it again after the
    weights change. ``buffers`` may be shared with the other transforms of a codec.
    """

    def __init__(self, seq: nn.Sequential, buffers: Buffers | None = None):
        #: its scratch pool (memory held between calls, counted by the benchmark)
        self.buffers = buffers if buffers is not None else Buffers()
        compiled = [compile_step(m, self.buffers) for m in seq]
        self.steps = [s for s, _ in compiled]
        self.plan = [p for _, p in compiled]
        self.geometry = _geometry(seq)

    def _run(self, x: Tensor) -> Tensor:
        owned = False  # never overwrite the caller's tensor
        for step in self.steps:
            x, owned = step(x, owned)
        return x

    def __call__(self, x: Tensor) -> Tensor:
        with torch.no_grad():
            rows = self.strip_rows(x)
            if rows is None:
                return self._run(x).contiguous()
            return self._strips(x, rows)

    def strip_rows(self, x: Tensor, budget: int | None = None) -> int | None:
        """Input rows per strip, or None when the whole input fits the budget (or the
        transform has layers whose geometry is unknown)."""
        if self.geometry is None or x.dim() != 4:
            return None
        align, halo, widest = self.geometry
        budget = STRIP_BUDGET if budget is None else budget
        h, w = x.shape[-2:]
        # widest: max over layers of channels x (output pixels per input pixel);
        # three live tensors of that size (input, output, normalization temporary).
        per_row = 3 * widest * w * x.element_size() * x.shape[0]
        if per_row * h <= budget:
            return None
        rows = max(align, int(budget // per_row) // align * align)
        return rows if rows < h else None

    def _strips(self, x: Tensor, rows: int) -> Tensor:
        align, halo, _ = self.geometry
        h = x.shape[-2]
        out = None
        for top in range(0, h, rows):
            lo = max(0, top - halo)
            hi = min(h, top + rows + halo)
            part = self._run(x[..., lo:hi, :])
            scale = part.shape[-2] / (hi - lo)
            if out is None:
                out = part.new_empty(*part.shape[:2], round(h * scale), part.shape[-1])
            a, b = round((top - lo) * scale), round((min(h, top + rows) - lo) * scale)
            out[..., round(top * scale):round(top * scale) + (b - a), :] = part[..., a:b, :]
        return out


def _geometry(seq: nn.Sequential) -> tuple[int, int, float] | None:
    """(alignment of strip starts, halo, widest layer) in input rows, or None when a
    layer is neither a convolution nor pointwise (its reach is unknown).

    The halo is the receptive radius of the whole chain, rounded up to the alignment
    (the product of the convolutions' strides, so strips fall on every layer's grid).
    """
    from lic_bench.layers.normalization import DivisiveNormalization

    unit = 1.0  # size of one row of the current layer's input, in input rows
    reach = 0.0
    align = 1
    widest = 0.0  # largest activation, in elements per input pixel
    for m in seq:
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            (kh, _), (sh, _) = m.kernel_size, m.stride
            widest = max(widest, m.in_channels / (unit * unit))
            if m.dilation != (1, 1):
                return None
            if isinstance(m, nn.Conv2d):
                reach += unit * (kh // 2 + 1)
                unit *= sh
                align *= sh
            else:
                reach += unit * (kh // 2 + 1)
                unit /= sh
            widest = max(widest, m.out_channels / (unit * unit))
        elif isinstance(m, (nn.ReLU, nn.LeakyReLU, nn.GELU, nn.Identity, DivisiveNormalization)):
            continue
        else:
            return None
    halo = math.ceil(reach / align) * align
    return align, halo, widest
