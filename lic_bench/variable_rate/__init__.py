"""Variable-rate modules (registry kind ``variable-rate``). Needs torch."""

from lic_bench.variable_rate.gain import (
    GAIN_INITS,
    GainUnits,
    initial_gains,
    interpolated_lambda,
    quality_index,
)

__all__ = ["GAIN_INITS", "GainUnits", "initial_gains", "interpolated_lambda", "quality_index"]
