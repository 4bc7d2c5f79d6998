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

Composition, as CompressAI's channel-groups codec: the channel codec owns the
slicing, the support, LRP and the one symbol coder; each slice is coded by a nested
slice codec (:mod:`.channel_slices`), a plain Gaussian-conditional one or one with a
spatial context, chosen once when the codec is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.context.coding import CODING_THREADS, SymbolCoder, coding_threads
from lic_bench.context.schedule import Step
from lic_bench.context.spatial_schedules import schedule_steps
from lic_bench.entropy import GaussianConditional, gaussian_likelihood
from lic_bench.latent_codecs.base import ConditionalCodec
from lic_bench.latent_codecs.channel_slices import ChannelSliceCodec, SpatialSliceCodec, channel_net
from lic_bench.latent_codecs.entropy_codecs import GaussianConditionalCodec, attach_y_codec
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
            (default: a :class:`GaussianConditionalCodec` with CompressAI's Gaussian);
            every slice codec codes with it.
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
        self.max_support_slices, self.lrp_enabled = int(max_support_slices), bool(lrp)
        Mh = int(hyper_channels or M)
        # The slices' networks, kept per kind: these names are the state-dict keys of
        # the channel-wise presets (a slice codec holds its own, not as a module).
        self.cc_mean, self.cc_scale = nn.ModuleList(), nn.ModuleList()
        self.spatial_context, self.ep_mean, self.ep_scale = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        self.lrp = nn.ModuleList()
        attach_y_codec(self, quantizer, y_codec, entropy_model)  # the model's quantizer, shared
        # chosen once: a schedule with context kernels gives each slice a spatial context
        slice_codec = SpatialSliceCodec if masks else ChannelSliceCodec
        #: the nested codec of each slice
        self.slices: list[ChannelSliceCodec | SpatialSliceCodec] = []
        for i, C in enumerate(self.groups):
            sup = sum(self.groups[: self._n_support(i)])
            codec = slice_codec(i, C, sup, Mh, y_codec=self.y_codec, widths=widths, activation=activation,
                                masks=masks, kernel_size=kernel_size)
            for kind, net in codec.networks:
                getattr(self, kind).append(net)
            self.slices.append(codec)
            if self.lrp_enabled:
                self.lrp.append(channel_net(Mh + sup + C, C, widths, activation))

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

    def parameter_networks(self) -> dict[str, list[nn.Module]]:
        nets = {"cc_mean": self.cc_mean, "cc_scale": self.cc_scale, "ep_mean": self.ep_mean,
                "ep_scale": self.ep_scale}
        return {kind: list(mods) for kind, mods in nets.items() if len(mods)}

    def gaussian_outputs(self) -> list[tuple[nn.Module, nn.Module | None]]:
        return [codec.parameter_nets for codec in self.slices]  # each slice names its own

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
        masks = [conv.mask2d for conv in self.slices[0].kernels]
        return schedule_steps(self.schedule, H, W, masks, self.patch_size)

    def _refine(self, i: int, y_hat: Tensor, hm: Tensor, support: list[Tensor]) -> Tensor:
        if not self.lrp_enabled:
            return y_hat
        return y_hat + 0.5 * torch.tanh(self.lrp[i](torch.cat([hm, *support, y_hat], 1)))

    # -- the three passes ------------------------------------------------------
    def _code(self, y: Tensor | None, hyper: tuple[Tensor, Tensor], coder: SymbolCoder,
              offset: Tensor | None) -> dict[str, Tensor]:
        hm, hs = hyper
        steps = self.steps(*hm.shape[-2:])
        decoded: list[Tensor] = []
        outs: dict[str, list[Tensor]] = {"y_hat": [], "y_rate": [], "scales": [], "means": []}
        start = 0
        for i, (C, codec) in enumerate(zip(self.groups, self.slices, strict=True)):
            support = decoded[: self._n_support(i)]
            y_i = None if y is None else y[:, start : start + C]
            d_i = None if offset is None else offset[:, start : start + C]
            out = codec.code(y_i, codec.maps(hm, hs, support), steps, coder, d_i)
            decoded.append(self._refine(i, out["y_hat"], hm, support))
            for k in ("y_rate", "scales", "means"):
                if k in out:  # only kept when quantizing (the eval forward)
                    outs[k].append(out[k])
            start += C
        res = {k: torch.cat(v, 1) for k, v in outs.items() if v}
        res["y_hat"] = torch.cat(decoded, 1)
        return res

    def _train(self, y: Tensor, hyper: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        hm, hs = hyper
        steps = self.steps(*y.shape[-2:])
        decoded, liks, start = [], [], 0
        for i, (C, codec) in enumerate(zip(self.groups, self.slices, strict=True)):
            support = decoded[: self._n_support(i)]
            y_hat, lik = codec.forward(y[:, start : start + C], codec.maps(hm, hs, support), steps)
            liks.append(lik)
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
