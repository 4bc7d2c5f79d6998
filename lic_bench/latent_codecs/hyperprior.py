"""The hyperprior codec: side information z that predicts the density of y.

Ballé et al., "Variational image compression with a scale hyperprior", 2018
(``balle2018-variational``); mean-scale form Minnen et al. 2018 (``minnen2018-joint``)::

    y ─┬─────────────────────────── y codec (params) ─ ŷ
       └ h_a ─ z ─ z codec ─ ẑ ─ h_s ─ params ─┘

The one copy of this pipeline: every hyperprior model -- scale, mean-scale, with a
spatial or channel context, with gain units -- runs through it, with a different
y codec (:class:`~lic_bench.latent_codecs.GaussianConditionalCodec`, a context model
of :mod:`lic_bench.context`) or z codec (gain units around the entropy bottleneck).
Strings are ``[y strings, z strings]`` and the shape is z's, as in CompressAI.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.latent_codecs.base import ConditionalCodec, Heads, LatentCodec, eval_transform

__all__ = ["HyperpriorCodec"]


class HyperpriorCodec(LatentCodec):
    """``h_a``, a z codec, ``h_s`` and a y codec conditioned on ``h_s``'s output.

    Args:
        h_a, h_s: hyper-analysis and hyper-synthesis transforms.
        z_codec: codec of z (an entropy bottleneck, possibly with gain units).
        y_codec: conditional codec of y.
        hyper_input: ``"abs"`` feeds ``|y|`` to ``h_a`` (Ballé 2018), ``"identity"`` y.
    """

    def __init__(self, h_a: nn.Module, z_codec: LatentCodec, h_s: nn.Module, y_codec: ConditionalCodec,
                 hyper_input: str = "identity"):
        super().__init__()
        if hyper_input not in ("abs", "identity"):
            raise ValueError(f"hyper_input is abs or identity, got {hyper_input!r}")
        self.h_a, self.z_codec, self.h_s, self.y_codec = h_a, z_codec, h_s, y_codec
        self.hyper_input = hyper_input

    @property
    def n_strings(self) -> int:  # y's strings, then z's
        return self.y_codec.n_strings + self.z_codec.n_strings

    def pinned_threads(self):
        return self.y_codec.pinned_threads()

    def synthesis_heads(self) -> dict[str, nn.Module]:
        """The hyper-synthesis by state-dict name: ``h_s``, or its heads in output
        order (``(means, scales)``, e.g. ``h_s_mean``, ``h_s_scale``)."""
        if isinstance(self.h_s, Heads):
            return dict(self.h_s.named_children())
        return {"h_s": self.h_s}

    def eval_transforms(self) -> dict[str, Any]:
        out: dict[str, Any] = {"h_a": self._z}
        out.update({name: eval_transform(m) for name, m in self.synthesis_heads().items()})
        return out

    def parameter_networks(self) -> dict[str, list[nn.Module]]:
        heads = {name: [m] for name, m in self.synthesis_heads().items()}
        return {**heads, **self.y_codec.parameter_networks()}

    def gaussian_outputs(self) -> list[tuple[nn.Module, nn.Module | None]]:
        own = self.y_codec.gaussian_outputs()
        if own:
            return own
        heads = list(self.synthesis_heads().values())
        return [(heads[1], heads[0])] if len(heads) == 2 else [(heads[0], None)]

    def _z(self, y: Tensor) -> Tensor:
        return eval_transform(self.h_a)(torch.abs(y) if self.hyper_input == "abs" else y)

    def forward(self, y: Tensor, quality: Any = None) -> dict[str, Any]:
        z_out = self.z_codec(self._z(y), quality=quality)
        with self.y_codec.coding_context():
            params = eval_transform(self.h_s)(z_out["y_hat"])
            y_out = self.y_codec(y, params)
        return {"y_hat": y_out["y_hat"],
                "likelihoods": {"y": y_out["likelihoods"]["y"], "z": z_out["likelihoods"]["y"]}}

    def compress(self, y: Tensor, quality: Any = None) -> dict[str, Any]:
        z = self._z(y)
        z_out = self.z_codec.compress(z, quality=quality)
        with self.y_codec.coding_context():
            params = eval_transform(self.h_s)(z_out["y_hat"])
            y_out = self.y_codec.compress(y, params)
        return {"strings": [*y_out["strings"], *z_out["strings"]], "shape": z_out["shape"]}

    def decompress(self, strings: list, shape, quality: Any = None) -> dict[str, Any]:
        n = self.y_codec.n_strings
        if len(strings) != n + self.z_codec.n_strings:
            raise ValueError(f"a hyperprior codec reads {n + self.z_codec.n_strings} string lists, got {len(strings)}")
        z_hat = self.z_codec.decompress(strings[n:], shape, quality=quality)["y_hat"]
        with self.y_codec.coding_context():
            params = eval_transform(self.h_s)(z_hat)
            return self.y_codec.decompress(strings[:n], params)
