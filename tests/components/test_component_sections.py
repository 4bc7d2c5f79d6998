"""A config section per component: the same typed check for --set, files and untrusted files.

Every component key of a composed model (backbone, transform, context, entropy_model,
variable_rate, quantizer) takes an id or ``{name: id, <setting>: value}``; a resolved
config holds every setting, a component without settings stays a bare id.
"""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from lic_bench.engine.config import model_overrides  # noqa: E402
from lic_bench.entropy import LaplacianConditional  # noqa: E402
from lic_bench.errors import UsageError  # noqa: E402
from lic_bench.latent_codecs import GainedCodec, GainUnitsRate  # noqa: E402
from lic_bench.models import build_model, load_model_config  # noqa: E402
from lic_bench.models.config import UntrustedConfigError  # noqa: E402
from lic_bench.models.sections import SECTIONS, resolve_section, section_settings  # noqa: E402
from lic_bench.registry import ENTROPY_MODELS, VARIABLE_RATE  # noqa: E402

SMALL = {"N": 8, "M": 12}


def test_every_component_key_has_a_section():
    assert set(SECTIONS) == {"backbone", "transform", "context", "entropy_model", "variable_rate", "quantizer",
                             "nonlinearity", "hyper_nonlinearity"}
    assert section_settings("hyper_nonlinearity", "leaky-relu") == {"negative_slope": 0.01}
    assert section_settings("variable_rate", "gain-units").keys() == {"lmbdas", "gain_init"}
    assert section_settings("quantizer", "universal-quantization") == {"seed": 0}
    assert resolve_section("transform", {"name": "residual-attention"}) == "residual-attention"
    assert resolve_section("entropy_model", None) is None


def test_set_reaches_a_setting_of_any_section():
    overrides = model_overrides(["model.variable_rate.lmbdas=[0.002, 0.02]"])
    cfg = load_model_config("cui2022-gained-mean", {**SMALL, **overrides})["init_args"]
    assert cfg["variable_rate"] == {"name": "gain-units", "lmbdas": [0.002, 0.02], "gain_init": "one"}
    with pytest.raises(UsageError, match="'additive-uniform-noise' has no setting 'seed'"):
        load_model_config("cui2022-gained-mean", model_overrides(["model.quantizer.seed=7"]))
    overrides = model_overrides(["model.quantizer.name=universal-quantization", "model.quantizer.seed=7"])
    cfg = load_model_config("mbt2018-mean", overrides)
    assert cfg["init_args"]["quantizer"] == {"name": "universal-quantization", "seed": 7}


def test_variable_rate_is_built_through_its_registry():
    assert VARIABLE_RATE.get("gain-units") is GainUnitsRate
    model = build_model("mbt2018-mean", {**SMALL, "variable_rate": {"name": "gain-units", "lmbdas": [0.01, 0.1]}})
    assert isinstance(model.latent_codec, GainedCodec) and isinstance(model.latent_codec.inner.z_codec, GainedCodec)
    assert model.levels == 2 and model.lmbdas == [0.01, 0.1]
    assert model.latent_codec.gain.gain.shape == (2, 12)


@pytest.mark.parametrize("override,words", [
    ({"variable_rate": {"name": "gain-units", "lmbdas": [0.0]}}, "greater than 0"),
    ({"variable_rate": {"name": "gain-units", "lmbdas": "0.1"}}, "valid list"),
    ({"variable_rate": {"name": "gain-units", "gain_init": "two"}}, "'one' or 'sqrt-lambda'"),
    ({"quantizer": {"name": "universal-quantization", "seed": "3"}}, "valid integer"),
    ({"quantizer": {"name": "universal-quantization", "seed": 10**6}}, "outside 0..1024"),
    ({"transform": {"name": "strided-convolution", "depth": 3}}, "has no setting 'depth'"),
    ({"entropy_model": "gaussian-conditionl"}, "did you mean gaussian-conditional"),
    ({"backbone": {"name": "scale-hyperprior", "x": 1}}, "has no setting 'x'"),
])
def test_typed_settings_refuse_in_one_line_for_users_and_files(override, words):
    with pytest.raises(UsageError, match=words) as info:
        build_model({"name": "mbt2018-mean", **SMALL, **override})
    assert "\n" not in str(info.value)
    with pytest.raises(UntrustedConfigError, match="refused"):
        load_model_config({"name": "mbt2018-mean", **SMALL, **override}, trusted=False)


def test_former_flat_gain_settings_still_load_from_files():
    """Headers written before the section hold ``lmbdas``/``gain_init`` flat, beside
    ``variable_rate: none`` in every model's config."""
    old = {"name": "mbt2018-mean", "init_args": {**SMALL, "variable_rate": "none", "lmbdas": [0.0018, 0.0035],
                                                 "gain_init": "one"}}
    assert load_model_config(old, trusted=False)["init_args"]["variable_rate"] == "none"
    old_gained = {"name": "cui2022-gained-mean", "init_args": {**SMALL, "variable_rate": "gain-units",
                                                              "lmbdas": [0.0018, 0.0035], "gain_init": "one"}}
    cfg = load_model_config(old_gained, trusted=False)["init_args"]
    assert cfg["variable_rate"] == {"name": "gain-units", "lmbdas": [0.0018, 0.0035], "gain_init": "one"}


class _TailLaplacian(LaplacianConditional):
    """A Laplace density with its tail mass as a setting (for this test)."""

    def __init__(self, scale_table=None, tail_mass: float = 1e-9):
        super().__init__(scale_table, tail_mass=tail_mass)


def test_entropy_model_settings_reach_the_density():
    ENTROPY_MODELS.register("test-tail-laplacian", taxonomy=["laplacian-conditional"])(_TailLaplacian)
    try:
        model = build_model({"name": "bmshj2018-hyperprior", **SMALL,
                             "entropy_model": {"name": "test-tail-laplacian", "tail_mass": 1e-6}})
        assert model.config["init_args"]["entropy_model"] == {"name": "test-tail-laplacian", "tail_mass": 1e-6}
        density = model.latent_codec.y_codec.gaussian_conditional
        assert type(density) is _TailLaplacian and density.tail_mass == 1e-6
        with pytest.raises(UsageError, match="tail_mass"):
            build_model({"name": "bmshj2018-hyperprior", **SMALL,
                         "entropy_model": {"name": "test-tail-laplacian", "tail_mass": "big"}})
    finally:
        ENTROPY_MODELS._entries.pop("test-tail-laplacian")


def test_nonlinearity_settings_reach_the_layers():
    model = build_model({"name": "mbt2018-mean", **SMALL,
                         "hyper_nonlinearity": {"name": "leaky-relu", "negative_slope": 0.2}})
    slopes = {m.negative_slope for m in model.modules() if type(m).__name__ == "LeakyReLU"}
    assert slopes == {0.2}
    assert load_model_config("mbt2018-mean")["init_args"]["hyper_nonlinearity"] == {
        "name": "leaky-relu", "negative_slope": 0.01}  # the default slope is pinned too
    with pytest.raises(UntrustedConfigError, match="non-linearity"):
        load_model_config({"name": "mbt2018-mean", "nonlinearity": "os.system"}, trusted=False)
    with pytest.raises(UntrustedConfigError, match="approximate"):
        load_model_config({"name": "mbt2018-mean", "nonlinearity": {"name": "gelu", "approximate": "exact"}},
                          trusted=False)
