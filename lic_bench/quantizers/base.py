"""The quantizer interface shared by every model.

A quantizer maps a latent ``y`` (and optionally the predicted means ``mu``) to two
tensors::

    y_for_rate, y_for_synthesis = quantizer(y, means=mu, training=...)

``y_for_rate`` is what the entropy model evaluates likelihoods on;
``y_for_synthesis`` is what the synthesis (or hyper-synthesis) transform sees.
During training the two may differ (mixed quantization). At inference the
synthesis value is the deterministic coding value ``y_hat = k + mu + d`` with
``k = round(y - mu - d)``, where ``d`` is the quantizer's coding offset
(:meth:`Quantizer.offset`; zero except for universal quantization), and the rate
value is ``k + mu``: what the entropy coder's integer-centred tables see. So the
eval-mode likelihoods give the same bits as the real coder, and encoder and
decoder shift the coder's symbols by :meth:`Quantizer.shift` identically.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from torch import Tensor

__all__ = ["Quantizer", "ste_round", "uniform_noise"]


def ste_round(x: Tensor) -> Tensor:
    """Round in the forward pass, identity gradient in the backward pass."""
    return x + (torch.round(x) - x).detach()


def uniform_noise(x: Tensor) -> Tensor:
    """Samples of U(-1/2, 1/2) shaped like ``x``."""
    return torch.empty_like(x).uniform_(-0.5, 0.5)


class Quantizer(nn.Module):
    """Base class: deterministic rounding at inference; subclasses define training."""

    def offset(self, y: Tensor) -> Tensor | None:
        """Coding offset ``d`` shared by encoder and decoder (``None``: no offset)."""
        return None

    def shift(self, y: Tensor, means: Tensor | None = None) -> Tensor | None:
        """``mu + d``: what the entropy coder subtracts before rounding to symbols."""
        d = self.offset(y)
        if means is None:
            return d
        return means if d is None else means + d

    def train_outputs(self, y: Tensor, means: Tensor | None) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def forward(
        self, y: Tensor, means: Tensor | None = None, training: bool | None = None
    ) -> tuple[Tensor, Tensor]:
        if training is None:
            training = self.training
        if training:
            return self.train_outputs(y, means)
        shift = self.shift(y, means)
        if shift is None:
            y_hat = torch.round(y)
            return y_hat, y_hat
        symbols = torch.round(y - shift)
        y_hat = symbols + shift
        d = self.offset(y)
        if d is None:
            return y_hat, y_hat
        return (symbols if means is None else symbols + means), y_hat
