"""Divisive normalisation: one layer for GDN, inverse GDN, 1DN and GSDN.

The layer follows the general form of seed 000, eq. 5.1 (Ferrari 2025,
``ferrari2025-registry``)::

    forward:  z_i = (x_i - mu_i) / (beta_i + sum_j gamma_ij |x_j - mu_j|^alpha)^epsilon
    inverse:  x_i = z_i * (beta_i + sum_j gamma_ij |z_j|^alpha)^epsilon + mu_i

with one ``alpha`` and one ``epsilon`` for the whole layer (as tensorflow-compression's
``GDN`` layer does), and ``mu`` present only when ``mean=True``:

========  =====  =======  =====  ==========================================================
name      alpha  epsilon  mean   paper
========  =====  =======  =====  ==========================================================
gdn       2      1/2      no     Ballé, Laparra, Simoncelli, "Density Modeling of Images
                                 Using a Generalized Normalization Transformation", 2016
                                 (``balle2016-density``)
1dn       1      1        no     Johnston et al., "Computationally Efficient Neural Image
                                 Compression", 2019 (``johnston2019-computationally``),
                                 seed 000 eq. 5.2: |x| instead of x^2, no square root
gsdn      2      1/2      yes    Qian et al., "Learning Accurate Entropy Model with Global
                                 Reference for Image Compression", 2022
                                 (``qian2021-learning``): subtract a learned mean first
========  =====  =======  =====  ==========================================================

``beta`` and ``gamma`` are stored reparameterised by CompressAI's
``NonNegativeParametrizer`` (beta >= ``beta_min``, gamma >= 0), under the same
attribute names as CompressAI's ``GDN``, so a CompressAI GDN state dict loads
into ``DivisiveNormalization(alpha=2, epsilon=0.5)`` unchanged. Unlike
CompressAI, forward GDN divides by ``sqrt`` rather than multiplying by
``rsqrt`` (both IEEE-exact, same maths) and the channel mix is a matrix product
(see :func:`lic_bench.layers.conv.pointwise`).
"""

from __future__ import annotations

import torch
import torch.nn as nn
from compressai.ops.parametrizers import NonNegativeParametrizer
from torch import Tensor

from lic_bench.layers.conv import pointwise
from lic_bench.registry import NONLINEARITIES

__all__ = ["DivisiveNormalization", "gdn", "one_dn", "gsdn"]


class DivisiveNormalization(nn.Module):
    """Generalised (subtractive) divisive normalisation and its inverse.

    Args:
        channels: number of channels C.
        inverse: build the approximate inverse (IGDN, inverse 1DN, IGSDN) used in
            synthesis transforms.
        alpha: power applied to ``|x|`` inside the normaliser (2 for GDN, 1 for 1DN).
        epsilon: power applied to the normaliser (1/2 for GDN, 1 for 1DN).
        mean: learn a per-channel mean that is subtracted before the division
            (added back after the multiplication in the inverse), as GSDN.
        beta_min: lower bound of beta, keeps the division away from zero.
        gamma_init: initial value of the diagonal of gamma.
    """

    def __init__(
        self,
        channels: int,
        inverse: bool = False,
        alpha: float = 2.0,
        epsilon: float = 0.5,
        mean: bool = False,
        beta_min: float = 1e-6,
        gamma_init: float = 0.1,
    ):
        super().__init__()
        if channels < 1:
            raise ValueError(f"channels must be positive, got {channels}")
        if alpha <= 0 or epsilon <= 0:
            raise ValueError("alpha and epsilon must be positive")
        self.channels = int(channels)
        self.inverse = bool(inverse)
        self.alpha = float(alpha)
        self.epsilon = float(epsilon)
        self.has_mean = bool(mean)

        self.beta_reparam = NonNegativeParametrizer(minimum=float(beta_min))
        self.beta = nn.Parameter(self.beta_reparam.init(torch.ones(channels)))
        self.gamma_reparam = NonNegativeParametrizer()
        gamma = float(gamma_init) * torch.eye(channels)
        self.gamma = nn.Parameter(self.gamma_reparam.init(gamma))
        if self.has_mean:
            self.mean = nn.Parameter(torch.zeros(channels))

    def _power(self, x: Tensor) -> Tensor:
        if self.alpha == 2.0:
            return x * x
        if self.alpha == 1.0:
            return torch.abs(x)
        return torch.abs(x).pow(self.alpha)

    def _root(self, norm: Tensor) -> Tensor:
        if self.epsilon == 0.5:
            return torch.sqrt(norm)
        if self.epsilon == 1.0:
            return norm
        return norm.pow(self.epsilon)

    def forward(self, x: Tensor) -> Tensor:
        beta = self.beta_reparam(self.beta)
        gamma = self.gamma_reparam(self.gamma)
        if self.training and x.dim() == 4 and _channels_last(x):
            return self._train_nhwc(x, gamma, beta)
        mean = self.mean.reshape(1, -1, 1, 1) if self.has_mean else None
        if not self.inverse and mean is not None:
            x = x - mean
        norm = self._root(pointwise(self._power(x), gamma, beta))
        if self.inverse:
            out = x * norm
            return out + mean if mean is not None else out
        return x / norm

    def _train_nhwc(self, x: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
        """Training on a channels-last input: the channel mix is one ``linear`` over
        the NHWC view (no copies) and GDN multiplies by ``rsqrt``, as CompressAI does.
        Only training runs this (its last bits may differ from the eval path's, which
        coding depends on; training does not)."""
        v = x.permute(0, 2, 3, 1)  # NHWC, contiguous
        if self.has_mean and not self.inverse:
            v = v - self.mean
        norm = torch.nn.functional.linear(self._power(v), gamma, beta)
        if self.inverse:
            out = v * self._root(norm)
            if self.has_mean:
                out = out + self.mean
        elif self.epsilon == 0.5:
            out = v * torch.rsqrt(norm)
        else:
            out = v / self._root(norm)
        return out.permute(0, 3, 1, 2)

    def extra_repr(self) -> str:
        return (
            f"{self.channels}, inverse={self.inverse}, alpha={self.alpha:g}, "
            f"epsilon={self.epsilon:g}, mean={self.has_mean}"
        )


def _channels_last(x: Tensor) -> bool:
    return x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()


@NONLINEARITIES.register("gdn", taxonomy=["gdn"], papers=["balle2016-density"])
def gdn(channels: int, inverse: bool = False, **kwargs) -> DivisiveNormalization:
    """Generalized divisive normalization (GDN) or its inverse (IGDN)."""
    return DivisiveNormalization(channels, inverse=inverse, alpha=2.0, epsilon=0.5, **kwargs)


@NONLINEARITIES.register("1dn", taxonomy=["1dn"], papers=["johnston2019-computationally"])
def one_dn(channels: int, inverse: bool = False, **kwargs) -> DivisiveNormalization:
    """One divisive normalization (1DN): simplified GDN with |x| and no square root."""
    return DivisiveNormalization(channels, inverse=inverse, alpha=1.0, epsilon=1.0, **kwargs)


@NONLINEARITIES.register("gsdn", taxonomy=["gsdn"], papers=["qian2021-learning"])
def gsdn(channels: int, inverse: bool = False, **kwargs) -> DivisiveNormalization:
    """Generalized subtractive and divisive normalization (GSDN) or its inverse."""
    return DivisiveNormalization(
        channels, inverse=inverse, alpha=2.0, epsilon=0.5, mean=True, **kwargs
    )
