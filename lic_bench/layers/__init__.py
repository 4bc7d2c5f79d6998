"""Layers, non-linearities first (registry kind ``nonlinearity``). Needs torch.

Every non-linearity is built by name: ``get_nonlinearity("1dn", 192, inverse=True)``.
"""

from lic_bench.layers import activations as _activations  # noqa: F401  (registers)
from lic_bench.layers.conv import PointwiseConv2d, conv, deconv, pointwise
from lic_bench.layers.factory import get_nonlinearity
from lic_bench.layers.normalization import DivisiveNormalization

__all__ = [
    "DivisiveNormalization",
    "PointwiseConv2d",
    "conv",
    "deconv",
    "get_nonlinearity",
    "pointwise",
]
