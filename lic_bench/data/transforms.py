"""Crop transforms of the benchmark's data pipeline (Ferrari 2025, ferrari2025-registry,
section 6.5: random crop for training, center crop for validation, no crop for testing).

Each transform is ``(PIL image, seed) -> (3, H, W) float tensor``; the seed makes the
random crop reproducible per sample. Images smaller than the patch are padded by
reflection first (BSDS500's 321-pixel side is smaller than a 384 patch, for example).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from PIL import Image

from lic_bench.data.images import pil_to_float
from lic_bench.errors import UsageError


def _pad_to_at_least(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    ph, pw = max(0, height - x.shape[-2]), max(0, width - x.shape[-1])
    if ph == 0 and pw == 0:
        return x
    mode = "reflect" if ph < x.shape[-2] and pw < x.shape[-1] else "replicate"
    return F.pad(x[None], (0, pw, 0, ph), mode=mode)[0]


def pad_to_multiple(x: torch.Tensor, multiple: int, mode: str = "replicate") -> torch.Tensor:
    """Pad the bottom and right of ``x`` (``(..., H, W)``) so both sides divide by ``multiple``."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph == 0 and pw == 0:
        return x
    batched = x if x.dim() == 4 else x[None]
    out = F.pad(batched, (0, pw, 0, ph), mode=mode)
    return out if x.dim() == 4 else out[0]


@dataclass
class RandomCrop:
    """A ``patch_size`` square at a position drawn from the sample's seed."""

    patch_size: int = 256

    def __call__(self, image: Image.Image, seed: int) -> torch.Tensor:
        x = _pad_to_at_least(pil_to_float(image), self.patch_size, self.patch_size)
        rng = random.Random(seed)
        top = rng.randint(0, x.shape[-2] - self.patch_size)
        left = rng.randint(0, x.shape[-1] - self.patch_size)
        return x[:, top : top + self.patch_size, left : left + self.patch_size].contiguous()


@dataclass
class CenterCrop:
    """The central ``patch_size`` square (deterministic: for validation)."""

    patch_size: int = 256

    def __call__(self, image: Image.Image, seed: int = 0) -> torch.Tensor:
        x = _pad_to_at_least(pil_to_float(image), self.patch_size, self.patch_size)
        top = (x.shape[-2] - self.patch_size) // 2
        left = (x.shape[-1] - self.patch_size) // 2
        return x[:, top : top + self.patch_size, left : left + self.patch_size].contiguous()


@dataclass
class NoCrop:
    """The whole image, padded (replicating the border) to a multiple of ``multiple``
    when the model needs it; evaluation crops the reconstruction back."""

    multiple: int | None = None

    def __call__(self, image: Image.Image, seed: int = 0) -> torch.Tensor:
        x = pil_to_float(image)
        return pad_to_multiple(x, self.multiple) if self.multiple else x


_TRANSFORMS = {"random-crop": RandomCrop, "center-crop": CenterCrop, "no-crop": NoCrop}


def build_transform(spec: dict[str, Any], multiple: int | None = None):
    """Transform from a data config entry (``transform``, ``patch_size``)."""
    name = spec.get("transform", "center-crop")
    if name not in _TRANSFORMS:
        raise UsageError(f"unknown transform {name!r}; choose one of {', '.join(_TRANSFORMS)}")
    if name == "no-crop":
        return NoCrop(multiple=spec.get("multiple") or multiple)
    patch = int(spec.get("patch_size", 256))
    if multiple and patch % multiple:
        raise UsageError(f"patch_size {patch} is not a multiple of the model's {multiple}")
    return _TRANSFORMS[name](patch_size=patch)
