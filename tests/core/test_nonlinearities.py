"""Divisive normalisation against its formulas, CompressAI compatibility, swapping by name."""

from __future__ import annotations

import pytest
import torch
from compressai.layers import GDN as CompressaiGDN

from lic_bench.errors import UsageError
from lic_bench.layers import DivisiveNormalization, get_nonlinearity
from lic_bench.registry import NONLINEARITIES

C = 5


def _set(layer: DivisiveNormalization, beta: torch.Tensor, gamma: torch.Tensor, mean=None):
    with torch.no_grad():
        layer.beta.copy_(layer.beta_reparam.init(beta))
        layer.gamma.copy_(layer.gamma_reparam.init(gamma))
        if mean is not None:
            layer.mean.copy_(mean)


@pytest.fixture
def params():
    gen = torch.Generator().manual_seed(3)
    beta = 0.5 + torch.rand(C, generator=gen)
    gamma = 0.2 * torch.rand(C, C, generator=gen)
    mean = torch.randn(C, generator=gen)
    x = 2 * torch.randn(2, C, 3, 4, generator=gen)
    return beta, gamma, mean, x


def _norm(v: torch.Tensor, beta, gamma, power) -> torch.Tensor:
    # direct double loop: beta_i + sum_j gamma_ij * |v_j|^power
    out = torch.empty_like(v)
    for i in range(C):
        acc = beta[i].expand_as(v[:, i]).clone()
        for j in range(C):
            acc = acc + gamma[i, j] * v[:, j].abs() ** power
        out[:, i] = acc
    return out


@pytest.mark.parametrize(
    "name, inverse",
    [("gdn", False), ("gdn", True), ("1dn", False), ("1dn", True), ("gsdn", False), ("gsdn", True)],
)
def test_matches_direct_formula(name, inverse, params):
    beta, gamma, mean, x = params
    layer = get_nonlinearity(name, C, inverse=inverse)
    _set(layer, beta, gamma, mean if name == "gsdn" else None)
    power, root = (1, 1.0) if name == "1dn" else (2, 0.5)
    mu = mean.reshape(1, C, 1, 1) if name == "gsdn" else torch.zeros(1, C, 1, 1)
    if inverse:
        expected = x * _norm(x, beta, gamma, power) ** root + mu
    else:
        expected = (x - mu) / _norm(x - mu, beta, gamma, power) ** root
    torch.testing.assert_close(layer(x), expected, rtol=1e-5, atol=1e-6)


def test_gsdn_inverse_undoes_forward_when_trained_that_way(params):
    # GSDN subtracts its mean; IGSDN with the same mean adds it back after scaling.
    beta, gamma, mean, x = params
    fwd, inv = get_nonlinearity("gsdn", C), get_nonlinearity("gsdn", C, inverse=True)
    _set(fwd, beta, torch.zeros(C, C), mean)
    _set(inv, beta, torch.zeros(C, C), mean)
    torch.testing.assert_close(inv(fwd(x)), x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("inverse", [False, True])
def test_gdn_loads_compressai_state_dict_and_agrees(inverse, params):
    _, _, _, x = params
    theirs = CompressaiGDN(C, inverse=inverse)
    with torch.no_grad():
        theirs.beta.add_(torch.rand(C))
        theirs.gamma.add_(0.1 * torch.rand(C, C))
    ours = get_nonlinearity("gdn", C, inverse=inverse)
    assert set(ours.state_dict()) == set(theirs.state_dict())
    ours.load_state_dict(theirs.state_dict())
    torch.testing.assert_close(ours(x), theirs(x), rtol=1e-5, atol=1e-6)


def test_reparameterisation_keeps_parameters_valid():
    layer = DivisiveNormalization(C, beta_min=1e-3)
    with torch.no_grad():
        layer.beta.fill_(-5.0)
        layer.gamma.fill_(-5.0)
    assert layer.beta_reparam(layer.beta).min() >= 1e-3
    assert layer.gamma_reparam(layer.gamma).min() >= 0
    assert torch.isfinite(layer(torch.randn(1, C, 2, 2))).all()


@pytest.mark.parametrize("name", NONLINEARITIES.list())
@pytest.mark.parametrize("inverse", [False, True])
def test_every_nonlinearity_builds_by_name(name, inverse):
    layer = get_nonlinearity(name, 8, inverse=inverse)
    x = torch.randn(1, 8, 4, 4, requires_grad=True)
    y = layer(x)
    assert y.shape == x.shape
    y.sum().backward()
    assert torch.isfinite(x.grad).all()


def test_unknown_nonlinearity_is_a_usage_error():
    with pytest.raises(UsageError, match="gdn"):
        get_nonlinearity("gnd", 4)


def test_registered_names_and_papers():
    assert set(NONLINEARITIES.list()) >= {"gdn", "1dn", "gsdn", "relu", "gelu", "leaky-relu"}
    assert NONLINEARITIES.entry("1dn").papers == ("johnston2019-computationally",)
    assert NONLINEARITIES.entry("gsdn").papers == ("qian2021-learning",)
    assert NONLINEARITIES.entry("gdn").taxonomy == ("gdn",)
