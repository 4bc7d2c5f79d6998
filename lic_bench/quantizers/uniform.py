"""Scalar uniform quantization proxies for training (registry kind ``quantizer``)."""

from __future__ import annotations

from torch import Tensor

from lic_bench.quantizers.base import Quantizer, ste_round, uniform_noise
from lic_bench.registry import QUANTIZERS

__all__ = ["AdditiveUniformNoise", "StraightThroughRounding", "MixedQuantization"]


def _round_around(y: Tensor, means: Tensor | None) -> Tensor:
    return ste_round(y) if means is None else ste_round(y - means) + means


@QUANTIZERS.register(
    "additive-uniform-noise",
    taxonomy=["additive-uniform-noise"],
    papers=["balle2017-end-to-end"],
)
class AdditiveUniformNoise(Quantizer):
    """Additive uniform noise: y + U(-1/2, 1/2) stands in for rounding while training.

    Ballé, Laparra, Simoncelli, "End-to-end Optimized Image Compression", 2017
    (``balle2017-end-to-end``). The noisy latent feeds both the rate term and the
    synthesis transform, as in CompressAI's entropy models.
    """

    def train_outputs(self, y: Tensor, means: Tensor | None) -> tuple[Tensor, Tensor]:
        noisy = y + uniform_noise(y)
        return noisy, noisy


@QUANTIZERS.register(
    "straight-through-rounding",
    taxonomy=["straight-through-rounding"],
    papers=["theis2017-lossy"],
)
class StraightThroughRounding(Quantizer):
    """Straight-through rounding: round in the forward pass, identity gradient back.

    Theis, Shi, Cunningham, Huszár, "Lossy Image Compression with Compressive
    Autoencoders", 2017 (``theis2017-lossy``). Rounding is around the predicted
    means when the model has them, so training sees the inference values.
    """

    def train_outputs(self, y: Tensor, means: Tensor | None) -> tuple[Tensor, Tensor]:
        rounded = _round_around(y, means)
        return rounded, rounded


@QUANTIZERS.register(
    "mixed-quantization",
    taxonomy=["mixed-quantization"],
    papers=["minnen2020-channel-wise"],
)
class MixedQuantization(Quantizer):
    """Mixed quantization: noise for the rate term, straight-through rounding for synthesis.

    Minnen & Singh, "Channel-wise Autoregressive Entropy Models for Learned Image
    Compression", 2020 (``minnen2020-channel-wise``); seed 004 §4.2 (Uludağ 2022,
    ``uludag2022-deep``): the probability model learns on noisy values while the
    synthesis transform is trained on the rounded values it will see at test time
    (rounded around the predicted means when given).
    """

    def train_outputs(self, y: Tensor, means: Tensor | None) -> tuple[Tensor, Tensor]:
        return y + uniform_noise(y), _round_around(y, means)
