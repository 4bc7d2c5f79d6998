"""Entropy models, wrapping CompressAI's (registry kind ``entropy-model``). Needs torch."""

from lic_bench.entropy.compressai_models import (
    EntropyBottleneck,
    GaussianConditional,
    bottleneck_likelihood,
    bottleneck_medians,
    gaussian_likelihood,
)
from lic_bench.entropy.laplacian import LaplacianConditional

__all__ = [
    "EntropyBottleneck",
    "GaussianConditional",
    "LaplacianConditional",
    "bottleneck_likelihood",
    "bottleneck_medians",
    "gaussian_likelihood",
]
