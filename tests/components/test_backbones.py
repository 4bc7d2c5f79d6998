"""Backbones are a registered kind: ids, declarations, the checks that read them, the listing."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from lic_bench.errors import UsageError  # noqa: E402
from lic_bench.models import build_model  # noqa: E402
from lic_bench.models.backbones import Backbone, satisfies  # noqa: E402
from lic_bench.models.compose import check_combination  # noqa: E402
from lic_bench.registry import BACKBONES, REGISTRIES, load_all  # noqa: E402
from tests.core.core_helpers import run_cli  # noqa: E402

load_all()


def test_backbones_are_registered_under_their_taxonomy_ids():
    assert BACKBONES.list() == ["factorized-prior", "mean-scale-hyperprior", "scale-hyperprior"]
    assert REGISTRIES["backbone"] is BACKBONES
    for entry in BACKBONES.entries():
        assert entry.taxonomy == (entry.name,) and issubclass(entry.obj, Backbone)
    assert BACKBONES.get("scale-hyperprior").hyper_input == "abs"
    assert BACKBONES.get("mean-scale-hyperprior").gives == "mean-scale"


def test_declarations_drive_the_checks():
    assert satisfies("mean-scale-hyperprior", "scale") and satisfies("mean-scale-hyperprior", "mean-scale")
    assert satisfies("scale-hyperprior", "scale") and not satisfies("scale-hyperprior", "mean-scale")
    assert not satisfies("factorized-prior", "scale") and satisfies("factorized-prior", None)
    assert check_combination("scale-hyperprior", "none", "none", None) == "gaussian-conditional"
    assert check_combination("factorized-prior", "none", "none", None) == "entropy-bottleneck"
    with pytest.raises(UsageError, match="did you mean scale-hyperprior"):
        check_combination("scale-hyperprio", "none", "none", None)


def test_a_new_backbone_is_one_registration():
    """A backbone registered from outside is known to every check at once."""

    class MeanScaleAgain(Backbone):
        """The mean-scale hyperprior under another id (for this test)."""

        hyper_input, gives, entropy_model = "identity", "mean-scale", "gaussian-conditional"

    BACKBONES.register("test-mean-scale", taxonomy=["mean-scale-hyperprior"])(MeanScaleAgain)
    try:
        model = build_model({"name": "mbt2018-mean", "N": 8, "M": 12, "backbone": "test-mean-scale",
                             "context": "checkerboard"})
        assert model.backbone == "test-mean-scale" and model.context_model == "checkerboard"
    finally:
        BACKBONES._entries.pop("test-mean-scale")


def test_components_list_shows_the_backbone_kind(monkeypatch, capsys):
    code, out, err = run_cli(monkeypatch, capsys, "components", "list", "--kind", "backbone", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["name"] for r in rows] == BACKBONES.list() and {r["kind"] for r in rows} == {"backbone"}
