"""Point-wise activations registered as non-linearities, so a config can swap
``nonlinearity: gdn`` for ``relu``, ``gelu`` or ``leaky-relu`` by name.

They have no inverse form: ``inverse=True`` (asked for by synthesis transforms)
builds the same activation. CompressAI's ``FactorizedPriorReLU`` is the ReLU
variant of Ballé et al.'s factorized-prior model; here it is
``bmshj2018-factorized`` with ``nonlinearity: relu``.
"""

from __future__ import annotations

from typing import Literal

import torch.nn as nn

from lic_bench.registry import NONLINEARITIES

__all__ = ["relu", "gelu", "leaky_relu"]


@NONLINEARITIES.register("relu", taxonomy=["relu"], papers=["balle2018-variational"])
def relu(channels: int | None = None, inverse: bool = False) -> nn.Module:
    """Rectified linear unit, max(x, 0) (hyper-transforms of Ballé et al. 2018)."""
    return nn.ReLU()


@NONLINEARITIES.register("gelu", taxonomy=["gelu"])
def gelu(channels: int | None = None, inverse: bool = False, approximate: Literal["none", "tanh"] = "none") -> nn.Module:
    """Gaussian error linear unit, x * Phi(x) (used in transformer-based transforms)."""
    return nn.GELU(approximate=approximate)


@NONLINEARITIES.register("leaky-relu", taxonomy=["leaky-relu"], papers=["minnen2018-joint"])
def leaky_relu(
    channels: int | None = None, inverse: bool = False, negative_slope: float = 0.01
) -> nn.Module:
    """Leaky ReLU, max(x, 0) + slope * min(x, 0) (hyper-transforms of Minnen et al. 2018)."""
    return nn.LeakyReLU(negative_slope=negative_slope)
