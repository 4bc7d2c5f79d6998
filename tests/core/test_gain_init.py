"""Gain units' starting gains: ``one`` (Cui et al.) and ``sqrt-lambda`` (spaced levels)."""

import math

import pytest
import torch

from lic_bench.errors import UsageError
from lic_bench.models.config import build_model
from lic_bench.variable_rate import initial_gains

LMBDAS = [0.0035, 0.013, 0.0483, 0.18]


def test_sqrt_lambda_spacing_follows_the_lambdas():
    g = initial_gains(LMBDAS, "sqrt-lambda")
    assert math.prod(g) == pytest.approx(1.0)  # geometric mean 1
    for i in range(len(g) - 1):
        assert g[i + 1] / g[i] == pytest.approx(math.sqrt(LMBDAS[i + 1] / LMBDAS[i]))
    assert initial_gains(LMBDAS, "one") == [1.0] * 4
    with pytest.raises(ValueError, match="gain_init"):
        initial_gains(LMBDAS, "two")


def test_model_levels_start_apart_and_inverse_gains_undo_them():
    torch.manual_seed(0)
    rate = {"name": "gain-units", "lmbdas": LMBDAS, "gain_init": "sqrt-lambda"}
    model = build_model("bmshj2018-factorized", {"N": 8, "M": 16, "variable_rate": rate})
    codec = model.latent_codec
    start = torch.tensor(initial_gains(LMBDAS, "sqrt-lambda"))
    assert torch.allclose(codec.gain.gain[:, 0], start)
    assert torch.allclose(codec.gain.gain * codec.inverse_gain.gain, torch.ones(4, 16))
    model.eval()
    y = 3 * torch.randn(1, 16, 8, 8)
    with torch.no_grad():
        err = [float((codec(y, quality=q)["y_hat"] - y).abs().mean()) for q in (1, 4)]
    assert err[1] < err[0] / 2  # the top level quantises y finer from the first step


def test_default_init_is_unchanged_and_misuse_is_refused():
    model = build_model("cui2022-gained-mean", {"N": 8, "M": 16})
    assert torch.equal(model.latent_codec.gain.gain, torch.ones_like(model.latent_codec.gain.gain))
    with pytest.raises(UsageError, match="without a variable rate"):
        build_model("mbt2018-mean", {"N": 8, "M": 16, "variable_rate": {"gain_init": "sqrt-lambda"}})
    with pytest.raises(UsageError, match="gain_init"):
        build_model("mbt2018-mean", {"N": 8, "M": 16, "variable_rate": {"name": "gain-units", "gain_init": "x"}})


def test_former_flat_settings_become_the_section():
    """``lmbdas`` / ``gain_init`` beside ``variable_rate`` (configs before the section)."""
    model = build_model("mbt2018-mean", {"N": 8, "M": 16, "variable_rate": "gain-units",
                                         "lmbdas": LMBDAS, "gain_init": "sqrt-lambda"})
    assert model.config["init_args"]["variable_rate"] == {"name": "gain-units", "lmbdas": LMBDAS,
                                                          "gain_init": "sqrt-lambda"}
    assert model.lmbdas == LMBDAS
    with pytest.raises(UsageError, match="without a variable rate"):
        build_model("mbt2018-mean", {"N": 8, "M": 16, "gain_init": "sqrt-lambda"})
