"""Model configs: defaults, overrides, both YAML styles, swapping components by name."""

from __future__ import annotations

import pytest
import torch
import yaml

from lic_bench.bitstream import decode_image, encode_image
from lic_bench.bitstream.codec import model_for_coding
from lic_bench.errors import UsageError
from lic_bench.layers import DivisiveNormalization
from lic_bench.models import build_model, config_dir, load_model_config, transforms
from lic_bench.registry import MODELS, NONLINEARITIES, QUANTIZERS
from tests.core.core_helpers import smooth_image


def test_shipped_configs_resolve_to_their_registered_model():
    paths = sorted(config_dir().glob("*.yaml"))
    assert {p.stem for p in paths} >= {"bmshj2018-factorized", "bmshj2018-hyperprior", "mbt2018-mean",
                                        "cui2022-gained-mean"}
    for path in paths:
        cfg = load_model_config(path)
        assert cfg["name"] == path.stem and cfg["name"] in MODELS
        assert load_model_config(cfg) == cfg  # resolving is idempotent


def test_defaults_fill_omitted_fields_and_overrides_win():
    cfg = load_model_config({"name": "bmshj2018-hyperprior", "M": 96})
    expected = {"N": 128, "M": 96, "nonlinearity": "gdn", "hyper_nonlinearity": "relu",
                "quantizer": "additive-uniform-noise", "backbone": "scale-hyperprior", "context": "none",
                "variable_rate": "none", "entropy_model": None}
    assert {k: cfg["init_args"][k] for k in expected} == expected
    cfg = load_model_config("mbt2018-mean", {"N": 8, "nonlinearity": "gsdn"})
    assert cfg["init_args"]["N"] == 8 and cfg["init_args"]["M"] == 320
    assert cfg["class_path"] == "lic_bench.models.presets.MeanScaleHyperprior"


def test_class_path_and_training_config_styles(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({
        "model": {"class_path": "lic_bench.models.factorized.FactorizedPrior", "init_args": {"N": 8, "M": 12}},
        "lmbda": 0.01,
    }))
    cfg = load_model_config(path)
    assert cfg["name"] == "bmshj2018-factorized" and cfg["init_args"]["M"] == 12
    model = build_model(path)
    assert model.name == "bmshj2018-factorized" and model.config == cfg


@pytest.mark.parametrize(
    "source, message",
    [
        ({"name": "mbt2018-mean", "nonlinerity": "gdn"}, "did you mean nonlinearity"),
        ({"name": "mbt2018-mean", "nonlinearity": "gnd"}, "unknown nonlinearity"),
        ({"name": "mbt2018-mean", "quantizer": "rounding"}, "unknown quantizer"),
        ({"name": "mbt2019-mean"}, "unknown model"),
        ({"N": 3}, "needs a 'name'"),
        ({"class_path": "no.such.Class"}, "cannot import"),
        ("missing.yaml", "no such config"),
    ],
)
def test_config_errors_are_usage_errors(source, message):
    with pytest.raises(UsageError, match=message):
        load_model_config(source)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES.list())
def test_swapping_the_nonlinearity_needs_no_code(nonlinearity, tmp_path):
    path = tmp_path / "swap.yaml"
    path.write_text(f"name: mbt2018-mean\nN: 16\nM: 24\nnonlinearity: {nonlinearity}\n")
    model = model_for_coding(path)
    expected = type(NONLINEARITIES.get(nonlinearity)(16))
    assert type(model.g_a[1]) is expected and type(model.g_s[1]) is expected
    if expected is DivisiveNormalization:
        assert not model.g_a[1].inverse and model.g_s[1].inverse
    x = smooth_image(64, 64)
    data = encode_image(model, x)
    assert decode_image(data).shape == x.shape


@pytest.mark.parametrize("quantizer", QUANTIZERS.list())
def test_swapping_the_quantizer_needs_no_code(quantizer):
    model = model_for_coding({"name": "mbt2018-mean", "N": 16, "M": 24, "quantizer": quantizer})
    x = smooth_image(64, 64)
    data = encode_image(model, x)
    with torch.no_grad():
        ref = model(x)["x_hat"].clamp(0, 1)
    assert torch.equal(decode_image(data), ref)
    model.train()
    out = model(x)
    assert torch.isfinite(out["x_hat"]).all()


def test_transform_builders_shapes():
    x = torch.rand(1, 3, 64, 64)
    g_a, g_s = transforms.analysis(8, 12, "1dn"), transforms.synthesis(8, 12, "1dn")
    y = g_a(x)
    assert y.shape == (1, 12, 4, 4) and g_s(y).shape == x.shape
    h_a = transforms.hyper_analysis(8, 12, "leaky-relu")
    h_s = transforms.hyper_synthesis(8, 12, "leaky-relu", mean_scale=True)
    z = h_a(y)
    assert z.shape == (1, 8, 1, 1) and h_s(z).shape == (1, 24, 4, 4)
