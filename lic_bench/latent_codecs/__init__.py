"""Latent codecs: how a latent becomes strings and back (see :mod:`.base`). Needs torch.

Building blocks: :class:`EntropyBottleneckCodec`, :class:`GaussianConditionalCodec`,
:class:`HyperpriorCodec` (h_a, a z codec, h_s, a y codec), :class:`GainedCodec` (gain
units as a wrapper; :class:`GainUnitsRate`, registered ``gain-units``, puts them on a
model), and the context models, y codecs conditioned on the hyperprior that declare
what they need of it (``needs``): :class:`JointContext` (``autoregressive-context``,
``checkerboard``) and :class:`ChannelSpatialContext` (``channel-wise``,
``uneven-channel-grouping``, ``unified-spatial-channel``), each coding in the order of
a registered spatial schedule (:mod:`lic_bench.context`); the channel codec nests a
slice codec per channel group (:class:`ChannelSliceCodec` or, with a spatial context,
:class:`SpatialSliceCodec`).
"""

from lic_bench.latent_codecs.base import (
    ConditionalCodec,
    Heads,
    LatentCodec,
    eval_transform,
    flat_names,
    split_params,
)
from lic_bench.latent_codecs.channel_context import (
    ChannelSpatialContext,
    UnevenChannelGrouping,
    UnifiedSpatialChannel,
    elic_groups,
    even_groups,
)
from lic_bench.latent_codecs.channel_slices import ChannelSliceCodec, SpatialSliceCodec
from lic_bench.latent_codecs.entropy_codecs import EntropyBottleneckCodec, GaussianConditionalCodec
from lic_bench.latent_codecs.gain import GainedCodec, GainUnitsRate
from lic_bench.latent_codecs.hyperprior import HyperpriorCodec
from lic_bench.latent_codecs.spatial_context import (
    AutoregressiveContext,
    CheckerboardContext,
    JointContext,
)

__all__ = [
    "AutoregressiveContext",
    "ChannelSliceCodec",
    "ChannelSpatialContext",
    "CheckerboardContext",
    "ConditionalCodec",
    "EntropyBottleneckCodec",
    "GainUnitsRate",
    "GainedCodec",
    "GaussianConditionalCodec",
    "Heads",
    "HyperpriorCodec",
    "JointContext",
    "LatentCodec",
    "SpatialSliceCodec",
    "UnevenChannelGrouping",
    "UnifiedSpatialChannel",
    "elic_groups",
    "even_groups",
    "eval_transform",
    "flat_names",
    "split_params",
]
