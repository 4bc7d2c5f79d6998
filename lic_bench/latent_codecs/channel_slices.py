"""The codec of one channel slice, nested in the channel context codec
(:class:`~lic_bench.latent_codecs.channel_context.ChannelSpatialContext`), as
CompressAI's channel-groups codec nests one latent codec per group.

Two kinds; the channel codec picks one when it is built (by whether its spatial
schedule has context kernels), so its coding methods never ask which it has:

* :class:`ChannelSliceCodec` -- no spatial context (Minnen & Singh 2020,
  ``minnen2020-channel-wise``): the channel prediction networks give the slice's
  Gaussian parameters directly, every position is coded in one step, and the y codec
  (a Gaussian conditional) codes the slice from them.
* :class:`SpatialSliceCodec` -- a spatial context inside the slice (He et al. 2022,
  ``he2022-elic``; Uludağ 2022, ``uludag2022-deep``): the channel prediction networks
  see only the previous slices, masked convolutions see the slice's own decoded
  elements, and two entropy-parameter networks (mean, scale) combine them with the
  hyperprior; it takes the y codec as the spatial context codec does.

Per slice ``i`` (``C`` channels, support ``S_i``, hyper parameters ``μ'``/``σ'``; see
the channel codec's docstring for the equations) a slice codec gives

* ``maps(μ', σ', S_i)``: the full-resolution inputs known before the slice is coded;
* ``forward(y_i, maps, steps)``: the training forward, ``(ŷ_i, likelihoods)``;
* ``code(y_i, maps, steps, coder, offset)``: quantize, encode or decode the slice
  position-major (:mod:`lic_bench.context.spatial_coder`) with the channel codec's
  shared :class:`~lic_bench.context.coding.SymbolCoder` (all slices form one string).

A slice codec is not a module of its own: its networks are kept by the channel codec
in per-kind lists (``cc_mean.i``, ``spatial_context.i``, ...; :attr:`networks`), which
are the state-dict keys of the channel-wise presets, and they are created in the
order those presets' seeded weights were drawn in.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.context.coding import SpatialKernels, SymbolCoder, memo, module_state
from lic_bench.context.masks import MaskedConv2d
from lic_bench.context.schedule import Step
from lic_bench.context.spatial_coder import MLP, code_positions, context_plan, position_major
from lic_bench.latent_codecs.base import ConditionalCodec
from lic_bench.layers import PointwiseConv2d, get_nonlinearity

__all__ = ["ChannelSliceCodec", "SpatialSliceCodec", "channel_net", "pointwise_net"]


def _conv3(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, padding=1)


def channel_net(cin: int, cout: int, widths: Sequence[int], act: str) -> nn.Sequential:
    """Three-by-three convolutions ``cin -> widths... -> cout`` (Minnen & Singh's channel
    prediction and LRP networks)."""
    layers: list[nn.Module] = []
    for w in widths:
        layers += [_conv3(cin, w), get_nonlinearity(act, w)]
        cin = w
    layers.append(_conv3(cin, cout))
    return nn.Sequential(*layers)


def pointwise_net(cin: int, cout: int, act: str) -> nn.Sequential:
    """The three-layer 1x1 entropy-parameter network (seed 004 Fig. 4.8)."""
    h1, h2 = max(cout, cin * 2 // 3), max(cout, cin // 3)
    return nn.Sequential(
        PointwiseConv2d(cin, h1),
        get_nonlinearity(act, h1),
        PointwiseConv2d(h1, h2),
        get_nonlinearity(act, h2),
        PointwiseConv2d(h2, cout),
    )


class ChannelSliceCodec:
    """One slice with no spatial context: ``μ_i = cc_mean_i(cat(μ', S_i))``,
    ``σ_i = cc_scale_i(cat(σ', S_i))``, coded by the y codec in one step.

    Args:
        index: the slice's position among the slices.
        channels: its channels ``C``.
        support_channels: channels of the decoded slices it is conditioned on.
        hyper_channels: channels of each hyper branch (μ', σ').
        y_codec: the codec of its elements (a Gaussian conditional).
        widths, activation: of the channel prediction networks.
        masks, kernel_size: unused (it has no context kernels); taken so that both kinds
            are built alike.
    """

    def __init__(self, index: int, channels: int, support_channels: int, hyper_channels: int, *,
                 y_codec: ConditionalCodec, widths: Sequence[int], activation: str,
                 masks: Sequence[Tensor] = (), kernel_size: int = 5):
        self.index, self.channels, self.y_codec = int(index), int(channels), y_codec
        cin = hyper_channels + support_channels
        self.cc_mean = channel_net(cin, channels, widths, activation)
        self.cc_scale = channel_net(cin, channels, widths, activation)
        #: its context convolutions (none)
        self.kernels: Sequence[MaskedConv2d] = ()

    @property
    def networks(self) -> list[tuple[str, nn.Module]]:
        """``(list name in the channel codec, network)`` in the order they were built."""
        return [("cc_mean", self.cc_mean), ("cc_scale", self.cc_scale)]

    @property
    def parameter_nets(self) -> tuple[nn.Module, nn.Module]:
        """The networks whose last layer outputs the scales and the means."""
        return self.cc_scale, self.cc_mean

    def maps(self, hm: Tensor, hs: Tensor, support: list[Tensor]) -> tuple[Tensor, Tensor]:
        # here the maps are the Gaussian means and scales themselves
        return self.cc_mean(torch.cat([hm, *support], 1)), self.cc_scale(torch.cat([hs, *support], 1))

    def forward(self, y: Tensor, maps: tuple[Tensor, Tensor], steps: list[Step]) -> tuple[Tensor, Tensor]:
        out = self.y_codec(y, maps)  # maps = (means, scales), as two hyper decoders give them
        return out["y_hat"], out["likelihoods"]["y"]

    def code(self, y: Tensor | None, maps: tuple[Tensor, Tensor], steps: list[Step], coder: SymbolCoder,
             offset: Tensor | None) -> dict[str, Tensor]:
        mean_in, scale_in = maps
        B, _, H, W = mean_in.shape
        plan = context_plan(steps, [], W, mean_in.device)
        rows = [(position_major(mean_in[b]), position_major(scale_in[b])) for b in range(B)]

        def params_at(b: int, pos: Tensor, ctx: None) -> tuple[Tensor, Tensor]:
            return rows[b][1].index_select(0, pos), rows[b][0].index_select(0, pos)

        return code_positions(y, (B, self.channels, H, W), plan, params_at, coder, offset, like=mean_in)


class SpatialSliceCodec:
    """One slice with a spatial context inside: ``ch = cc_*_i(S_i)`` (none for the
    first slice), ``cp = spatial_i(ŷ_i, causal)`` (one masked convolution per kernel
    of the schedule, ``C -> 2 * 2C``, split into a mean and a scale half), and
    ``μ_i = ep_mean_i(cat(μ', ch_μ, cp_μ))``, ``σ_i = ep_scale_i(cat(σ', ch_σ, cp_σ))``;
    the y codec codes the slice from them.

    Args: as :class:`ChannelSliceCodec`; ``masks`` are the schedule's context kernels'
    masks (at least one) and ``kernel_size`` their size.
    """

    def __init__(self, index: int, channels: int, support_channels: int, hyper_channels: int, *,
                 y_codec: ConditionalCodec, widths: Sequence[int], activation: str,
                 masks: Sequence[Tensor] = (), kernel_size: int = 5):
        if not masks:
            raise ValueError("a spatial slice codec needs the masks of at least one context kernel")
        self.index, self.channels, self.y_codec = int(index), int(channels), y_codec
        C = int(channels)
        ch = 2 * C if index > 0 else 0  # channel context channels per branch
        self.cc_mean = channel_net(support_channels, ch, widths, activation) if index else nn.Identity()
        self.cc_scale = channel_net(support_channels, ch, widths, activation) if index else nn.Identity()
        sp = 2 * C  # spatial context channels per branch
        self.spatial_context = nn.ModuleList(MaskedConv2d(C, 2 * sp, kernel_size, mask=m) for m in masks)
        self.ep_mean = pointwise_net(hyper_channels + ch + sp, C, activation)
        self.ep_scale = pointwise_net(hyper_channels + ch + sp, C, activation)
        #: its context convolutions, one per kernel of the schedule
        self.kernels: Sequence[MaskedConv2d] = self.spatial_context

    @property
    def networks(self) -> list[tuple[str, nn.Module]]:
        """``(list name in the channel codec, network)`` in the order they were built."""
        return [("cc_mean", self.cc_mean), ("cc_scale", self.cc_scale), ("spatial_context", self.spatial_context),
                ("ep_mean", self.ep_mean), ("ep_scale", self.ep_scale)]

    @property
    def parameter_nets(self) -> tuple[nn.Module, nn.Module]:
        """The networks whose last layer outputs the scales and the means."""
        return self.ep_scale, self.ep_mean

    def maps(self, hm: Tensor, hs: Tensor, support: list[Tensor]) -> tuple[Tensor, Tensor]:
        if self.index == 0:
            return hm, hs
        sup = torch.cat(support, 1)
        return torch.cat([hm, self.cc_mean(sup)], 1), torch.cat([hs, self.cc_scale(sup)], 1)

    def forward(self, y: Tensor, maps: tuple[Tensor, Tensor], steps: list[Step]) -> tuple[Tensor, Tensor]:
        mean_in, scale_in = maps
        _, y_ctx = self.y_codec.quantizer(y)  # the context sees the synthesis proxy of y
        cm, cs = SpatialKernels(self.spatial_context).full(y_ctx, steps).chunk(2, 1)
        means = self.ep_mean(torch.cat([mean_in, cm], 1))
        scales = self.ep_scale(torch.cat([scale_in, cs], 1))
        out = self.y_codec(y, (means, scales))
        return out["y_hat"], out["likelihoods"]["y"]

    def code(self, y: Tensor | None, maps: tuple[Tensor, Tensor], steps: list[Step], coder: SymbolCoder,
             offset: Tensor | None) -> dict[str, Tensor]:
        """Position-major; the maps' share of each entropy-parameter network's first
        layer is one GEMM over the whole slice, and a step adds the context's share."""
        mean_in, scale_in = maps
        B, _, H, W = mean_in.shape
        plan = context_plan(steps, list(self.spatial_context), W)
        sp = plan.out_channels // 2  # context channels per branch: (mean | scale)
        branches = []
        for net, m in ((self.ep_mean, mean_in), (self.ep_scale, scale_in)):
            c = m.shape[1]
            mlp = memo(net, "mlp", (c, module_state(net)), lambda net=net, c=c: MLP(net, split=c))
            branches.append((mlp, [mlp.head(position_major(m[b])) for b in range(B)]))
        (mlp_m, heads_m), (mlp_s, heads_s) = branches

        def params_at(b: int, pos: Tensor, ctx: Tensor | None) -> tuple[Tensor, Tensor]:
            cm, cs = (None, None) if ctx is None else (ctx[:, :sp], ctx[:, sp:])
            means = mlp_m.tail(heads_m[b].index_select(0, pos), cm)
            scales = mlp_s.tail(heads_s[b].index_select(0, pos), cs)
            return scales, means

        return code_positions(y, (B, self.channels, H, W), plan, params_at, coder, offset, like=mean_in)
