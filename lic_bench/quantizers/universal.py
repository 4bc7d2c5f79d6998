"""Universal (dithered) quantization (registry kind ``quantizer``)."""

from __future__ import annotations

import torch
from torch import Tensor

from lic_bench.quantizers.base import Quantizer, uniform_noise
from lic_bench.registry import QUANTIZERS

__all__ = ["UniversalQuantization", "dither"]


def dither(shape: tuple[int, ...], seed: int, device=None, dtype=None) -> Tensor:
    """The shared pseudo-random offset in [-1/2, 1/2): same seed and shape, same values
    in any process (CPU generator, independent of thread count)."""
    gen = torch.Generator().manual_seed(int(seed))
    d = torch.rand(tuple(shape), generator=gen, dtype=torch.float32) - 0.5
    return d.to(device=device, dtype=dtype or torch.float32)


@QUANTIZERS.register(
    "universal-quantization",
    taxonomy=["universal-quantization"],
    papers=["agustsson2020-universally"],
)
class UniversalQuantization(Quantizer):
    """Universal quantization: rounding with a dither known to encoder and decoder.

    Agustsson & Theis, "Universally Quantized Neural Compression", 2020
    (``agustsson2020-universally``). At coding time ``y_hat = round(y - d) + d``
    with ``d ~ U(-1/2, 1/2)`` drawn from a seeded generator shared by both sides,
    so the quantization error is uniform and independent of ``y``, exactly the
    additive-noise channel used during training. Departure from the paper: the
    entropy coder's tables are the integer-centred ones of CompressAI, evaluated
    at ``y - mu - d``; the paper conditions the tables on the dither instead.

    Args:
        seed: seed of the shared dither (the latent shape selects the values).
    """

    def __init__(self, seed: int = 0):
        super().__init__()
        self.seed = int(seed)

    def offset(self, y: Tensor) -> Tensor:
        return dither(tuple(y.shape[1:]), self.seed + y.shape[1], y.device, y.dtype).expand_as(y)

    def train_outputs(self, y: Tensor, means: Tensor | None) -> tuple[Tensor, Tensor]:
        noisy = y + uniform_noise(y)
        return noisy, noisy
