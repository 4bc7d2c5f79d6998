"""Rate in bits per pixel: estimated from likelihoods, or real from bitstream bytes."""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch


def bpp_from_likelihoods(likelihoods: Mapping[str, torch.Tensor], num_pixels: int) -> float:
    """Information content of the latents, ``sum(-log2 p) / pixels``: the rate the
    entropy model predicts, which the real coder approaches up to its overhead."""
    bits = sum(float(torch.log(p.double()).sum()) for p in likelihoods.values()) / -math.log(2.0)
    return bits / num_pixels


def bpp_from_bytes(num_bytes: int, num_pixels: int) -> float:
    """Real rate of a bitstream file of ``num_bytes`` bytes."""
    return 8.0 * num_bytes / num_pixels
