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

:class:`GainUnitsRate` is the registered ``variable-rate`` component (``gain-units``):
built from the settings of a model's ``variable_rate`` section, it wraps the codecs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import torch.nn as nn
from pydantic import Field
from torch import Tensor

from lic_bench.lambdas import GAIN_LAMBDAS
from lic_bench.latent_codecs.base import LatentCodec
from lic_bench.registry import VARIABLE_RATE
from lic_bench.variable_rate import GAIN_INITS, GainUnits, initial_gains

__all__ = ["GainUnitsRate", "GainedCodec"]

#: λ of one level: positive; 100 is far above any trained trade-off (MSE λ are below 1)
Lambda = Annotated[float, Field(gt=0, le=100)]


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


@VARIABLE_RATE.register("gain-units", taxonomy=["gain-units"], papers=["cui2021-asymmetric"])
class GainUnitsRate:
    """Gain units on y and on the hyperprior's z: one learned gain vector per λ (Cui et al. 2022).

    A ``variable-rate`` component is built from its section's settings and gives the λ
    of its levels (``lmbdas``) and :meth:`wrap`, which puts it around a model's codec.

    Args:
        lmbdas: λ of each level; quality ``q`` in [1, len(lmbdas)] selects (and
            interpolates) them. Default: CompressAI's MSE trade-offs of qualities 1-6
            (:data:`lic_bench.lambdas.GAIN_LAMBDAS`).
        gain_init: how the gains start: ``one`` (Cui et al.) or ``sqrt-lambda`` (spaced as
            the λ ask; a departure for short runs, see
            :func:`~lic_bench.variable_rate.initial_gains`).
    """

    def __init__(self, lmbdas: Annotated[list[Lambda], Field(min_length=1, max_length=64)] = GAIN_LAMBDAS,
                 gain_init: Literal[GAIN_INITS] = "one"):
        self.lmbdas = [float(v) for v in lmbdas]
        if not self.lmbdas:
            raise ValueError("gain units need at least one λ in lmbdas")
        self.init = initial_gains(self.lmbdas, gain_init)

    def wrap(self, codec: LatentCodec, channels: int, z_channels: int | None = None) -> LatentCodec:
        """``codec`` (y's, ``channels`` wide) inside gain units; with ``z_channels`` its
        ``z_codec`` too (the hyper gains of the gained mean-scale hyperprior)."""
        levels = len(self.lmbdas)
        if z_channels is not None:
            codec.z_codec = GainedCodec(codec.z_codec, levels, z_channels, prefix="hyper_", init=self.init)
        return GainedCodec(codec, levels, channels, init=self.init)
