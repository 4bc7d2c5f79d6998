"""Gain units as a codec wrapper (Cui et al., "Asymmetric Gained Deep Image
Compression With Continuous Rate Adaptation", 2022, ``cui2022-asymmetric``).

``GainedCodec(inner)`` scales the latent channel-wise by the gain of the requested
quality before ``inner`` codes it and undoes it with the inverse gain after::

    y ─ ×G(q) ─ inner codec ─ ×G⁻¹(q) ─ ŷ

Wrapped around a whole hyperprior codec and around its z codec, it gives the gained
mean-scale hyperprior of the paper (gain, inverse gain, hyper gain, inverse hyper gain);
around an entropy bottleneck it gives a variable-rate factorized prior; around a
context-model hyperprior a variable-rate context model. ``quality`` is one float in
``[1, levels]`` (interpolated between levels) or, in training, a ``(B,)`` tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch.nn as nn
from torch import Tensor

from lic_bench.latent_codecs.base import LatentCodec
from lic_bench.variable_rate import GainUnits

__all__ = ["GainedCodec"]


class GainedCodec(LatentCodec):
    """Gain units around ``inner``.

    Args:
        inner: the wrapped codec.
        levels: number of trained rate levels.
        channels: channels of the latent.
        prefix: names of the units in the state dict are ``<prefix>gain`` and
            ``inverse_<prefix>gain`` (``""`` for y, ``"hyper_"`` for z: the keys of
            the gained model).
        init: starting gain of each level (:func:`~lic_bench.variable_rate.initial_gains`);
            the inverse gains start at the reciprocals.
        unit: the class of the units, a ``variable-rate`` registry entry built as
            ``unit(levels, channels, init)`` and called as ``unit(x, quality)``
            (default :class:`~lic_bench.variable_rate.GainUnits`).
    """

    def __init__(self, inner: LatentCodec, levels: int, channels: int, prefix: str = "",
                 init: Sequence[float] | None = None, unit: type = GainUnits):
        super().__init__()
        self.inner = inner
        self.n_strings = inner.n_strings
        self._names = (f"{prefix}gain", f"inverse_{prefix}gain")
        start = [1.0] * levels if init is None else [float(v) for v in init]
        self.add_module(self._names[0], unit(levels, channels, start))
        self.add_module(self._names[1], unit(levels, channels, [1.0 / v for v in start]))

    def _units(self) -> tuple[nn.Module, nn.Module]:
        return getattr(self, self._names[0]), getattr(self, self._names[1])

    @staticmethod
    def _need(quality: Any) -> Any:
        if quality is None:
            raise ValueError("gain units need a quality")
        return quality

    def coding_context(self):
        return self.inner.coding_context()

    def pinned_threads(self):
        return self.inner.pinned_threads()

    def eval_transforms(self) -> dict[str, Any]:
        return self.inner.eval_transforms()

    def parameter_networks(self) -> dict[str, list[nn.Module]]:
        return self.inner.parameter_networks()

    def gaussian_outputs(self) -> list[tuple[nn.Module, nn.Module | None]]:
        return self.inner.gaussian_outputs()

    def forward(self, y: Tensor, quality: Any = None) -> dict[str, Any]:
        gain, inverse = self._units()
        q = self._need(quality)
        out = self.inner(gain(y, q), quality=quality)
        return {**out, "y_hat": inverse(out["y_hat"], q)}

    def compress(self, y: Tensor, quality: Any = None) -> dict[str, Any]:
        gain, inverse = self._units()
        q = self._need(quality)
        out = self.inner.compress(gain(y, q), quality=quality)
        if "y_hat" in out:
            out = {**out, "y_hat": inverse(out["y_hat"], q)}
        return out

    def decompress(self, strings: list, shape, quality: Any = None) -> dict[str, Any]:
        gain, inverse = self._units()
        q = self._need(quality)
        out = self.inner.decompress(strings, shape, quality=quality)
        return {**out, "y_hat": inverse(out["y_hat"], q)}
