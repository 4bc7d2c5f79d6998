"""Variable-rate modules (registry kind ``variable-rate``). Needs torch."""

from lic_bench.variable_rate.gain import GainUnits, interpolated_lambda, quality_index

__all__ = ["GainUnits", "interpolated_lambda", "quality_index"]
