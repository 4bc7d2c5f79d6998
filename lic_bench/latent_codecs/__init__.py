"""Latent codecs: how a latent becomes strings and back (see :mod:`.base`). Needs torch.

Building blocks: :class:`EntropyBottleneckCodec`, :class:`GaussianConditionalCodec`,
:class:`HyperpriorCodec` (h_a, a z codec, h_s, a y codec), :class:`GainedCodec` (gain
units as a wrapper). The context models of :mod:`lic_bench.context` are y codecs of
the same interface.
"""

from lic_bench.latent_codecs.base import (
    ConditionalCodec,
    Heads,
    LatentCodec,
    eval_transform,
    flat_names,
    split_params,
)
from lic_bench.latent_codecs.entropy_codecs import EntropyBottleneckCodec, GaussianConditionalCodec
from lic_bench.latent_codecs.gain import GainedCodec
from lic_bench.latent_codecs.hyperprior import HyperpriorCodec

__all__ = [
    "ConditionalCodec",
    "EntropyBottleneckCodec",
    "GainedCodec",
    "GaussianConditionalCodec",
    "Heads",
    "HyperpriorCodec",
    "LatentCodec",
    "eval_transform",
    "flat_names",
    "split_params",
]
