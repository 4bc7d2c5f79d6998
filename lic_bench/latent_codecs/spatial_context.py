"""Spatial context + mean-scale hyperprior on one latent: serial masked convolution
(Minnen et al. 2018) or the two-pass checkerboard (He et al. 2021).

Minnen, Ballé, Toderici, "Joint Autoregressive and Hierarchical Priors for Learned
Image Compression", 2018 (``minnen2018-joint``)::

    ŷ ─ context_prediction (5x5 masked conv, M -> 2M) ─┐
                                                        cat ─ entropy_parameters (1x1: 4M -> 10M/3 -> 8M/3 -> 2M) ─ (σ, μ)
    ẑ ─ h_s ─ params (2M) ──────────────────────────────┘

He, Zheng, Sun, Wang, Qin, "Checkerboard Context Model for Efficient Learned Image
Compression", 2021 (``he2021-checkerboard``): the same networks with a checkerboard
mask; anchors (``(i + j)`` even) are coded first with a zero context, then every
non-anchor at once from the decoded anchors.

The order of coding is a registered spatial schedule (``raster`` or ``checkerboard``,
:mod:`lic_bench.context.spatial_schedules`); anything with one context kernel fits.

The modules are named as in CompressAI's ``JointAutoregressiveHierarchicalPriors``
(``context_prediction`` with its ``mask`` buffer, ``entropy_parameters``,
``gaussian_conditional``), so its weights load unchanged. Decoding differs from
CompressAI's: instead of one position per Python iteration, all positions of a
wavefront ``t = 3i + j`` are decoded together (:mod:`lic_bench.context.schedule`),
141 steps for a 768x512 image instead of 1536.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from lic_bench.context.coding import CODING_THREADS, SpatialKernels, SymbolCoder, coding_threads
from lic_bench.context.masks import MaskedConv2d
from lic_bench.context.schedule import Step
from lic_bench.context.spatial_coder import spatial_code
from lic_bench.context.spatial_schedules import schedule_steps
from lic_bench.entropy import GaussianConditional, gaussian_likelihood
from lic_bench.latent_codecs.base import ConditionalCodec
from lic_bench.latent_codecs.entropy_codecs import GaussianConditionalCodec, attach_y_codec
from lic_bench.layers import PointwiseConv2d
from lic_bench.quantizers import Quantizer
from lic_bench.registry import CONTEXT_MODELS, SPATIAL_SCHEDULES

__all__ = [
    "AutoregressiveContext",
    "CheckerboardContext",
    "JointContext",
    "entropy_parameters",
    "joint_code",
    "joint_steps",
    "joint_train",
]


def entropy_parameters(M: int) -> nn.Sequential:
    """1x1 network of Minnen et al. 2018 (4M -> 10M/3 -> 8M/3 -> 2M), CompressAI's layout."""
    return nn.Sequential(
        PointwiseConv2d(M * 12 // 3, M * 10 // 3),
        nn.LeakyReLU(inplace=True),
        PointwiseConv2d(M * 10 // 3, M * 8 // 3),
        nn.LeakyReLU(inplace=True),
        PointwiseConv2d(M * 8 // 3, M * 6 // 3),
    )


def context_conv(M: int, schedule: str, kernel_size: int = 5) -> MaskedConv2d:
    """The ``M -> 2M`` context convolution with the one mask of ``schedule``."""
    masks = SPATIAL_SCHEDULES.get(schedule).masks(kernel_size, 2)
    if len(masks) != 1:
        raise ValueError(f"spatial schedule {schedule!r} has {len(masks)} context kernels; this codec takes one")
    return MaskedConv2d(M, 2 * M, kernel_size, mask=masks[0])


def joint_steps(schedule: str, conv: MaskedConv2d, H: int, W: int) -> list[Step]:
    """The decoding schedule (cached: the same list object for the same arguments)."""
    return schedule_steps(schedule, H, W, [conv.mask2d])


def joint_code(
    y: Tensor | None,
    params: Tensor,
    conv: MaskedConv2d,
    ep: nn.Module,
    coder: SymbolCoder,
    schedule: str,
    offset: Tensor | None = None,
) -> dict[str, Tensor]:
    """Quantize / encode / decode ``y`` (``(B, M, H, W)``) given the hyper ``params`` (2M)."""
    steps = joint_steps(schedule, conv, *params.shape[-2:])
    return spatial_code(y, params, conv, ep, coder, steps, offset)


def joint_train(
    y: Tensor,
    params: Tensor,
    conv: MaskedConv2d,
    ep: nn.Module,
    gc: GaussianConditional,
    quantizer: Quantizer,
    schedule: str,
) -> tuple[Tensor, Tensor]:
    """Training forward (parallel): returns ``(y_hat for synthesis, likelihoods)``."""
    _, y_ctx = quantizer(y)  # the context sees the synthesis proxy of y
    steps = joint_steps(schedule, conv, *y.shape[-2:])
    ctx = SpatialKernels([conv]).full(y_ctx, steps)
    scales, means = ep(torch.cat((params, ctx), dim=1)).chunk(2, 1)
    y_rate, y_hat = quantizer(y, means=means)
    return y_hat, gaussian_likelihood(gc, y_rate, scales, means)


def joint_eval(
    y: Tensor, params: Tensor, conv, ep, gc, quantizer: Quantizer, schedule: str
) -> tuple[Tensor, Tensor]:
    """Eval forward: exactly the values the coder produces, and their likelihoods."""
    out = joint_code(
        y, params, conv, ep, SymbolCoder.quantizer(gc, y.shape[0]), schedule, quantizer.offset(y)
    )
    return out["y_hat"], gaussian_likelihood(gc, out["y_rate"], out["scales"], out["means"])


class JointContext(ConditionalCodec):
    """A spatial context model as a y codec conditioned on hyper parameters; it needs
    the means and scales of a mean-scale hyperprior (:attr:`needs`).

    ``forward(y, params) -> {"y_hat", "likelihoods"}``, ``compress(y, params) ->
    {"strings": [[bytes per image]]}``, ``decompress(strings, params) -> {"y_hat"}``;
    ``params`` is the ``(B, 2M, H, W)`` output of a mean-scale hyper-synthesis
    transform (or a ``(means, scales)`` pair, concatenated).

    Args:
        M: latent channels.
        schedule: a ``spatial-schedule`` id with one context kernel (``raster``: serial
            5x5 masked conv; ``checkerboard``).
        kernel_size: context kernel size.
        quantizer: training quantizer (registry name, or the model's own object).
        y_codec: the codec of the elements it predicts parameters for, CompressAI-style
            (default: a :class:`GaussianConditionalCodec` with CompressAI's Gaussian);
            the model passes its own, built from its y entropy model.
        entropy_model: class of the conditional of the default ``y_codec``.
    """

    needs = "mean-scale"
    #: bounds of its integer settings (a model config's ``context`` section)
    setting_bounds = {"kernel_size": (1, 15)}
    setting_kinds = {"schedule": "spatial-schedule"}

    def __init__(
        self,
        M: int = 192,
        schedule: str = "raster",
        kernel_size: int = 5,
        quantizer: str | dict[str, Any] | Quantizer = "additive-uniform-noise",
        y_codec: GaussianConditionalCodec | None = None,
        entropy_model=GaussianConditional,
    ):
        super().__init__()
        self.schedule = schedule
        # Built in the order of CompressAI's JointAutoregressiveHierarchicalPriors, so
        # a seeded initialisation gives its weights.
        self.entropy_parameters = entropy_parameters(M)
        self.context_prediction = context_conv(M, schedule, kernel_size)
        attach_y_codec(self, quantizer, y_codec, entropy_model)  # the model's quantizer, shared

    @property
    def gaussian_conditional(self) -> GaussianConditional:
        return self.y_codec.gaussian_conditional

    def coding_context(self):
        return coding_threads()

    def pinned_threads(self) -> int:
        return CODING_THREADS

    def _mods(self):
        return self.context_prediction, self.entropy_parameters

    def parameter_networks(self) -> dict[str, list[nn.Module]]:
        return {"entropy_parameters": [self.entropy_parameters]}

    def gaussian_outputs(self) -> list[tuple[nn.Module, nn.Module | None]]:
        return [(self.entropy_parameters, None)]  # (σ | μ), as in CompressAI

    @staticmethod
    def _params(params) -> Tensor:
        return torch.cat(tuple(params), 1) if isinstance(params, (tuple, list)) else params

    def forward(self, y: Tensor, params, quality: Any = None) -> dict[str, Any]:
        args = (y, self._params(params), *self._mods(), self.gaussian_conditional, self.quantizer, self.schedule)
        if self.training:
            y_hat, lik = joint_train(*args)
        else:
            with coding_threads():
                y_hat, lik = joint_eval(*args)
        return {"y_hat": y_hat, "likelihoods": {"y": lik}}

    def compress(self, y: Tensor, params, quality: Any = None) -> dict[str, Any]:
        params = self._params(params)
        coder = SymbolCoder.encoder(self.gaussian_conditional, y.shape[0])
        with coding_threads():
            joint_code(y, params, *self._mods(), coder, self.schedule, self.quantizer.offset(y))
        return {"strings": [coder.flush()]}

    def decompress(self, strings: list, params, quality: Any = None) -> dict[str, Any]:
        params = self._params(params)
        B, _, H, W = params.shape
        M = self.context_prediction.in_channels
        offset = self.quantizer.offset(params.new_zeros(B, M, H, W))
        coder = SymbolCoder.decoder(self.gaussian_conditional, strings[0])
        with coding_threads():
            y_hat = joint_code(None, params, *self._mods(), coder, self.schedule, offset)["y_hat"]
        return {"y_hat": y_hat}


@CONTEXT_MODELS.register(
    "autoregressive-context",
    taxonomy=["autoregressive-context"],
    papers=["minnen2018-joint"],
    description="Serial 5x5 masked-convolution context, decoded by wavefront t = 3i + j",
)
class AutoregressiveContext(JointContext):
    """Minnen et al. 2018 masked-convolution context (``minnen2018-joint``): the
    ``raster`` schedule."""

    def __init__(self, M: int = 192, kernel_size: int = 5,
                 quantizer: str | dict[str, Any] | Quantizer = "additive-uniform-noise",
                 y_codec: GaussianConditionalCodec | None = None):
        super().__init__(M, "raster", kernel_size, quantizer, y_codec)


@CONTEXT_MODELS.register(
    "checkerboard",
    taxonomy=["checkerboard"],
    papers=["he2021-checkerboard"],
    description="Two-pass checkerboard context: anchors, then non-anchors",
)
class CheckerboardContext(JointContext):
    """He et al. 2021 checkerboard context (``he2021-checkerboard``): the
    ``checkerboard`` schedule."""

    def __init__(self, M: int = 192, kernel_size: int = 5,
                 quantizer: str | dict[str, Any] | Quantizer = "additive-uniform-noise",
                 y_codec: GaussianConditionalCodec | None = None):
        super().__init__(M, "checkerboard", kernel_size, quantizer, y_codec)
