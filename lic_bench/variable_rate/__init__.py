"""Variable-rate modules (registry kind ``variable-rate``). Needs torch."""

from lic_bench.variable_rate.gain import GainUnits, quality_index

__all__ = ["GainUnits", "quality_index"]
