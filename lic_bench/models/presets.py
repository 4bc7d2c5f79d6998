"""Every registered model: a preset of :class:`~lic_bench.models.compose.ComposedModel`.

One place and one form: each preset is a class here whose ``defaults`` become the
defaults of its constructor (:meth:`ComposedModel.__init_subclass__`, which a plugin's
preset uses too), registered under its paper-style id with a literal decorator (so
``models list`` reads them without torch: :mod:`lic_bench.static_registry`).
``configs/models/<id>.yaml`` documents the same values with comments;
``tests/core/test_presets.py`` checks that every file agrees with its preset and that
every preset builds, so ``build_model("mbt2018")`` and ``build_model({"name":
"mbt2018"})`` are the same model.

Context presets (``mbt2018`` onwards) put a context model of
:mod:`lic_bench.latent_codecs` in the hyperprior's y codec; the channel-context ones
use two hyper decoders (``split_hyper``, Minnen & Singh 2020; seed 004 Fig. 4.4)
and mixed quantization (seed 004 §4.2).
"""

from __future__ import annotations

from lic_bench.lambdas import GAIN_LAMBDAS
from lic_bench.models.compose import ComposedModel
from lic_bench.registry import MODELS

__all__ = [
    "Cheng2020Anchor",
    "Cheng2020Attention",
    "FactorizedPrior",
    "GainedMeanScaleHyperprior",
    "He2021Checkerboard",
    "He2022Elic",
    "MeanScaleHyperprior",
    "Mbt2018",
    "Minnen2020Channelwise",
    "ScaleHyperprior",
    "Uludag2022Unified",
    "Uludag2022UnifiedParallel",
]


# -- no context ---------------------------------------------------------------------


@MODELS.register("bmshj2018-factorized", taxonomy=["factorized-prior"],
        papers=["balle2018-variational", "balle2017-end-to-end"])
class FactorizedPrior(ComposedModel):
    """Factorized-prior model: one non-parametric density per latent channel.

    Ballé et al., "Variational image compression with a scale hyperprior", 2018
    (``balle2018-variational``), baseline of its experiments, after "End-to-end
    Optimized Image Compression", 2017 (``balle2017-end-to-end``)::

        x ─ g_a ─ y ─ Q ─ ŷ ─ g_s ─ x̂        ŷ coded with EntropyBottleneck(M)

    Same modules and state-dict keys as CompressAI's ``FactorizedPrior``
    (``bmshj2018-factorized``); ``nonlinearity: relu`` gives its
    ``FactorizedPriorReLU``. ``variable_rate: gain-units`` puts gain units around y.
    """

    defaults = {"N": 128, "M": 192, "backbone": "factorized-prior", "hyper_nonlinearity": "relu"}


@MODELS.register("bmshj2018-hyperprior", taxonomy=["scale-hyperprior"], papers=["balle2018-variational"])
class ScaleHyperprior(ComposedModel):
    """Scale hyperprior: side information z predicts the scale of each latent.

    Ballé, Minnen, Singh, Hwang, Johnston, "Variational image compression with a
    scale hyperprior", 2018 (``balle2018-variational``)::

        x ─ g_a ─ y ─┬──────── Q ─ ŷ ─ g_s ─ x̂
                     │|y|          ↑ N(0, σ)
                     h_a ─ z ─ Q ─ ẑ ─ h_s ─ σ          ẑ: EntropyBottleneck(N)

    Same modules and state-dict keys as CompressAI's ``ScaleHyperprior``.
    """

    defaults = {"N": 128, "M": 192, "backbone": "scale-hyperprior", "hyper_nonlinearity": "relu"}


@MODELS.register("mbt2018-mean", taxonomy=["mean-scale-hyperprior"], papers=["minnen2018-joint"])
class MeanScaleHyperprior(ComposedModel):
    """Mean-scale hyperprior: z predicts the mean and the scale of each latent.

    Minnen, Ballé, Toderici, "Joint Autoregressive and Hierarchical Priors for Learned
    Image Compression", 2018 (``minnen2018-joint``), its model without the
    autoregressive context::

        x ─ g_a ─ y ─┬──────── Q ─ ŷ ─ g_s ─ x̂
                     │             ↑ N(μ, σ)
                     h_a ─ z ─ Q ─ ẑ ─ h_s ─ (σ, μ)

    Same modules and state-dict keys as CompressAI's ``MeanScaleHyperprior``;
    the hyper-transforms use LeakyReLU by default, as there. ``context: checkerboard``
    (or any context model) turns it into a context model of that kind.
    """

    defaults = {"N": 192, "M": 320, "backbone": "mean-scale-hyperprior", "hyper_nonlinearity": "leaky-relu"}


@MODELS.register("cui2022-gained-mean", taxonomy=["gain-units", "mean-scale-hyperprior"],
        papers=["cui2021-asymmetric", "minnen2018-joint"])
class GainedMeanScaleHyperprior(ComposedModel):
    """Gained mean-scale hyperprior: one set of weights for every λ.

    Cui et al., "Asymmetric Gained Deep Image Compression With Continuous Rate
    Adaptation", 2022 (``cui2021-asymmetric``), on the mean-scale hyperprior of
    Minnen et al. 2018 (``minnen2018-joint``)::

        x ─ g_a ─ ×G_s ─ y ─┬──────── Q ─ ŷ ─ ×G⁻¹_s ─ g_s ─ x̂
                            h_a ─ ×H_s ─ z ─ Q ─ ẑ ─ ×H⁻¹_s ─ h_s ─ (σ, μ)

    ``G``, ``G⁻¹``, ``H``, ``H⁻¹`` are gain units
    (:class:`~lic_bench.latent_codecs.GainedCodec`) with one vector per λ in the
    ``variable_rate`` section's ``lmbdas``. Training draws one level per sample and reports each sample's λ as
    ``out["lmbda"]`` (the rate-distortion loss uses it); evaluation and coding take
    ``quality`` in [1, len(lmbdas)], any float: between two levels the gains are
    interpolated exponentially.
    """

    defaults = {"N": 192, "M": 320, "backbone": "mean-scale-hyperprior",
                "variable_rate": {"name": "gain-units", "lmbdas": GAIN_LAMBDAS},
                "hyper_nonlinearity": "leaky-relu"}


# -- spatial context ------------------------------------------------------------------

_SPATIAL = {"N": 192, "M": 192, "backbone": "mean-scale-hyperprior", "hyper_nonlinearity": "leaky-relu"}


@MODELS.register("mbt2018", taxonomy=["autoregressive-context", "mean-scale-hyperprior"],
        papers=["minnen2018-joint"], test_overrides={"N": 16, "M": 24})
class Mbt2018(ComposedModel):
    """Joint autoregressive and hierarchical priors (Minnen, Ballé, Toderici 2018,
    ``minnen2018-joint``): serial 5x5 masked context, decoded by wavefront.
    CompressAI-compatible state dict (``JointAutoregressiveHierarchicalPriors``)::

        x ─ g_a ─ y ─┬───────────────── Q ─ ŷ ─┬─ g_s ─ x̂
                     │                          └─ context (masked conv) ─┐
                     h_a ─ z ─ Q ─ ẑ ─ h_s ─ params ─────── entropy_parameters ─ (σ, μ)
    """

    defaults = {**_SPATIAL, "context": "autoregressive-context"}


@MODELS.register("he2021-checkerboard", taxonomy=["checkerboard", "mean-scale-hyperprior"],
        papers=["he2021-checkerboard", "minnen2018-joint"], test_overrides={"N": 16, "M": 24})
class He2021Checkerboard(ComposedModel):
    """Checkerboard context model (He et al. 2021, ``he2021-checkerboard``) on the
    Minnen et al. 2018 architecture, as in the paper's main experiments: two decoding
    passes, anchors with a zero context then non-anchors."""

    defaults = {**_SPATIAL, "context": "checkerboard"}


@MODELS.register("cheng2020-anchor", taxonomy=["residual-blocks", "autoregressive-context"],
        papers=["cheng2020-learned"], test_overrides={"N": 16, "M": 16})
class Cheng2020Anchor(ComposedModel):
    """Cheng, Sun, Takeuchi, Katto, "Learned Image Compression with Discretized Gaussian
    Mixture Likelihoods and Attention Modules", CVPR 2020 (``cheng2020-learned``), its
    anchor as CompressAI implements it: residual blocks and sub-pixel up-sampling
    (:mod:`lic_bench.models.residual_transforms`), M = N, the serial 5x5 context of
    ``mbt2018``. Departure (CompressAI's too): one Gaussian per latent, not the paper's
    mixture of three. CompressAI-compatible state dict (``Cheng2020Anchor``)."""

    defaults = {**_SPATIAL, "context": "autoregressive-context", "transform": "residual-subpixel"}


@MODELS.register("cheng2020-attn", taxonomy=["residual-blocks", "attention-based-priors", "autoregressive-context"],
        papers=["cheng2020-learned"], test_overrides={"N": 16, "M": 16})
class Cheng2020Attention(ComposedModel):
    """``cheng2020-anchor`` with simplified attention modules in g_a and g_s (Cheng et al.
    2020, ``cheng2020-learned``). CompressAI-compatible state dict (``Cheng2020Attention``)."""

    defaults = {**_SPATIAL, "context": "autoregressive-context", "transform": "residual-attention"}


# -- channel context ------------------------------------------------------------------

_CHANNEL = {"N": 192, "M": 320, "backbone": "mean-scale-hyperprior", "split_hyper": True,
            "hyper_nonlinearity": "relu", "quantizer": "mixed-quantization"}


@MODELS.register("minnen2020-channelwise", taxonomy=["channel-wise", "mean-scale-hyperprior", "mixed-quantization"],
        papers=["minnen2020-channel-wise"],
        test_overrides={"N": 16, "M": 24, "num_slices": 3, "max_support_slices": 2})
class Minnen2020Channelwise(ComposedModel):
    """Channel-wise autoregressive entropy model with latent residual prediction
    (Minnen & Singh, "Channel-wise Autoregressive Entropy Models for Learned Image
    Compression", 2020, ``minnen2020-channel-wise``): 10 slices, 5 support slices."""

    defaults = {**_CHANNEL, "context": {"name": "channel-wise", "num_slices": 10, "max_support_slices": 5, "lrp": True}}


@MODELS.register("he2022-elic", taxonomy=["uneven-channel-grouping", "checkerboard", "mean-scale-hyperprior"],
        papers=["he2022-elic", "he2021-checkerboard"], test_overrides={"N": 16, "M": 24, "groups": [2, 2, 4, 16]})
class He2022Elic(ComposedModel):
    """ELIC's space-channel context (He et al., "ELIC: Efficient Learned Image
    Compression with Unevenly Grouped Space-Channel Contextual Adaptive Coding", 2022,
    ``he2022-elic``): uneven groups 16/16/32/64/M-128, a checkerboard inside each.
    Transforms are the GDN ones of the other models, not ELIC's residual stacks."""

    defaults = {**_CHANNEL, "context": {"name": "uneven-channel-grouping", "lrp": False}}


@MODELS.register("uludag2022-unified", taxonomy=["unified-spatial-channel", "mixed-quantization"],
        papers=["uludag2022-deep"], test_overrides={"N": 16, "M": 24, "num_slices": 3})
class Uludag2022Unified(ComposedModel):
    """Unified spatial + channel context, serial form (Uludağ 2022, ``uludag2022-deep``,
    ch. 4): equal channel slices conditioned on all earlier slices, a 5x5 masked
    convolution inside each slice (decoded by wavefront), LRP, mixed quantization."""

    defaults = {**_CHANNEL, "M": 384, "context": {"name": "unified-spatial-channel", "num_slices": 8, "lrp": True}}


@MODELS.register("uludag2022-unified-parallel", taxonomy=["unified-spatial-channel", "mixed-quantization"],
        papers=["uludag2022-deep"], test_overrides={"N": 16, "M": 24, "num_slices": 3, "patch_size": 2})
class Uludag2022UnifiedParallel(ComposedModel):
    """Unified spatial + channel context, patch-parallel form (Uludağ 2022,
    ``uludag2022-deep``, §4.3 and §5.5): each slice is cut into ``p x p`` patches and
    all elements with the same in-patch index are coded together (``p*p`` steps per
    slice), each seeing the earlier indices of its own and neighbouring patches."""

    defaults = {**_CHANNEL, "M": 384, "context": {"name": "unified-spatial-channel", "num_slices": 8, "lrp": True,
                                                  "parallel": True, "patch_size": 2}}
