"""Variable-rate modules: gain units and their λ interpolation. Needs torch.

The registered ``variable-rate`` component that wraps a model's codecs in them is
:class:`lic_bench.latent_codecs.gain.GainUnitsRate`."""

from lic_bench.variable_rate.gain import (
    GAIN_INITS,
    GainUnits,
    initial_gains,
    interpolated_lambda,
    quality_index,
)

__all__ = ["GAIN_INITS", "GainUnits", "initial_gains", "interpolated_lambda", "quality_index"]
