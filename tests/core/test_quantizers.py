"""Quantizers: inference rounding, training proxies, gradients, the shared dither."""

from __future__ import annotations

import pytest
import torch

from lic_bench.quantizers import dither, get_quantizer
from lic_bench.registry import QUANTIZERS


@pytest.fixture
def y():
    return 4 * torch.randn(2, 6, 5, 7, generator=torch.Generator().manual_seed(1))


@pytest.fixture
def means():
    return torch.randn(2, 6, 5, 7, generator=torch.Generator().manual_seed(2))


@pytest.mark.parametrize("name", QUANTIZERS.list())
def test_inference_rounds_around_means(name, y, means):
    q = get_quantizer(name).eval()
    rate, syn = q(y, means=means)
    d = q.offset(y)
    d = torch.zeros_like(y) if d is None else d
    k = torch.round(y - means - d)
    torch.testing.assert_close(syn, k + means + d, rtol=0, atol=1e-6)
    torch.testing.assert_close(rate, k + means, rtol=0, atol=1e-6)
    assert (syn - y).abs().max() <= 0.5 + 1e-5


def test_additive_uniform_noise(y):
    rate, syn = get_quantizer("additive-uniform-noise").train()(y)
    assert torch.equal(rate, syn)
    err = syn - y
    assert err.abs().max() <= 0.5 and err.std() > 0.2
    assert not torch.equal(syn, torch.round(syn))


def test_straight_through_rounding_passes_gradient(y, means):
    y = y.clone().requires_grad_(True)
    rate, syn = get_quantizer("straight-through-rounding").train()(y, means=means)
    torch.testing.assert_close(syn, torch.round(y - means) + means)
    syn.sum().backward()
    assert torch.equal(y.grad, torch.ones_like(y))


def test_mixed_quantization_noise_for_rate_rounding_for_synthesis(y, means):
    y = y.clone().requires_grad_(True)
    rate, syn = get_quantizer("mixed-quantization").train()(y, means=means)
    torch.testing.assert_close(syn, torch.round(y - means) + means)
    assert (rate - y).abs().max() <= 0.5
    assert not torch.allclose(rate, syn)
    (rate.sum() + syn.sum()).backward()
    assert torch.equal(y.grad, 2 * torch.ones_like(y))


def test_universal_dither_is_shared_and_uniform():
    a = dither((6, 50, 70), seed=5)
    b = dither((6, 50, 70), seed=5)
    assert torch.equal(a, b)
    assert a.min() >= -0.5 and a.max() < 0.5
    assert abs(a.mean().item()) < 0.01 and abs(a.var().item() - 1 / 12) < 0.005
    q1, q2 = get_quantizer("universal-quantization"), get_quantizer({"name": "universal-quantization"})
    y = torch.randn(1, 6, 50, 70)
    assert torch.equal(q1.offset(y), q2.offset(y))
    # quantization error of dithered rounding is uniform on [-1/2, 1/2), independent of y
    err = q1.eval()(y)[1] - y
    assert abs(err.var().item() - 1 / 12) < 0.005


def test_registry_names():
    assert QUANTIZERS.list() == sorted(
        ["additive-uniform-noise", "straight-through-rounding", "mixed-quantization", "universal-quantization"]
    )
    assert QUANTIZERS.entry("universal-quantization").papers == ("agustsson2020-universally",)
