"""What one training step runs under: flushed denormals.

Adam's second-moment estimates and the divisive normalisations' small terms fall into
the subnormal range early in training, and x86 cores take microcode assists (tens of
cycles) on every subnormal operand: in a profile of CompressAI's own training step,
``sqrt``/``mul``/``div`` over such values cost more than a quarter of the step.
:func:`training_math` flushes them to zero (FTZ/DAZ) for the step and restores the
default after, so evaluation and coding -- whose bits must not change -- never run
with it. The values flushed are below 1.2e-38: no effect on what training learns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

__all__ = ["training_math"]


@contextlib.contextmanager
def training_math() -> Iterator[None]:
    flushed = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if flushed:
            torch.set_flush_denormal(False)
