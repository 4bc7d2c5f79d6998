"""A Laplace density for y, conditioned on hyperprior scales (and means): registry id
``laplacian-conditional``.

The Laplacian is one of the single densities learned codecs have used for their
latents; Fu et al., "Learned Image Compression with Gaussian-Laplacian-Logistic
Mixture Model and Concatenated Residual Modules" (``fu2023-learned``) list it among
them and mix it with Gaussian and logistic terms. TensorFlow Compression's first API
offered a ``LaplacianConditional`` next to its ``GaussianConditional`` in the same way.
Compared with a Gaussian of the same scale it puts more mass at the centre and in the
tails.

Parametrisation: density ``exp(-|v - μ| / b) / 2b`` with ``b`` the scale the hyperprior
predicts (the Gaussian's σ slot), so the scale table, its lower bound and the
state-dict keys are CompressAI's ``GaussianConditional``'s. Only the standardized CDF and
quantile change; CompressAI derives the CDF tables (``update``) and the likelihoods from
those two, and coding goes through :mod:`lic_bench.entropy.internals` as for the Gaussian.
Departure from a Gaussian table: with the default tail mass (1e-9) a Laplace needs
``ln(1e9) ≈ 20.7`` scales on each side instead of ``≈ 6.1``, so its CDF rows are about
3.4 times as long.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from lic_bench.entropy.compressai_models import GaussianConditional
from lic_bench.registry import ENTROPY_MODELS

__all__ = ["LaplacianConditional", "laplace_cdf", "laplace_quantile"]


def laplace_cdf(v: Tensor) -> Tensor:
    """CDF of the standard Laplace (``b = 1``). CompressAI evaluates it on ``±0.5 - |v|``,
    i.e. mostly on the left branch ``exp(v) / 2``, which has no cancellation."""
    half_tail = 0.5 * torch.exp(-v.abs())
    return torch.where(v > 0, 1.0 - half_tail, half_tail)


def laplace_quantile(q):
    """Inverse of :func:`laplace_cdf` (float or NumPy array in (0, 1))."""
    q = np.asarray(q, dtype=np.float64)
    out = np.where(q <= 0.5, np.log(2.0 * np.minimum(q, 0.5)), -np.log(2.0 - 2.0 * np.maximum(q, 0.5)))
    return float(out) if out.ndim == 0 else out


class LaplacianConditional(GaussianConditional):
    """A Laplace density per element of y, its scale (and mean) from the hyperprior; codes
    through the memory-safe rANS coder like :class:`GaussianConditional`."""

    def _standardized_cumulative(self, inputs: Tensor) -> Tensor:
        return laplace_cdf(inputs)

    @staticmethod
    def _standardized_quantile(quantile):
        return laplace_quantile(quantile)


ENTROPY_MODELS.register(
    "laplacian-conditional",
    taxonomy=["laplacian-conditional"],
    papers=["fu2023-learned"],
    description="Laplace density on hyper-decoded scales/means (CompressAI's GaussianConditional machinery)",
)(LaplacianConditional)
