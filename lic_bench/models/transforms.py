"""Analysis / synthesis / hyper transforms of the Ballé-Minnen model family.

Registered as the transform set ``strided-convolution`` (registry kind ``transform``;
``transform:`` in a model config), the default of every backbone. Each builder returns an ``nn.Sequential`` laid out exactly as CompressAI's
``compressai.models.google`` modules (same indices, shapes, state-dict keys),
with the non-linearity chosen by registry name so that ``nonlinearity: gdn``
becomes ``1dn``, ``gsdn`` or ``relu`` without code changes::

    x ─ conv ─ NL ─ conv ─ NL ─ conv ─ NL ─ conv ─ y       analysis   (/16)
    y ─ deconv ─ NL⁻¹ ─ deconv ─ NL⁻¹ ─ deconv ─ NL⁻¹ ─ deconv ─ x̂   synthesis (x16)

Papers: Ballé et al., "End-to-end Optimized Image Compression", 2017
(``balle2017-end-to-end``); "Variational image compression with a scale
hyperprior", 2018 (``balle2018-variational``); Minnen et al., "Joint
Autoregressive and Hierarchical Priors for Learned Image Compression", 2018
(``minnen2018-joint``).
"""

from __future__ import annotations

import torch.nn as nn

from lic_bench.layers import conv, deconv, get_nonlinearity
from lic_bench.registry import TRANSFORMS

__all__ = ["StridedConvolution", "analysis", "synthesis", "hyper_analysis", "hyper_synthesis"]


def analysis(N: int, M: int, nonlinearity: str = "gdn", in_channels: int = 3) -> nn.Sequential:
    """g_a: four 5x5 stride-2 convolutions (in -> N -> N -> N -> M), NL between them."""
    return nn.Sequential(
        conv(in_channels, N),
        get_nonlinearity(nonlinearity, N),
        conv(N, N),
        get_nonlinearity(nonlinearity, N),
        conv(N, N),
        get_nonlinearity(nonlinearity, N),
        conv(N, M),
    )


def synthesis(N: int, M: int, nonlinearity: str = "gdn", out_channels: int = 3) -> nn.Sequential:
    """g_s: four 5x5 stride-2 transposed convolutions (M -> N -> N -> N -> out), inverse NL."""
    return nn.Sequential(
        deconv(M, N),
        get_nonlinearity(nonlinearity, N, inverse=True),
        deconv(N, N),
        get_nonlinearity(nonlinearity, N, inverse=True),
        deconv(N, N),
        get_nonlinearity(nonlinearity, N, inverse=True),
        deconv(N, out_channels),
    )


def hyper_analysis(N: int, M: int, nonlinearity: str = "relu") -> nn.Sequential:
    """h_a: 3x3 stride-1 then two 5x5 stride-2 convolutions (M -> N -> N -> N), /4.

    The same layout serves the scale hyperprior (which feeds it ``|y|``, with
    ReLU) and the mean-scale hyperprior (which feeds it ``y``, with LeakyReLU).
    """
    return nn.Sequential(
        conv(M, N, stride=1, kernel_size=3),
        get_nonlinearity(nonlinearity, N),
        conv(N, N),
        get_nonlinearity(nonlinearity, N),
        conv(N, N),
    )


def hyper_synthesis(
    N: int, M: int, nonlinearity: str = "relu", mean_scale: bool = False
) -> nn.Sequential:
    """h_s, x4. ``mean_scale=False``: N -> N -> N -> M scales, ending in ReLU (Ballé 2018).
    ``mean_scale=True``: N -> M -> 3M/2 -> 2M (scales and means, Minnen 2018)."""
    if mean_scale:
        return nn.Sequential(
            deconv(N, M),
            get_nonlinearity(nonlinearity, M, inverse=True),
            deconv(M, M * 3 // 2),
            get_nonlinearity(nonlinearity, M * 3 // 2, inverse=True),
            conv(M * 3 // 2, M * 2, stride=1, kernel_size=3),
        )
    return nn.Sequential(
        deconv(N, N),
        get_nonlinearity(nonlinearity, N, inverse=True),
        deconv(N, N),
        get_nonlinearity(nonlinearity, N, inverse=True),
        conv(N, M, stride=1, kernel_size=3),
        nn.ReLU(),
    )


@TRANSFORMS.register(
    "strided-convolution",
    taxonomy=["convolutional"],
    papers=["balle2018-variational", "minnen2018-joint"],
)
class StridedConvolution:
    """5x5 strided (transposed) convolutions with a normalisation between them (Ballé et
    al. 2018, Minnen et al. 2018): the transforms above, as one registered set."""

    analysis = staticmethod(analysis)
    synthesis = staticmethod(synthesis)
    hyper_analysis = staticmethod(hyper_analysis)
    hyper_synthesis = staticmethod(hyper_synthesis)
