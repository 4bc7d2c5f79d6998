"""Channel-conditional context models, optionally with a spatial context inside each slice.

The latent ``y`` (M channels) is cut into channel groups ("slices") coded one after
the other; slice ``i`` is conditioned on the hyperprior and on the slices decoded
before it, and -- depending on its spatial ``schedule``, a registered
``spatial-schedule`` (:mod:`lic_bench.context.spatial_schedules`) -- on already decoded
elements of itself:

==================  ==================================================  ==========================
``schedule``        inside a slice                                      paper
==================  ==================================================  ==========================
``single-step``     nothing: one step per slice                         ``minnen2020-channel-wise``
``checkerboard``    anchors, then non-anchors (2 steps per slice)       ``he2022-elic``
``raster``          5x5 masked conv, wavefront ``t = 3i + j``           ``uludag2022-deep`` (serial)
``patch-parallel``  ``p x p`` patches, one step per in-patch index      ``uludag2022-deep`` (parallel)
==================  ==================================================  ==========================

Per slice ``i`` (``C_i`` channels; ``S_i`` = the support slices, the first
``max_support_slices`` decoded ones)::

    single-step:  μ_i = cc_mean_i(cat(μ', S_i))            σ_i = cc_scale_i(cat(σ', S_i))
    spatial:  ch_μ = cc_mean_i(S_i)  (i > 0)           ch_σ = cc_scale_i(S_i)
              cp_μ, cp_σ = spatial_i(ŷ_i, causal)      (masked conv, C_i -> 2 * 2C_i)
              μ_i = ep_mean_i(cat(μ', ch_μ, cp_μ))     σ_i = ep_scale_i(cat(σ', ch_σ, cp_σ))
    then      ŷ_i = round(y_i - μ_i) + μ_i ;  ŷ_i += ½·tanh(lrp_i(cat(μ', S_i, ŷ_i)))   (LRP)

``μ'``/``σ'`` come from two separate hyper decoders (Minnen & Singh 2020; seed 004
§4.1). ``cc_*`` are the channel prediction networks (three 3x3 convolutions, widths
224 and 128 as in Minnen & Singh's reference), ``ep_*`` the three-layer 1x1
entropy-parameter networks (seed 004 Fig. 4.8), ``lrp_*`` latent residual prediction.

Departures: ELIC (He et al. 2022) uses one hyper decoder for (μ, σ), no LRP and a
residual/attention transform; here it shares the two hyper decoders and the GDN
transforms of the other models, and LRP is off by default (``lrp`` configurable). In
the unified model the channel prediction network sees only the previous slices and
the hyperprior enters the entropy-parameter network, as in seed 004 Fig. 4.10; its
two spatial context models (mean, scale) are one masked convolution whose output is
split in halves (the same maths); LRP sees ``(μ', S_i, ŷ_i)`` (Minnen & Singh's input)
rather than the full mean-network input, whose spatial part only exists position by
position during decoding. The number of slices is not given in seed 004 (8 here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.context.coding import (
    CODING_THREADS,
    SpatialKernels,
    SymbolCoder,
    coding_threads,
    memo,
    module_state,
)
from lic_bench.context.masks import MaskedConv2d
from lic_bench.context.schedule import Step
from lic_bench.context.spatial_coder import MLP, code_positions, context_plan, position_major
from lic_bench.context.spatial_schedules import schedule_steps
from lic_bench.entropy import GaussianConditional, gaussian_likelihood
from lic_bench.latent_codecs.base import ConditionalCodec
from lic_bench.latent_codecs.entropy_codecs import GaussianConditionalCodec, attach_y_codec
from lic_bench.layers import PointwiseConv2d, get_nonlinearity
from lic_bench.quantizers import Quantizer
from lic_bench.registry import CONTEXT_MODELS, SPATIAL_SCHEDULES

__all__ = [
    "ChannelSpatialContext",
    "UnevenChannelGrouping",
    "UnifiedSpatialChannel",
    "elic_groups",
    "even_groups",
]


def even_groups(M: int, num_slices: int) -> list[int]:
    """``num_slices`` channel groups of (nearly) equal size summing to ``M``."""
    if not 1 <= num_slices <= M:
        raise ValueError(f"num_slices must be in [1, {M}], got {num_slices}")
    base, extra = divmod(M, num_slices)
    return [base + (1 if i < extra else 0) for i in range(num_slices)]


def elic_groups(M: int = 320) -> list[int]:
    """ELIC's uneven grouping (He et al. 2022): 16, 16, 32, 64, then the rest."""
    head = [16, 16, 32, 64]
    if M <= sum(head):
        raise ValueError(f"uneven grouping needs M > {sum(head)}, got {M}")
    return [*head, M - sum(head)]


def _conv3(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, padding=1)


def _channel_net(cin: int, cout: int, widths: Sequence[int], act: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for w in widths:
        layers += [_conv3(cin, w), get_nonlinearity(act, w)]
        cin = w
    layers.append(_conv3(cin, cout))
    return nn.Sequential(*layers)


def _pointwise_net(cin: int, cout: int, act: str) -> nn.Sequential:
    h1, h2 = max(cout, cin * 2 // 3), max(cout, cin // 3)
    return nn.Sequential(
        PointwiseConv2d(cin, h1),
        get_nonlinearity(act, h1),
        PointwiseConv2d(h1, h2),
        get_nonlinearity(act, h2),
        PointwiseConv2d(h2, cout),
    )


class ChannelSpatialContext(ConditionalCodec):
    """Channel-conditional context with an optional spatial context per slice.

    ``forward(y, (mu', sigma')) -> {"y_hat", "likelihoods"}``, ``compress(y, hyper)
    -> [bytes per image]``, ``decompress(strings, hyper) -> y_hat``.

    Args:
        M: latent channels.
        num_slices: number of equal channel slices (ignored when ``groups`` is given).
        groups: explicit channel group sizes (e.g. :func:`elic_groups`).
        schedule: the ``spatial-schedule`` id inside each slice (``single-step``: none).
        patch_size: ``p`` of the patch-parallel context.
        kernel_size: spatial context kernel size.
        hyper_channels: channels of each hyper branch (μ', σ'); default ``M``.
        max_support_slices: how many decoded slices condition the next (-1: all).
        lrp: latent residual prediction.
        widths: hidden widths of the channel prediction and LRP networks.
        activation: their non-linearity (registry name).
        quantizer: training quantizer (registry name).
        y_codec: the codec of the elements it predicts parameters for, CompressAI-style
            (default: a :class:`GaussianConditionalCodec` with CompressAI's Gaussian).
        entropy_model: class of the conditional of the default ``y_codec``.
    """

    def __init__(
        self,
        M: int = 320,
        num_slices: int = 10,
        groups: Sequence[int] | None = None,
        schedule: str = "single-step",
        patch_size: int = 2,
        kernel_size: int = 5,
        hyper_channels: int | None = None,
        max_support_slices: int = -1,
        lrp: bool = True,
        widths: Sequence[int] = (224, 128),
        activation: str = "relu",
        quantizer: str | dict[str, Any] | Quantizer = "mixed-quantization",
        y_codec: GaussianConditionalCodec | None = None,
        entropy_model=GaussianConditional,
    ):
        super().__init__()
        masks = SPATIAL_SCHEDULES.get(schedule).masks(kernel_size, patch_size)
        self.groups = [int(g) for g in groups] if groups else even_groups(M, num_slices)
        if sum(self.groups) != M:
            raise ValueError(f"groups {self.groups} do not sum to M={M}")
        self.M, self.schedule, self.patch_size = int(M), schedule, int(patch_size)
        #: whether a slice sees its own decoded elements (a schedule with context kernels)
        self.has_spatial = bool(masks)
        self.max_support_slices, self.lrp_enabled = int(max_support_slices), bool(lrp)
        Mh = int(hyper_channels or M)
        self.cc_mean, self.cc_scale = nn.ModuleList(), nn.ModuleList()
        self.spatial_context, self.ep_mean, self.ep_scale = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        self.lrp = nn.ModuleList()
        for i, C in enumerate(self.groups):
            sup = sum(self.groups[: self._n_support(i)])
            if not self.has_spatial:
                self.cc_mean.append(_channel_net(Mh + sup, C, widths, activation))
                self.cc_scale.append(_channel_net(Mh + sup, C, widths, activation))
            else:
                ch = 2 * C if i > 0 else 0
                self.cc_mean.append(_channel_net(sup, ch, widths, activation) if i else nn.Identity())
                self.cc_scale.append(_channel_net(sup, ch, widths, activation) if i else nn.Identity())
                sp = 2 * C  # spatial context channels per branch
                self.spatial_context.append(
                    nn.ModuleList(MaskedConv2d(C, 2 * sp, kernel_size, mask=m) for m in masks)
                )
                self.ep_mean.append(_pointwise_net(Mh + ch + sp, C, activation))
                self.ep_scale.append(_pointwise_net(Mh + ch + sp, C, activation))
            if self.lrp_enabled:
                self.lrp.append(_channel_net(Mh + sup + C, C, widths, activation))
        attach_y_codec(self, quantizer, y_codec, entropy_model)  # the model's quantizer, shared

    @property
    def gaussian_conditional(self) -> GaussianConditional:
        return self.y_codec.gaussian_conditional

    needs = "mean-scale"
    #: bounds of its integer settings (a model config's ``context`` section)
    setting_bounds = {"num_slices": (1, 64), "max_support_slices": (-1, 64), "kernel_size": (1, 15),
                      "patch_size": (1, 64), "groups": (1, 512), "widths": (1, 1024), "hyper_channels": (1, 1024)}
    setting_kinds = {"schedule": "spatial-schedule"}
    #: kept under ``context.`` in the state dict (the keys of the channel-wise presets)
    state_name = "context"

    def coding_context(self):
        return coding_threads()

    def pinned_threads(self) -> int:
        return CODING_THREADS

    @staticmethod
    def _hyper(params) -> tuple[Tensor, Tensor]:
        """``(μ', σ')``: the pair of two hyper decoders, or a mean-scale map split."""
        if isinstance(params, (tuple, list)):
            return params[0], params[1]
        scales, means = params.chunk(2, 1)
        return means, scales

    # -- structure -------------------------------------------------------------
    def _n_support(self, i: int) -> int:
        return i if self.max_support_slices < 0 else min(i, self.max_support_slices)

    def steps(self, H: int, W: int) -> list[Step]:
        """The decoding schedule inside one slice (cached: the same list for the same
        arguments)."""
        masks = [conv.mask2d for conv in self.spatial_context[0]] if self.has_spatial else []
        return schedule_steps(self.schedule, H, W, masks, self.patch_size)

    # -- per-slice pieces ------------------------------------------------------
    def _channel_maps(self, i: int, hm: Tensor, hs: Tensor, support: list[Tensor]):
        """Full-resolution maps computed before slice ``i`` is coded."""
        if not self.has_spatial:
            return self.cc_mean[i](torch.cat([hm, *support], 1)), self.cc_scale[i](
                torch.cat([hs, *support], 1)
            )
        if i == 0:
            return hm, hs
        sup = torch.cat(support, 1)
        return (
            torch.cat([hm, self.cc_mean[i](sup)], 1),
            torch.cat([hs, self.cc_scale[i](sup)], 1),
        )

    def _params(self, i: int, mean_in: Tensor, scale_in: Tensor, ctx: Tensor | None):
        if not self.has_spatial:
            return scale_in, mean_in
        cm, cs = ctx.chunk(2, 1)
        means = self.ep_mean[i](torch.cat([mean_in, cm], 1))
        scales = self.ep_scale[i](torch.cat([scale_in, cs], 1))
        return scales, means

    def _refine(self, i: int, y_hat: Tensor, hm: Tensor, support: list[Tensor]) -> Tensor:
        if not self.lrp_enabled:
            return y_hat
        return y_hat + 0.5 * torch.tanh(self.lrp[i](torch.cat([hm, *support, y_hat], 1)))

    def _kernels(self, i: int) -> SpatialKernels | None:
        if not self.has_spatial:
            return None
        return SpatialKernels(self.spatial_context[i])

    # -- the three passes ------------------------------------------------------
    def _code(self, y: Tensor | None, hyper: tuple[Tensor, Tensor], coder: SymbolCoder,
              offset: Tensor | None) -> dict[str, Tensor]:
        hm, hs = hyper
        B, _, H, W = hm.shape
        steps = self.steps(H, W)
        decoded: list[Tensor] = []
        outs: dict[str, list[Tensor]] = {"y_hat": [], "y_rate": [], "scales": [], "means": []}
        start = 0
        for i, C in enumerate(self.groups):
            support = decoded[: self._n_support(i)]
            mean_in, scale_in = self._channel_maps(i, hm, hs, support)

            y_i = None if y is None else y[:, start : start + C]
            d_i = None if offset is None else offset[:, start : start + C]
            out = self._code_slice(i, y_i, mean_in, scale_in, steps, coder, d_i)
            y_hat = self._refine(i, out["y_hat"], hm, support)
            decoded.append(y_hat)
            for k in ("y_rate", "scales", "means"):
                if k in out:  # only kept when quantizing (the eval forward)
                    outs[k].append(out[k])
            start += C
        res = {k: torch.cat(v, 1) for k, v in outs.items() if v}
        res["y_hat"] = torch.cat(decoded, 1)
        return res

    def _code_slice(self, i, y, mean_in, scale_in, steps, coder, offset) -> dict[str, Tensor]:
        """Slice ``i``, position-major (:mod:`.spatial_coder`). With a spatial context,
        the maps' share of each entropy-parameter network's first layer is one GEMM
        over the whole slice, and a step adds the context's share."""
        B, _, H, W = mean_in.shape
        C = self.groups[i]
        if not self.has_spatial:  # the maps are the parameters; one step
            plan = context_plan(steps, [], W, mean_in.device)
            maps = [(position_major(mean_in[b]), position_major(scale_in[b])) for b in range(B)]

            def direct(b: int, pos: Tensor, ctx: None) -> tuple[Tensor, Tensor]:
                return maps[b][1].index_select(0, pos), maps[b][0].index_select(0, pos)

            return code_positions(y, (B, C, H, W), plan, direct, coder, offset, like=mean_in)
        plan = context_plan(steps, list(self.spatial_context[i]), W)
        sp = plan.out_channels // 2  # context channels per branch: (mean | scale)
        branches = []
        for net, maps in ((self.ep_mean[i], mean_in), (self.ep_scale[i], scale_in)):
            c = maps.shape[1]
            mlp = memo(net, "mlp", (c, module_state(net)), lambda net=net, c=c: MLP(net, split=c))
            branches.append((mlp, [mlp.head(position_major(maps[b])) for b in range(B)]))
        (mlp_m, heads_m), (mlp_s, heads_s) = branches

        def params_at(b: int, pos: Tensor, ctx: Tensor | None) -> tuple[Tensor, Tensor]:
            cm, cs = (None, None) if ctx is None else (ctx[:, :sp], ctx[:, sp:])
            means = mlp_m.tail(heads_m[b].index_select(0, pos), cm)
            scales = mlp_s.tail(heads_s[b].index_select(0, pos), cs)
            return scales, means

        return code_positions(y, (B, C, H, W), plan, params_at, coder, offset, like=mean_in)

    def _train(self, y: Tensor, hyper: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        hm, hs = hyper
        steps = self.steps(*y.shape[-2:])
        decoded, liks, start = [], [], 0
        for i, C in enumerate(self.groups):
            y_i = y[:, start : start + C]
            support = decoded[: self._n_support(i)]
            mean_in, scale_in = self._channel_maps(i, hm, hs, support)
            ctx = None
            if self.has_spatial:
                _, y_ctx = self.quantizer(y_i)
                ctx = self._kernels(i).full(y_ctx, steps)
            scales, means = self._params(i, mean_in, scale_in, ctx)
            y_rate, y_hat = self.quantizer(y_i, means=means)
            liks.append(gaussian_likelihood(self.gaussian_conditional, y_rate, scales, means))
            decoded.append(self._refine(i, y_hat, hm, support))
            start += C
        return torch.cat(decoded, 1), torch.cat(liks, 1)

    def forward(self, y: Tensor, params, quality: Any = None) -> dict[str, Any]:
        hyper = self._hyper(params)
        if self.training:
            y_hat, lik = self._train(y, hyper)
        else:
            coder = SymbolCoder.quantizer(self.gaussian_conditional, y.shape[0])
            with coding_threads():
                out = self._code(y, hyper, coder, self.quantizer.offset(y))
            y_hat = out["y_hat"]
            lik = gaussian_likelihood(self.gaussian_conditional, out["y_rate"], out["scales"], out["means"])
        return {"y_hat": y_hat, "likelihoods": {"y": lik}}

    def compress(self, y: Tensor, params, quality: Any = None) -> dict[str, Any]:
        hyper = self._hyper(params)
        coder = SymbolCoder.encoder(self.gaussian_conditional, y.shape[0])
        with coding_threads():
            self._code(y, hyper, coder, self.quantizer.offset(y))
        return {"strings": [coder.flush()]}

    def decompress(self, strings: list, params, quality: Any = None) -> dict[str, Any]:
        hyper = self._hyper(params)
        hm = hyper[0]
        offset = self.quantizer.offset(hm.new_zeros(hm.shape[0], self.M, *hm.shape[-2:]))
        coder = SymbolCoder.decoder(self.gaussian_conditional, strings[0])
        with coding_threads():
            return {"y_hat": self._code(None, hyper, coder, offset)["y_hat"]}


CONTEXT_MODELS.register(
    "channel-wise",
    taxonomy=["channel-wise"],
    papers=["minnen2020-channel-wise"],
    description="Channel-wise autoregressive context with latent residual prediction",
    test_overrides={"num_slices": 3},
)(ChannelSpatialContext)


@CONTEXT_MODELS.register(
    "uneven-channel-grouping",
    taxonomy=["uneven-channel-grouping"],
    papers=["he2022-elic"],
    description="ELIC's uneven channel groups (16, 16, 32, 64, rest) with checkerboard inside",
    test_overrides={"groups": [2, 2, 4, 4]},
)
class UnevenChannelGrouping(ChannelSpatialContext):
    """He et al., "ELIC: Efficient Learned Image Compression with Unevenly Grouped
    Space-Channel Contextual Adaptive Coding", 2022 (``he2022-elic``): groups 16, 16,
    32, 64 and the rest (:func:`elic_groups`, unless ``groups`` are given), a
    ``checkerboard`` schedule inside each, no LRP by default."""

    def __init__(self, M: int = 320, groups: Sequence[int] | None = None, schedule: str = "checkerboard",
                 patch_size: int = 2, kernel_size: int = 5, hyper_channels: int | None = None,
                 max_support_slices: int = -1, lrp: bool = False, widths: Sequence[int] = (224, 128),
                 activation: str = "relu", quantizer: str | dict[str, Any] | Quantizer = "mixed-quantization",
                 y_codec: GaussianConditionalCodec | None = None):
        super().__init__(M, groups=groups or elic_groups(M), schedule=schedule, patch_size=patch_size,
                         kernel_size=kernel_size, hyper_channels=hyper_channels,
                         max_support_slices=max_support_slices, lrp=lrp, widths=widths,
                         activation=activation, quantizer=quantizer, y_codec=y_codec)


@CONTEXT_MODELS.register(
    "unified-spatial-channel",
    taxonomy=["unified-spatial-channel"],
    papers=["uludag2022-deep"],
    description="Channel slices + masked spatial context inside each slice (serial or patch-parallel)",
    test_overrides={"num_slices": 3},
)
class UnifiedSpatialChannel(ChannelSpatialContext):
    """Uludağ 2022 (``uludag2022-deep``) ch. 4: equal slices with the serial ``raster``
    schedule inside each, or (``parallel=True``) its ``patch-parallel`` form."""

    def __init__(self, M: int = 384, num_slices: int = 8, parallel: bool = False, patch_size: int = 2,
                 kernel_size: int = 5, hyper_channels: int | None = None, max_support_slices: int = -1,
                 lrp: bool = True, widths: Sequence[int] = (224, 128), activation: str = "relu",
                 quantizer: str | dict[str, Any] | Quantizer = "mixed-quantization",
                 y_codec: GaussianConditionalCodec | None = None):
        super().__init__(M, num_slices, schedule="patch-parallel" if parallel else "raster",
                         patch_size=patch_size, kernel_size=kernel_size, hyper_channels=hyper_channels,
                         max_support_slices=max_support_slices, lrp=lrp, widths=widths,
                         activation=activation, quantizer=quantizer, y_codec=y_codec)
