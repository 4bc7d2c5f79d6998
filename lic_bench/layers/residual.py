"""Residual blocks, the simplified attention module and sub-pixel convolution.

Cheng, Sun, Takeuchi, Katto, "Learned Image Compression with Discretized Gaussian
Mixture Likelihoods and Attention Modules", CVPR 2020 (``cheng2020-learned``),
Fig. 2-3: transforms of small (3x3, 1x1) convolutions in residual blocks, up-sampling
by sub-pixel convolution (conv then pixel shuffle), and a simplified attention
module (a trunk and a sigmoid mask branch of residual units, no non-local block).

Module and attribute names are CompressAI's (``compressai.layers``: ``conv1``,
``gdn``, ``skip``, ``subpel_conv``, ``upsample``, ``igdn``, ``conv_a``, ``conv_b``),
so CompressAI's ``cheng2020-*`` state dicts load unchanged. Departures: the
divisive normalisation is any registered non-linearity (``gdn`` by default, as
there), and every stride-1 1x1 convolution computes through
:class:`~lic_bench.layers.PointwiseConv2d` (same parameters; a result that does not
depend on the thread count, see :mod:`lic_bench.layers.conv`), strided ones too
(:class:`StridedPointwiseConv2d`).
"""

from __future__ import annotations

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.layers.conv import PointwiseConv2d, pointwise
from lic_bench.layers.factory import get_nonlinearity

__all__ = [
    "AttentionBlock",
    "ResidualBlock",
    "ResidualBlockUpsample",
    "ResidualBlockWithStride",
    "conv1x1",
    "conv3x3",
    "subpel_conv3x3",
]


def conv3x3(in_ch: int, out_ch: int, stride: int = 1) -> nn.Conv2d:
    """3x3 convolution, "same" padding."""
    return nn.Conv2d(in_ch, out_ch, kernel_size=3, stride=stride, padding=1)


class StridedPointwiseConv2d(PointwiseConv2d):
    """A 1x1 convolution with a stride (same parameters and keys as ``nn.Conv2d``):
    the pointwise mix of every ``stride``-th pixel, which is what the strided kernel
    computes. Why not ``nn.Conv2d``: on this CPU, torch's oneDNN kernel for a strided
    1x1 convolution of a 3-channel channels-last input corrupts memory in the backward
    pass (channels-last is how models train, :data:`lic_bench.models.base.TRAIN_CHANNELS_LAST`)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2):
        super().__init__(in_channels, out_channels)
        self.stride = (stride, stride)

    def forward(self, x: Tensor) -> Tensor:
        s = self.stride[0]
        return pointwise(x[..., ::s, ::s], self.weight, self.bias)


def conv1x1(in_ch: int, out_ch: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution, computed as a matrix product (thread-count independent)."""
    if stride == 1:
        return PointwiseConv2d(in_ch, out_ch)
    return StridedPointwiseConv2d(in_ch, out_ch, stride)


def subpel_conv3x3(in_ch: int, out_ch: int, r: int = 1) -> nn.Sequential:
    """Sub-pixel convolution (Shi et al. 2016): 3x3 conv to ``out_ch * r²`` channels,
    then a pixel shuffle that trades them for an ``r``-times larger grid."""
    return nn.Sequential(nn.Conv2d(in_ch, out_ch * r**2, kernel_size=3, padding=1), nn.PixelShuffle(r))


class ResidualBlockWithStride(nn.Module):
    """Down-sampling residual block: 3x3/stride conv, LeakyReLU, 3x3 conv, normalisation,
    plus a 1x1/stride shortcut where the shape changes."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 2, nonlinearity: str = "gdn"):
        super().__init__()
        self.conv1 = conv3x3(in_ch, out_ch, stride=stride)
        self.leaky_relu = nn.LeakyReLU()
        self.conv2 = conv3x3(out_ch, out_ch)
        self.gdn = get_nonlinearity(nonlinearity, out_ch)
        self.skip = conv1x1(in_ch, out_ch, stride=stride) if stride != 1 or in_ch != out_ch else None

    def forward(self, x: Tensor) -> Tensor:
        out = self.gdn(self.conv2(self.leaky_relu(self.conv1(x))))
        return out + (x if self.skip is None else self.skip(x))


class ResidualBlockUpsample(nn.Module):
    """Up-sampling residual block: sub-pixel conv, LeakyReLU, 3x3 conv, inverse
    normalisation, plus a sub-pixel shortcut."""

    def __init__(self, in_ch: int, out_ch: int, upsample: int = 2, nonlinearity: str = "gdn"):
        super().__init__()
        self.subpel_conv = subpel_conv3x3(in_ch, out_ch, upsample)
        self.leaky_relu = nn.LeakyReLU()
        self.conv = conv3x3(out_ch, out_ch)
        self.igdn = get_nonlinearity(nonlinearity, out_ch, inverse=True)
        self.upsample = subpel_conv3x3(in_ch, out_ch, upsample)

    def forward(self, x: Tensor) -> Tensor:
        out = self.igdn(self.conv(self.leaky_relu(self.subpel_conv(x))))
        return out + self.upsample(x)


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions with LeakyReLU after each, plus an identity (or 1x1) shortcut."""

    def __init__(self, in_ch: int, out_ch: int):
        super().__init__()
        self.conv1 = conv3x3(in_ch, out_ch)
        self.leaky_relu = nn.LeakyReLU()
        self.conv2 = conv3x3(out_ch, out_ch)
        self.skip = conv1x1(in_ch, out_ch) if in_ch != out_ch else None

    def forward(self, x: Tensor) -> Tensor:
        out = self.leaky_relu(self.conv2(self.leaky_relu(self.conv1(x))))
        return out + (x if self.skip is None else self.skip(x))


class _ResidualUnit(nn.Module):
    """1x1 (N -> N/2), 3x3, 1x1 (N/2 -> N) bottleneck with ReLUs, added to its input."""

    def __init__(self, N: int):
        super().__init__()
        self.conv = nn.Sequential(
            conv1x1(N, N // 2), nn.ReLU(), conv3x3(N // 2, N // 2), nn.ReLU(), conv1x1(N // 2, N)
        )
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.conv(x) + x)


class AttentionBlock(nn.Module):
    """Simplified attention module (Cheng et al. 2020, Fig. 3): ``x + a(x) * sigmoid(b(x))``,
    ``a`` three residual units, ``b`` three residual units and a 1x1 convolution."""

    def __init__(self, N: int):
        super().__init__()
        self.conv_a = nn.Sequential(_ResidualUnit(N), _ResidualUnit(N), _ResidualUnit(N))
        self.conv_b = nn.Sequential(_ResidualUnit(N), _ResidualUnit(N), _ResidualUnit(N), conv1x1(N, N))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv_a(x) * torch.sigmoid(self.conv_b(x))
