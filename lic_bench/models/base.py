"""A model is transforms plus a latent codec: ``x ─ g_a ─ y ─ latent codec ─ ŷ ─ g_s ─ x̂``.

Conventions (CompressAI's): ``forward(x) -> {"x_hat", "likelihoods": {...}}``,
``compress(x) -> {"strings": [[bytes per image] per latent], "shape"}``,
``decompress(strings, shape) -> {"x_hat"}``, ``update(force=True)`` before coding,
``aux_loss()`` for the entropy bottleneck's quantiles. What the bitstream, bench
and decode paths read of a model is :class:`CodingModel`, which every
:class:`LatentCompressionModel` is: they call, and never probe for, its attributes.

The latent codec (:mod:`lic_bench.latent_codecs`) is the only place where latents are
coded; a model only runs g_a before it and g_s after it (in eval mode through
:func:`~lic_bench.latent_codecs.eval_transform`, the same arithmetic, faster).

State dict: keys are the flat ones of CompressAI's models (``g_a.0.weight``,
``h_s.2.bias``, ``entropy_bottleneck.quantiles``, ``gaussian_conditional.scale_table``,
...), whatever codecs hold them (:func:`~lic_bench.latent_codecs.base.flat_names`);
sub-modules are reachable by those names too (``model.h_s``, ``model.entropy_bottleneck``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import torch
import torch.nn as nn
from compressai.models.base import CompressionModel
from torch import Tensor

from lic_bench.latent_codecs.base import LatentCodec, eval_transform, flat_names, flat_prefixes
from lic_bench.latent_codecs.gain import GainedCodec
from lic_bench.variable_rate import interpolated_lambda

__all__ = ["CodingModel", "LatentCompressionModel", "TRAIN_CHANNELS_LAST"]

#: Train in channels-last memory format (see :meth:`LatentCompressionModel.forward`).
TRAIN_CHANNELS_LAST = True


@runtime_checkable
class CodingModel(Protocol):
    """The coding protocol: what coding, benchmarking and checking a model may rely on.

    ``compress(x, quality=None)`` / ``decompress(strings, shape, quality=None)`` take
    ``quality`` always (None for a fixed-rate model); ``update(force=...)`` builds the
    coder tables; ``name`` and ``config`` are the registry id and resolved config
    (``build_model`` sets them); ``weights_info`` says where the weights came from;
    ``M`` is the latent width (memory budget); ``downsampling_factor`` what input sizes
    are padded to a multiple of; ``n_strings`` the strings one image is coded into;
    ``context_model`` the y context id (``none``); ``variable_rate`` whether it takes
    a quality. The transforms ``g_a``/``g_s`` are modules; :meth:`eval_transforms`
    gives what coding runs for each transform (the benchmark's transform stages),
    :meth:`parameter_networks` and :meth:`gaussian_outputs` the networks that predict
    y's Gaussian parameters (the determinism check and calibration adjust them), and
    :meth:`pinned_threads` the threads its coding is pinned to (None: the caller's).
    A model from elsewhere gets the protocol from an adapter
    (:class:`lic_bench.bench.compare.CompressAITwin`).
    """

    name: str
    config: dict[str, Any] | None
    weights_info: dict[str, Any]
    M: int
    variable_rate: bool
    default_quality: float | None
    context_model: str
    g_a: nn.Module
    g_s: nn.Module

    @property
    def downsampling_factor(self) -> int: ...

    @property
    def n_strings(self) -> int: ...

    def update(self, scale_table=None, force: bool = False) -> bool: ...

    def compress(self, x: Tensor, quality: float | None = None) -> dict[str, Any]: ...

    def decompress(self, strings: list, shape, quality: float | None = None) -> dict[str, Tensor]: ...

    def eval_transforms(self) -> dict[str, Callable[[Tensor], Any]]: ...

    def parameter_networks(self) -> dict[str, list[nn.Module]]: ...

    def gaussian_outputs(self) -> list[tuple[nn.Module, nn.Module | None]]: ...

    def pinned_threads(self) -> int | None: ...


class LatentCompressionModel(CompressionModel):
    """``g_a``, a latent codec and ``g_s``.

    Args:
        g_a, g_s: analysis and synthesis transforms.
        latent_codec: codes ``y`` (a :class:`GainedCodec` at the top makes the model
            variable-rate).
        quantizer: the training quantizer the codecs share (inference rounds).
        stages: stride-2 stages between the image and the deepest latent.
        lmbdas: λ of each gain level (variable-rate models).
        default_quality: quality used when none is given outside training.
    """

    #: set by :func:`~lic_bench.models.build_model` (registry id, resolved config)
    name: str = ""
    config: dict[str, Any] | None = None
    #: where the weights came from (:mod:`lic_bench.models.seeded`, checkpoints, published)
    weights_info: dict[str, Any] = {"init": "unknown"}
    context_model: str = "none"
    default_quality: float | None = None

    def _assemble(
        self,
        g_a: nn.Module,
        g_s: nn.Module,
        latent_codec: LatentCodec,
        quantizer: nn.Module,
        stages: int,
        lmbdas: Sequence[float] = (),
        default_quality: float | None = None,
    ) -> None:
        self.g_a, self.g_s, self.latent_codec, self.quantizer = g_a, g_s, latent_codec, quantizer
        self._stages = int(stages)
        self.variable_rate = isinstance(latent_codec, GainedCodec)
        self.lmbdas = [float(v) for v in lmbdas]
        self.levels = len(self.lmbdas)
        if self.variable_rate:
            self.default_quality = float(self.levels if default_quality is None else default_quality)
        self._flat = flat_names(self)
        self._internal = {v: k for k, v in self._flat.items()}
        self._by_flat_name = self._flat_modules()
        self._register_load_state_dict_pre_hook(self._unflatten_hook)

    # -- names ---------------------------------------------------------------------
    def _flat_modules(self) -> dict[str, nn.Module]:
        """Flat name -> module (the first module with that name: a codec that drops its
        own name leaves the name to what it holds)."""
        prefix = flat_prefixes(self)
        found: dict[str, nn.Module] = {}
        for name, module in self.named_modules():
            if name and prefix[name] and prefix[name] != prefix[name.rpartition(".")[0]]:
                found.setdefault(prefix[name][:-1], module)
        return found

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            found = self.__dict__.get("_by_flat_name", {}).get(name)
            if found is None:
                raise
            return found

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        if args:  # the positional form of torch's old signature
            destination = args[0]
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        inner = super().state_dict(prefix=prefix, keep_vars=keep_vars)
        out = OrderedDict() if destination is None else destination
        for key, value in inner.items():
            local = key[len(prefix):]
            out[prefix + self._flat.get(local, local)] = value
        if hasattr(inner, "_metadata"):
            meta = getattr(out, "_metadata", None)
            if meta is None:
                out._metadata = OrderedDict()
            out._metadata.update(inner._metadata)
        return out

    def _unflatten(self, state: dict[str, Any], prefix: str = "") -> None:
        for flat, internal in self._internal.items():
            if flat != internal and prefix + flat in state:
                state[prefix + internal] = state.pop(prefix + flat)

    def _unflatten_hook(self, state_dict, prefix, *args) -> None:
        self._unflatten(state_dict, prefix)

    def load_state_dict(self, state_dict, strict: bool = True):
        state = OrderedDict(state_dict)
        self._unflatten(state)
        return super().load_state_dict(state, strict=strict)

    # -- properties ------------------------------------------------------------------
    @property
    def downsampling_factor(self) -> int:
        return 2**self._stages

    @property
    def n_strings(self) -> int:
        return self.latent_codec.n_strings

    def _quality(self, quality: float | None) -> float | None:
        if not self.variable_rate:
            if quality is not None:
                raise ValueError("a fixed-rate model takes no quality")
            return None
        q = self.default_quality if quality is None else float(quality)
        if not 1.0 <= q <= self.levels:
            raise ValueError(f"quality must lie in [1, {self.levels}], got {q:g}")
        return q

    # -- the three passes ------------------------------------------------------------
    def forward(self, x: Tensor, quality: float | None = None) -> dict[str, Any]:
        if self.variable_rate and quality is None and self.training:
            # One level per sample, each trained with its own λ (out["lmbda"] is then a
            # (B,) tensor). torch's generator, so torch.manual_seed makes it reproducible.
            q: Any = (torch.randint(self.levels, (x.shape[0],)) + 1).to(x.device, x.dtype)
        else:
            q = self._quality(quality)
        if self.training and TRAIN_CHANNELS_LAST:
            # Training runs channels-last: oneDNN's NHWC convolutions are faster, and the
            # divisive normalisations mix channels on the NHWC view without copies.
            # Coding never sees this path (it runs in eval mode, NCHW).
            x = x.contiguous(memory_format=torch.channels_last)
        out = self.latent_codec(eval_transform(self.g_a)(x), quality=q)
        result = {"x_hat": eval_transform(self.g_s)(out["y_hat"]), "likelihoods": out["likelihoods"]}
        if self.variable_rate:
            result["lmbda"] = interpolated_lambda(self.lmbdas, q)
            result["quality"] = q
        return result

    @torch.no_grad()
    def compress(self, x: Tensor, quality: float | None = None) -> dict[str, Any]:
        q = self._quality(quality)
        out = self.latent_codec.compress(eval_transform(self.g_a)(x), quality=q)
        coded = {"strings": out["strings"], "shape": tuple(out["shape"])}
        if q is not None:
            coded["quality"] = q
        return coded

    def decompress_latent(self, strings: list, shape, quality: float | None = None) -> Tensor:
        """ŷ from the strings (the entropy-decoding part of :meth:`decompress`)."""
        with torch.no_grad():
            return self.latent_codec.decompress(strings, tuple(shape), quality=self._quality(quality))["y_hat"]

    @torch.no_grad()
    def decompress(self, strings: list, shape, quality: float | None = None) -> dict[str, Tensor]:
        y_hat = self.decompress_latent(strings, shape, quality)
        return {"x_hat": eval_transform(self.g_s)(y_hat).clamp_(0, 1)}

    def eval_transforms(self) -> dict[str, Callable[[Tensor], Any]]:
        """What ``compress``/``decompress`` run for each transform (for the benchmark's
        transform-only stages): ``g_a``, ``h_a`` (with the hyper input applied), every
        hyper-synthesis head, ``g_s``."""
        return {"g_a": eval_transform(self.g_a), **self.latent_codec.eval_transforms(),
                "g_s": eval_transform(self.g_s)}

    def parameter_networks(self) -> dict[str, list[nn.Module]]:
        """The networks that predict y's Gaussian parameters, by state-dict name: the
        hyper-synthesis (``h_s``, or ``h_s_mean`` and ``h_s_scale``), a spatial context's
        ``entropy_parameters``, a channel context's ``cc_*``/``ep_*`` (one per slice)."""
        return self.latent_codec.parameter_networks()

    def gaussian_outputs(self) -> list[tuple[nn.Module, nn.Module | None]]:
        """The networks whose last layers output σ and μ (see
        :meth:`~lic_bench.latent_codecs.base.LatentCodec.gaussian_outputs`)."""
        return self.latent_codec.gaussian_outputs()

    def pinned_threads(self) -> int | None:
        """Intra-op threads its coding is pinned to for bit-exact decoding (None: any)."""
        return self.latent_codec.pinned_threads()
