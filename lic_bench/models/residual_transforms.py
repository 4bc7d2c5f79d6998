"""Transform sets of Cheng et al. 2020: ``residual-subpixel`` and ``residual-attention``.

Cheng, Sun, Takeuchi, Katto, "Learned Image Compression with Discretized Gaussian
Mixture Likelihoods and Attention Modules", CVPR 2020 (``cheng2020-learned``)::

    g_a: RBs↓ RB RBs↓ [Att] RB RBs↓ RB conv3x3↓ [Att]               (/16)
    g_s: [Att] RB RBu↑ RB RBu↑ [Att] RB RBu↑ RB subpel↑              (x16)
    h_a: conv3x3, LReLU, conv3x3, LReLU, conv3x3↓, LReLU, conv3x3, LReLU, conv3x3↓
    h_s: conv3x3, LReLU, subpel↑, LReLU, conv3x3, LReLU, subpel↑, LReLU, conv3x3

(RBs: residual block with stride, RBu: up-sampling residual block, RB: residual
block, Att: simplified attention module, only in ``residual-attention``.) Layouts and
indices are those of CompressAI's ``Cheng2020Anchor`` and ``Cheng2020Attention``, so
their state dicts load unchanged. Departures: the paper's models have M = N; here M
may differ (g_a's last convolution gives M channels, g_s's first block takes M with a
1x1 shortcut). ``nonlinearity`` replaces GDN inside the residual blocks; the hyper
transforms use ``hyper_nonlinearity`` (LeakyReLU in the paper). Any backbone can use
them: with ``scale-hyperprior`` h_s gives M scales (ending in ReLU, as Ballé's).
"""

from __future__ import annotations

import torch.nn as nn

from lic_bench.layers import get_nonlinearity
from lic_bench.layers.residual import (
    AttentionBlock,
    ResidualBlock,
    ResidualBlockUpsample,
    ResidualBlockWithStride,
    conv3x3,
    subpel_conv3x3,
)
from lic_bench.registry import TRANSFORMS

__all__ = ["ResidualAttention", "ResidualSubpixel"]


def _analysis(N: int, M: int, nonlinearity: str, attention: bool) -> nn.Sequential:
    layers: list[nn.Module] = [
        ResidualBlockWithStride(3, N, 2, nonlinearity),
        ResidualBlock(N, N),
        ResidualBlockWithStride(N, N, 2, nonlinearity),
        *([AttentionBlock(N)] if attention else []),
        ResidualBlock(N, N),
        ResidualBlockWithStride(N, N, 2, nonlinearity),
        ResidualBlock(N, N),
        conv3x3(N, M, stride=2),
        *([AttentionBlock(M)] if attention else []),
    ]
    return nn.Sequential(*layers)


def _synthesis(N: int, M: int, nonlinearity: str, attention: bool) -> nn.Sequential:
    layers: list[nn.Module] = [
        *([AttentionBlock(M)] if attention else []),
        ResidualBlock(M, N),
        ResidualBlockUpsample(N, N, 2, nonlinearity),
        ResidualBlock(N, N),
        ResidualBlockUpsample(N, N, 2, nonlinearity),
        *([AttentionBlock(N)] if attention else []),
        ResidualBlock(N, N),
        ResidualBlockUpsample(N, N, 2, nonlinearity),
        ResidualBlock(N, N),
        subpel_conv3x3(N, 3, 2),
    ]
    return nn.Sequential(*layers)


def hyper_analysis(N: int, M: int, nonlinearity: str = "leaky-relu") -> nn.Sequential:
    """h_a: five 3x3 convolutions (M -> N), two of them with stride 2 (/4)."""
    return nn.Sequential(
        conv3x3(M, N),
        get_nonlinearity(nonlinearity, N),
        conv3x3(N, N),
        get_nonlinearity(nonlinearity, N),
        conv3x3(N, N, stride=2),
        get_nonlinearity(nonlinearity, N),
        conv3x3(N, N),
        get_nonlinearity(nonlinearity, N),
        conv3x3(N, N, stride=2),
    )


def hyper_synthesis(N: int, M: int, nonlinearity: str = "leaky-relu", mean_scale: bool = False) -> nn.Sequential:
    """h_s: 3x3 convolutions and two sub-pixel up-samplings (x4) to 2M Gaussian
    parameters (``mean_scale``) or M scales (then a ReLU)."""
    mid = N * 3 // 2
    layers: list[nn.Module] = [
        conv3x3(N, N),
        get_nonlinearity(nonlinearity, N, inverse=True),
        subpel_conv3x3(N, N, 2),
        get_nonlinearity(nonlinearity, N, inverse=True),
        conv3x3(N, mid),
        get_nonlinearity(nonlinearity, mid, inverse=True),
        subpel_conv3x3(mid, mid, 2),
        get_nonlinearity(nonlinearity, mid, inverse=True),
        conv3x3(mid, 2 * M if mean_scale else M),
    ]
    if not mean_scale:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


@TRANSFORMS.register("residual-subpixel", taxonomy=["residual-blocks"], papers=["cheng2020-learned"])
class ResidualSubpixel:
    """Residual blocks of small convolutions, sub-pixel up-sampling (Cheng et al. 2020's
    anchor, CompressAI's ``Cheng2020Anchor`` transforms)."""

    @staticmethod
    def analysis(N: int, M: int, nonlinearity: str = "gdn") -> nn.Sequential:
        return _analysis(N, M, nonlinearity, attention=False)

    @staticmethod
    def synthesis(N: int, M: int, nonlinearity: str = "gdn") -> nn.Sequential:
        return _synthesis(N, M, nonlinearity, attention=False)

    hyper_analysis = staticmethod(hyper_analysis)
    hyper_synthesis = staticmethod(hyper_synthesis)


@TRANSFORMS.register(
    "residual-attention",
    taxonomy=["residual-blocks", "attention-based-priors"],
    papers=["cheng2020-learned"],
)
class ResidualAttention:
    """``residual-subpixel`` with two simplified attention modules in g_a and two in g_s
    (Cheng et al. 2020, CompressAI's ``Cheng2020Attention`` transforms)."""

    @staticmethod
    def analysis(N: int, M: int, nonlinearity: str = "gdn") -> nn.Sequential:
        return _analysis(N, M, nonlinearity, attention=True)

    @staticmethod
    def synthesis(N: int, M: int, nonlinearity: str = "gdn") -> nn.Sequential:
        return _synthesis(N, M, nonlinearity, attention=True)

    hyper_analysis = staticmethod(hyper_analysis)
    hyper_synthesis = staticmethod(hyper_synthesis)
