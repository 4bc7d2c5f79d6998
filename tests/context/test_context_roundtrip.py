"""Real bitstreams of every context model: they decode to exactly the eval-mode
forward pass, and their size is what the likelihoods predict."""

from __future__ import annotations

import pytest
import torch

from lic_bench.bitstream.codec import pad_image
from lic_bench.registry import CONTEXT_MODELS, MODELS

from .conftest import NAMES, test_image


def _bytes(out) -> int:
    return sum(len(s) for strings in out["strings"] for s in strings)


def test_everything_is_registered():
    assert set(NAMES) <= set(MODELS.list())
    assert {
        "autoregressive-context",
        "checkerboard",
        "channel-wise",
        "uneven-channel-grouping",
        "unified-spatial-channel",
    } <= set(CONTEXT_MODELS.list())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [(64, 64), (70, 101)])
def test_decodes_to_the_eval_forward(name, size, models):
    model = models(name)
    x = pad_image(test_image(*size, seed=size[1]), model.downsampling_factor)
    with torch.no_grad():
        out = model.compress(x)
        decoded = model.decompress(out["strings"], out["shape"])["x_hat"]
        ref = model(x)["x_hat"].clamp(0, 1)
    assert torch.equal(decoded, ref)
    assert _bytes(out) > 100  # the calibrated latents are not all-zero symbols


@pytest.mark.parametrize("name", ["mbt2018", "uludag2022-unified-parallel"])
def test_batches_code_one_string_per_image(name, models):
    model = models(name)
    x = torch.cat([test_image(64, 128, seed=1), test_image(64, 128, seed=2)])
    with torch.no_grad():
        out = model.compress(x)
        single = model.compress(x[1:])
        decoded = model.decompress(out["strings"], out["shape"])["x_hat"]
        ref = model(x)["x_hat"].clamp(0, 1)
    assert len(out["strings"][0]) == 2 and out["strings"][0][1] == single["strings"][0][0]
    assert torch.equal(decoded, ref)


@pytest.mark.parametrize("name", NAMES)
def test_likelihoods_predict_the_bitstream_size(name, models):
    """-sum log2 p of the eval forward vs bytes on disk. The coder works with 64
    tabulated scales (each at most 13% above the predicted one) and 16-bit
    probabilities, and each rANS string ends with a 4-byte flush, so a 2% margin
    plus 8 bytes per string bounds the difference for these Gaussian-like latents;
    a coder that, say, dropped the context or the means would be far outside it."""
    model = models(name)
    x = test_image(128, 128, seed=5)
    with torch.no_grad():
        out = model.compress(x)
        lik = model(x)["likelihoods"]
    estimate = sum(-torch.log2(v).sum().item() for v in lik.values()) / 8
    real = _bytes(out)
    n_strings = sum(len(s) for s in out["strings"])
    assert abs(real - estimate) <= 0.02 * estimate + 8 * n_strings, (real, estimate)
