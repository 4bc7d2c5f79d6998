"""Causal masks of spatial context models and the masked convolution that carries them.

Three families of masks, all over a ``k x k`` kernel centred on the element being coded:

* ``raster_mask(k)``: PixelCNN "type A" mask used by Minnen et al., "Joint
  Autoregressive and Hierarchical Priors for Learned Image Compression", 2018
  (``minnen2018-joint``) -- every element above, and to the left on the same row::

      1 1 1 1 1
      1 1 1 1 1
      1 1 . 0 0
      0 0 0 0 0
      0 0 0 0 0

* ``checkerboard_mask(k)``: He et al., "Checkerboard Context Model for Efficient
  Learned Image Compression", 2021 (``he2021-checkerboard``) -- the taps at odd
  Manhattan distance, i.e. the anchors around a non-anchor.
* ``patch_mask(p, k, index)``: Uludağ, "Deep learning based image compression with a
  unified spatial and channel context model", 2022 (``uludag2022-deep``), ch. 4.3 --
  the latent is cut into ``p x p`` patches, the element with in-patch index
  ``r * p + c`` sees the neighbours (in its own and in neighbouring patches) whose
  in-patch index is smaller.

:class:`MaskedConv2d` keeps the mask as a buffer named ``mask`` shaped like the
weight, as CompressAI's ``MaskedConv2d`` does, so state dicts load into either.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    "MaskedConv2d",
    "checkerboard_mask",
    "mask_taps",
    "patch_index",
    "patch_mask",
    "raster_mask",
]


def raster_mask(k: int = 5) -> Tensor:
    """Raster-scan causal mask (PixelCNN type A): rows above, and left on the centre row."""
    m = torch.zeros(k, k, dtype=torch.bool)
    m[: k // 2, :] = True
    m[k // 2, : k // 2] = True
    return m


def checkerboard_mask(k: int = 5) -> Tensor:
    """Taps at odd Manhattan distance from the centre (the anchors of a non-anchor)."""
    d = torch.arange(k) - k // 2
    return ((d[:, None] + d[None, :]) % 2).bool()


def patch_index(i: Tensor | int, j: Tensor | int, p: int):
    """In-patch raster index ``(i mod p) * p + (j mod p)`` of latent position ``(i, j)``."""
    return (i % p) * p + (j % p)


def patch_mask(p: int, k: int, index: int) -> Tensor:
    """Mask of the kernel used for elements with in-patch index ``index``.

    A tap ``(dy, dx)`` is on when the neighbour it reads has a smaller in-patch index;
    that neighbour was coded at an earlier step whichever patch it belongs to.
    """
    r, c = divmod(index, p)
    d = torch.arange(k) - k // 2
    return patch_index(r + d[:, None], c + d[None, :], p) < index


def mask_taps(mask: Tensor) -> tuple[Tensor, Tensor]:
    """Offsets ``(dy, dx)`` of the taps a mask keeps, relative to the kernel centre."""
    k = mask.shape[-1]
    dy, dx = torch.nonzero(mask.cpu(), as_tuple=True)  # schedules index on the CPU
    return dy - k // 2, dx - k // 2


class MaskedConv2d(nn.Conv2d):
    """A ``k x k`` "same" convolution whose kernel is multiplied by a fixed 0/1 mask.

    Args:
        in_channels, out_channels, kernel_size: as ``nn.Conv2d`` (stride 1, padding k//2).
        mask: a ``(k, k)`` boolean mask (default: :func:`raster_mask`).
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int = 5, mask: Tensor | None = None
    ):
        super().__init__(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        if mask is None:
            mask = raster_mask(kernel_size)
        if tuple(mask.shape) != (kernel_size, kernel_size):
            raise ValueError(f"mask shape {tuple(mask.shape)} != kernel {kernel_size}")
        full = mask.to(self.weight.dtype).expand_as(self.weight).clone()
        self.register_buffer("mask", full)

    @property
    def mask2d(self) -> Tensor:
        return self.mask[0, 0].bool()

    def masked_weight(self) -> Tensor:
        return self.weight * self.mask

    def forward(self, x: Tensor) -> Tensor:
        # Multiplying on the fly (CompressAI overwrites weight.data) keeps the
        # optimiser state of the masked taps at zero-gradient instead of mutating it.
        return F.conv2d(x, self.masked_weight(), self.bias, padding=self.padding)
