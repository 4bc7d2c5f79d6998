"""Convolution helpers shared by every transform.

``conv``/``deconv`` give the "same"-padded stride-2 layers of Ballé et al.'s models
(CompressAI's ``compressai.models.utils.conv``/``deconv`` layout, so state-dict
keys and shapes line up). ``pointwise`` is the 1x1 channel mix used by divisive
normalisation, computed with a matrix product: on this CPU PyTorch's oneDNN 1x1
convolution gives results that depend on the thread count, while the GEMM path
does not, and decoded images must be bit-identical whatever ``--threads`` says.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from torch import Tensor

__all__ = ["conv", "deconv", "pointwise", "PointwiseConv2d"]


def conv(in_channels: int, out_channels: int, kernel_size: int = 5, stride: int = 2) -> nn.Conv2d:
    """Strided convolution that divides the spatial size by ``stride``."""
    return nn.Conv2d(
        in_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=kernel_size // 2
    )


def deconv(
    in_channels: int, out_channels: int, kernel_size: int = 5, stride: int = 2
) -> nn.ConvTranspose2d:
    """Transposed convolution that multiplies the spatial size by ``stride``."""
    return nn.ConvTranspose2d(
        in_channels,
        out_channels,
        kernel_size=kernel_size,
        stride=stride,
        output_padding=stride - 1,
        padding=kernel_size // 2,
    )


def pointwise(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``out[b, i] = bias[i] + sum_j weight[i, j] * x[b, j]`` over an NCHW tensor.

    Same maths as ``F.conv2d(x, weight[..., None, None], bias)`` but through
    ``torch.matmul``, whose result does not change with the number of threads.
    """
    b, c, h, w = x.shape
    out = torch.matmul(weight.reshape(weight.shape[0], c), x.reshape(b, c, h * w))
    if bias is not None:
        out = out + bias.reshape(1, -1, 1)
    return out.reshape(b, -1, h, w)


class PointwiseConv2d(nn.Conv2d):
    """A 1x1 ``nn.Conv2d`` (same parameters and state-dict keys) whose forward uses
    :func:`pointwise`, so its output is independent of the thread count."""

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True):
        super().__init__(in_channels, out_channels, kernel_size=1, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        return pointwise(x, self.weight, self.bias)
