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
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.fastpath.gdn import Buffers, fused_normalization

__all__ = ["FastSequential"]

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
        buffers = buffers if buffers is not None else Buffers()
        compiled = [compile_step(m, buffers) for m in seq]
        self.steps = [s for s, _ in compiled]
        self.plan = [p for _, p in compiled]

    def __call__(self, x: Tensor) -> Tensor:
        owned = False  # never overwrite the caller's tensor
        with torch.no_grad():
            for step in self.steps:
                x, owned = step(x, owned)
        return x.contiguous()
