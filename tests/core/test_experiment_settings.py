"""Experiment configs are typed: every section refuses unknown keys and wrong values in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lic_bench.engine.config import DEFAULTS, load_config
from lic_bench.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "configs/ablation/fp-gdn-q3.yaml", ROOT / "configs/protocols/cpu-mini.yaml"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("trainr.max_steps=3", "unknown config key 'trainr'"),
        ("optim.lrr=1", "unknown config key 'optim.lrr'; known here: lr, aux_lr"),
        ("optim.scheduler.nam=cosine", "unknown config key 'optim.scheduler.nam'"),
        ("data.train.patchsize=64", "unknown config key 'data.train.patchsize'"),
        ("optim.lr=abc", "config key 'optim.lr': Input should be a valid number"),
        ("optim.lr=-1", "config key 'optim.lr': Input should be greater than 0"),
        ("data.batch_size=0", "config key 'data.batch_size': Input should be greater than or equal to 1"),
        ("data.train.transform=flip", "config key 'data.train.transform'"),
        ("optim.scheduler.name=linear", "config key 'optim.scheduler.name'"),
        ("trainer.precision=8-bit", "config key 'trainer.precision'"),
        ("seed=[1, 2]", "config key 'seed'"),
    ],
)
def test_wrong_settings_are_one_line_errors(item, message):
    with pytest.raises(UsageError, match=None) as err:
        load_config(FILES, [item])
    text = str(err.value)
    assert message in text and "\n" not in text


def test_values_are_coerced_to_their_types():
    # YAML 1.1 reads 3e-4 (no dot) as a string; the typed settings make it the float it means
    cfg = load_config(FILES, ["optim.lr=3e-4", "data.batch_size=8", "trainer.max_time=600"])
    assert cfg["optim"]["lr"] == 3e-4 and isinstance(cfg["optim"]["lr"], float)
    assert cfg["data"]["batch_size"] == 8 and cfg["trainer"]["max_time"] == 600
    # omitted keys keep their defaults, a file's keys win over them
    assert cfg["early_stopping"]["patience"] == DEFAULTS["early_stopping"]["patience"]
    assert cfg["data"]["train"]["patch_size"] == 128 and cfg["protocol"] == "cpu-mini"


def test_a_resolved_config_resolves_to_itself():
    cfg = load_config(FILES)
    assert load_config([], [], extra=cfg) == cfg
