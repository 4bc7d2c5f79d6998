"""Quantizers (registry kind ``quantizer``). Needs torch.

``get_quantizer("mixed-quantization")`` builds one by name; every quantizer maps
``(y, means=None, training=None) -> (y_for_rate, y_for_synthesis)``.
"""

from __future__ import annotations

from typing import Any

from lic_bench.quantizers.base import Quantizer, ste_round, uniform_noise
from lic_bench.quantizers.uniform import (
    AdditiveUniformNoise,
    MixedQuantization,
    StraightThroughRounding,
)
from lic_bench.quantizers.universal import UniversalQuantization, dither
from lic_bench.registry import QUANTIZERS

__all__ = [
    "AdditiveUniformNoise",
    "MixedQuantization",
    "Quantizer",
    "StraightThroughRounding",
    "UniversalQuantization",
    "dither",
    "get_quantizer",
    "ste_round",
    "uniform_noise",
]


def get_quantizer(spec: str | dict[str, Any]) -> Quantizer:
    """A quantizer from its registry name or ``{"name": ..., **kwargs}``."""
    if isinstance(spec, dict):
        spec = dict(spec)
        name = spec.pop("name")
        return QUANTIZERS.get(name)(**spec)
    return QUANTIZERS.get(spec)()
