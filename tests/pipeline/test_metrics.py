"""Metric maths: PSNR of a known MSE, MS-SSIM of identical images, rates, λ tables."""

from __future__ import annotations

import math

import pytest
import torch

from lic_bench.engine.config import MS_SSIM_LAMBDAS, MSE_LAMBDAS, resolve_lambda
from lic_bench.engine.loss import RateDistortionLoss
from lic_bench.errors import UsageError
from lic_bench.metrics import (
    LpipsMetric,
    bpp_from_bytes,
    bpp_from_likelihoods,
    ms_ssim,
    ms_ssim_db,
    mse,
    psnr,
    psnr_from_mse,
    to_uint8_levels,
)


def test_psnr_of_known_mse():
    a = torch.full((2, 3, 16, 16), 0.5)
    b = a.clone()
    b[0] += 0.1  # MSE 0.01 -> 20 dB
    b[1, :, :8] += 0.2  # half the pixels off by 0.2 -> MSE 0.02
    assert mse(a, b)[0].item() == pytest.approx(0.01)
    values = psnr(a, b)
    assert values[0] == pytest.approx(20.0, abs=1e-5)  # float32 inputs
    assert values[1] == pytest.approx(10 * math.log10(1 / 0.02), abs=1e-5)
    assert psnr_from_mse((1 / 255) ** 2) == pytest.approx(20 * math.log10(255))
    assert psnr(a, a)[0] == math.inf


def test_ms_ssim_identical_is_one_and_drops_with_noise():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(1, 3, 192, 176, generator=g)
    assert ms_ssim(x, x)[0] == pytest.approx(1.0, abs=1e-6)
    noisy = (x + 0.2 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    value = ms_ssim(x, noisy)[0]
    assert 0.0 < value < 0.99
    assert ms_ssim_db(value) == pytest.approx(-10 * math.log10(1 - value))
    assert ms_ssim_db(0.9) == pytest.approx(10.0)


def test_ms_ssim_too_small_is_none():
    x = torch.rand(1, 3, 64, 64)
    assert ms_ssim(x, x) == [None]
    assert ms_ssim_db(None) is None


def test_rates():
    # p = 1/2 everywhere: one bit per latent element.
    lik = {"y": torch.full((1, 4, 8, 8), 0.5), "z": torch.full((1, 2, 2, 2), 0.25)}
    pixels = 128 * 128
    assert bpp_from_likelihoods(lik, pixels) == pytest.approx((4 * 64 * 1 + 8 * 2) / pixels)
    assert bpp_from_bytes(1000, 100 * 80) == pytest.approx(1.0)


def test_uint8_levels():
    x = torch.tensor([-0.2, 0.0, 0.5, 0.5019, 1.3])
    out = to_uint8_levels(x) * 255
    assert torch.equal(out, torch.round(out))
    assert out.tolist() == [0.0, 0.0, 128.0, 128.0, 255.0]


def test_lambda_tables_and_resolution():
    assert MSE_LAMBDAS == (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800)
    assert len(MS_SSIM_LAMBDAS) == 8 and list(MS_SSIM_LAMBDAS) == sorted(MS_SSIM_LAMBDAS)
    assert resolve_lambda({"distortion": "mse", "quality": 1}) == 0.0018
    assert resolve_lambda({"distortion": "ms-ssim", "quality": 8}) == 220.0
    assert resolve_lambda({"distortion": "mse", "lmbda": 0.5, "quality": 1}) == 0.5
    with pytest.raises(UsageError):
        resolve_lambda({"distortion": "mse", "quality": 9})
    with pytest.raises(UsageError):
        resolve_lambda({"distortion": "psnr", "quality": 1})


def test_rate_distortion_loss():
    x = torch.full((1, 3, 8, 8), 0.5)
    out = {"x_hat": x + 0.1, "likelihoods": {"y": torch.full((1, 2, 2, 2), 0.5)}}
    losses = RateDistortionLoss(0.01, "mse")(out, x)
    assert losses["bpp"].item() == pytest.approx(8 / 64)
    assert losses["mse"].item() == pytest.approx(0.01)
    assert losses["loss"].item() == pytest.approx(8 / 64 + 0.01 * 255**2 * 0.01, rel=1e-5)


def test_lpips_reports_reason_or_value():
    metric = LpipsMetric("alex")
    x = torch.rand(1, 3, 64, 64)
    value = metric(x, x.flip(-1))[0]
    if metric.available:  # the ImageNet backbone is in the torch hub cache
        assert value is not None and 0.0 <= value <= 1.5
    else:
        assert value is None
        assert "alex" in metric.unavailable and "torch hub" in metric.unavailable
    with pytest.raises(UsageError):
        LpipsMetric("squeezenet-not-supported")
