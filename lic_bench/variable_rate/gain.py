"""Gain units: learned per-channel scalings that select the rate of one model.

Cui et al., "Asymmetric Gained Deep Image Compression With
Continuous Rate Adaptation", 2022 (``cui2021-asymmetric``). A gain unit holds one
gain vector per trained trade-off λ_s; the latent is multiplied channel-wise by
the chosen vector before quantization (an inverse gain unit undoes it before
synthesis). Between two trained levels the vector is interpolated exponentially,
``m = m_s^(1-t) * m_(s+1)^t``, which gives a continuous rate range from one
set of weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn as nn
from torch import Tensor

__all__ = ["GAIN_INITS", "GainUnits", "initial_gains", "interpolated_lambda", "quality_index"]

#: How gain vectors start: ``one`` (every entry 1, as Cui et al.) or ``sqrt-lambda``.
GAIN_INITS = ("one", "sqrt-lambda")


def initial_gains(lmbdas, init: str = "one") -> list[float]:
    """The starting gain of each level.

    ``sqrt-lambda`` departs from Cui et al. (whose gains all start at 1): level s starts
    at ``sqrt(λ_s / λ̄)``, λ̄ the geometric mean of the λ. At high rate the MSE-optimal
    quantisation step of an ``R + λ D`` loss scales as ``1/sqrt(λ)`` and a gain g sets
    the step to ``1/g``, so the levels start at rates that differ as the trained ones
    will. Short trainings need this: starting from equal gains, the levels of a
    500-step run stay alike (the gains move by ~0.005), so one run gives one RD point.
    """
    if init not in GAIN_INITS:
        raise ValueError(f"gain_init must be one of {', '.join(GAIN_INITS)}, not {init!r}")
    lm = [float(v) for v in lmbdas]
    if init == "one":
        return [1.0] * len(lm)
    if not all(math.isfinite(v) and v > 0 for v in lm):
        raise ValueError("gain_init sqrt-lambda needs positive λ")
    mean_log = sum(math.log(v) for v in lm) / len(lm)
    return [math.exp(0.5 * (math.log(v) - mean_log)) for v in lm]


def interpolated_lambda(lmbdas, quality: float | Tensor) -> float | Tensor:
    """The λ of ``quality`` (geometric interpolation between trained levels, as the
    gains); a ``(B,)`` tensor of qualities gives a ``(B,)`` tensor of λ."""
    table = torch.as_tensor(list(lmbdas), dtype=torch.float64)
    if isinstance(quality, Tensor) and quality.dim() > 0:
        pos = quality.double() - 1.0
        lo = pos.floor().long().clamp(0, len(table) - 1)
        hi = (lo + 1).clamp(max=len(table) - 1)
        t = pos - lo.double()
        return (table[lo] ** (1 - t) * table[hi] ** t).float()
    lo, hi, t = quality_index(float(quality), len(table))
    return float(table[lo] ** (1 - t) * table[hi] ** t)


def quality_index(quality: float, levels: int) -> tuple[int, int, float]:
    """Map a quality in [1, levels] to (lower level, upper level, weight of the upper)."""
    if not math.isfinite(quality) or not 1 <= quality <= levels:
        raise ValueError(f"quality must lie in [1, {levels}], got {quality}")
    pos = quality - 1.0
    lo = min(int(math.floor(pos)), levels - 1)
    hi = min(lo + 1, levels - 1)
    return lo, hi, pos - lo


class GainUnits(nn.Module):
    """One learned gain vector per rate level, interpolated in between.

    Args:
        levels: number of trained levels (λ values).
        channels: channels of the latent the unit scales.
        init: initial gain: one value for all entries, or one value per level.
    """

    def __init__(self, levels: int, channels: int, init: float | Sequence[float] = 1.0):
        super().__init__()
        if levels < 1:
            raise ValueError("levels must be >= 1")
        self.levels = int(levels)
        start = torch.as_tensor(init, dtype=torch.float32).reshape(-1, 1)
        if start.shape[0] not in (1, levels):
            raise ValueError(f"init gives {start.shape[0]} values for {levels} levels")
        self.gain = nn.Parameter(start.expand(levels, channels).clone())

    def vector(self, quality: float) -> Tensor:
        """The gain vector for ``quality`` in [1, levels] (float; interpolated)."""
        lo, hi, t = quality_index(float(quality), self.levels)
        # abs() keeps the geometric interpolation defined if a gain changes sign.
        g_lo, g_hi = self.gain[lo].abs(), self.gain[hi].abs()
        if t == 0.0:
            return g_lo
        return g_lo.pow(1.0 - t) * g_hi.pow(t)

    def vectors(self, quality: Tensor) -> Tensor:
        """``(B, C)`` gain vectors for a ``(B,)`` tensor of qualities, one per sample
        (variable-rate training draws a level per sample)."""
        q = quality.to(self.gain.dtype).reshape(-1)
        if not bool(((q >= 1) & (q <= self.levels)).all()):
            raise ValueError(f"quality must lie in [1, {self.levels}]")
        pos = q - 1.0
        lo = pos.floor().long().clamp_(max=self.levels - 1)
        hi = (lo + 1).clamp_(max=self.levels - 1)
        t = (pos - lo.to(pos.dtype))[:, None]
        g_lo, g_hi = self.gain[lo].abs(), self.gain[hi].abs()
        return g_lo.pow(1.0 - t) * g_hi.pow(t)

    def forward(self, x: Tensor, quality: float | Tensor) -> Tensor:
        """``x`` scaled channel-wise; ``quality`` is one float or one per sample."""
        if isinstance(quality, Tensor) and quality.dim() > 0:
            return x * self.vectors(quality).reshape(x.shape[0], -1, *([1] * (x.dim() - 2)))
        return x * self.vector(float(quality)).reshape(1, -1, *([1] * (x.dim() - 2)))
