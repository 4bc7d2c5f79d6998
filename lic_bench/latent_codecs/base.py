"""The latent-codec interface, and the eval-mode helpers every codec shares.

A latent codec turns a latent ``y`` into strings and back, and tells training what
it would cost (the idea of CompressAI's ``compressai/latent_codecs``; written anew)::

    codec(y, quality=None)                 -> {"y_hat", "likelihoods": {name: tensor}}
    codec.compress(y, quality=None)        -> {"strings": [[bytes per image], ...], "shape", "y_hat"}
    codec.decompress(strings, shape, quality=None) -> {"y_hat"}

A *conditional* codec (the y codec inside a hyperprior) takes the hyper-synthesis
output ``params`` instead of a shape::

    codec(y, params) / codec.compress(y, params) / codec.decompress(strings, params)

``quality`` is only read by gain units (:mod:`.gain`); other codecs pass it down.

Eval mode is the fast path: a codec not in training runs its transforms through
:func:`eval_transform` (the same arithmetic, bit for bit, in less time) and codes
through :mod:`lic_bench.entropy.internals`. There is no second implementation to
switch to.

State-dict names: a codec's ``state_name`` replaces its own name in the keys of what
it holds (``""``, the default, drops it), so a model built from codecs keeps CompressAI's
flat keys (``h_a.0.weight``, ``entropy_bottleneck.quantiles``, ...)
(:func:`flat_names`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.entropy.internals import memo, module_state
from lic_bench.fastpath import FastSequential

__all__ = [
    "ConditionalCodec",
    "LatentCodec",
    "eval_transform",
    "flat_names",
    "flat_prefixes",
    "split_params",
]


class LatentCodec(nn.Module):
    """Base of every latent codec (see the module docstring for the interface)."""

    #: its segment in state-dict keys ("" drops it; see :func:`flat_names`)
    state_name = ""
    #: strings this codec writes per image (``len(compress(...)["strings"])``)
    n_strings = 1

    def coding_context(self) -> contextlib.AbstractContextManager:
        """The thread setting its coding must run under (context codecs pin it)."""
        return contextlib.nullcontext()

    def pinned_threads(self) -> int | None:
        """Intra-op threads its coding is pinned to (None: the caller's)."""
        return None

    def eval_transforms(self) -> dict[str, Any]:
        """What its coding runs for each transform it holds, by state-dict name
        (a hyperprior: ``h_a`` with its input applied, every hyper-synthesis head)."""
        return {}

    def parameter_networks(self) -> dict[str, list[nn.Module]]:
        """The networks that predict y's Gaussian parameters, by state-dict name, in
        creation order (a channel context: one per slice)."""
        return {}

    def gaussian_outputs(self) -> list[tuple[nn.Module, nn.Module | None]]:
        """``(scale network, mean network)`` whose last layers output σ and μ (one pair
        per slice of a channel context); ``(network, None)``: one network outputs σ in
        its first M channels (then μ, for mean-scale)."""
        return []


class ConditionalCodec(LatentCodec):
    """A y codec conditioned on hyper parameters (``params``)."""

    #: what the hyper-synthesis must give: "scale" (σ), "mean-scale" (σ, μ)
    needs = "scale"


def split_params(params, mean_scale: bool) -> tuple[Tensor, Tensor | None]:
    """``(scales, means)`` from a hyper-synthesis output: a ``(means, scales)`` pair
    (two hyper decoders), a ``2M``-channel map ``(σ | μ)`` (mean-scale), or σ alone."""
    if isinstance(params, (tuple, list)):
        means, scales = params
        return scales, means
    if mean_scale:
        scales, means = params.chunk(2, 1)
        return scales, means
    return params, None


def _is_fast(module: nn.Module) -> bool:
    # The fast path is float32 arithmetic; under autocast (bf16-mixed validation) the
    # module itself runs, so autocast chooses each op's dtype.
    return (not module.training and not torch.is_grad_enabled()
            and not any(torch.is_autocast_enabled(d) for d in ("cpu", "cuda")))


def eval_transform(module: nn.Module):
    """``module`` itself while training or under autograd, else its cached
    :class:`~lic_bench.fastpath.FastSequential` (same arithmetic, faster); a module
    with ``heads`` (several parallel transforms) gives the tuple of their outputs."""
    if isinstance(module, Heads):
        fns = [eval_transform(h) for h in module.heads]
        return lambda x: tuple(f(x) for f in fns)
    if not isinstance(module, nn.Sequential) or not _is_fast(module):
        return module
    return memo(module, "fast_sequential", module_state(module), lambda: FastSequential(module))


class Heads(nn.Module):
    """Parallel transforms on one input (e.g. the separate mean and scale hyper
    decoders of Minnen & Singh 2020): ``forward(x) -> tuple``. Keeps its children's
    own names in the state dict."""

    state_name = ""

    def __init__(self, **heads: nn.Module):
        super().__init__()
        for name, module in heads.items():
            self.add_module(name, module)

    @property
    def heads(self) -> list[nn.Module]:
        return list(self.children())

    def forward(self, x: Tensor) -> tuple[Tensor, ...]:
        return tuple(h(x) for h in self.children())


def flat_prefixes(model: nn.Module) -> dict[str, str]:
    """Internal module name -> its flat state-dict prefix (``""`` or ending in ``.``):
    a module's ``state_name`` (when it has one) replaces its own name; ``""`` drops it."""
    prefix = {"": ""}
    for name, module in model.named_modules():
        if not name:
            continue
        parent, _, leaf = name.rpartition(".")
        own = getattr(module, "state_name", None)
        own = leaf if own is None else own
        prefix[name] = f"{prefix[parent]}{own}." if own else prefix[parent]
    return prefix


def flat_names(model: nn.Module) -> dict[str, str]:
    """Internal state-dict key -> flat key (see :func:`flat_prefixes`)."""
    prefix = flat_prefixes(model)
    out = {}
    for key in nn.Module.state_dict(model, keep_vars=True):
        owner, _, leaf = key.rpartition(".")
        out[key] = prefix[owner] + leaf
    if len(set(out.values())) != len(out):
        raise ValueError("two modules of the model would share a state-dict key")
    return out


@contextlib.contextmanager
def training_mode(module: nn.Module, mode: bool) -> Iterator[None]:
    old = module.training
    module.train(mode)
    try:
        yield
    finally:
        module.train(old)
