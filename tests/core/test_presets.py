"""Presets live in one place (lic_bench.models.presets); configs/models documents them.

Every preset builds (at its small test size), and every shipped YAML file says what
its preset says: the same resolved config whether a model is named or read from a file.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lic_bench.models import build_model, config_dir, load_model_config  # noqa: E402
from lic_bench.registry import MODELS, load_all  # noqa: E402

load_all()
NAMES = MODELS.list()


def test_every_preset_has_its_documented_config():
    assert sorted(p.stem for p in config_dir().glob("*.yaml")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_documented_defaults_match_the_preset(name):
    from_file = load_model_config(config_dir() / f"{name}.yaml")
    assert from_file == load_model_config(name) == load_model_config({"name": name})


@pytest.mark.parametrize("name", NAMES)
def test_every_preset_builds(name):
    small = MODELS.entry(name).extra.get("test_overrides") or {"N": 8, "M": 12}
    model = build_model(name, small)
    assert model.name == name and model.config["init_args"]["N"] == small["N"]
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        out = model.eval()(x)
    assert out["x_hat"].shape == x.shape
