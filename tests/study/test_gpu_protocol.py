"""The gpu protocol: the thesis's batch and crop size, and its precision reaches Lightning."""

from __future__ import annotations

import pytest

pytest.importorskip("lightning")


def test_gpu_protocol_precision_reaches_the_trainer(tmp_path, project_root):
    from lic_bench.engine.config import load_config
    from lic_bench.engine.train import build_trainer

    cfg = load_config([project_root / "configs/protocols/gpu.yaml"],
                      ["model.name=bmshj2018-factorized", "loss.quality=3"])
    assert cfg["protocol"] == "gpu" and cfg["data"]["batch_size"] == 16
    assert cfg["data"]["train"]["patch_size"] == 256 and cfg["trainer"]["precision"] == "bf16-mixed"
    cfg["trainer"]["accelerator"] = "cpu"  # this machine has no GPU; the precision plugin is the same
    trainer = build_trainer(cfg, tmp_path, "fit")
    assert trainer.precision == "bf16-mixed"
    other = build_trainer({**cfg, "trainer": {**cfg["trainer"], "precision": "32-true"}}, tmp_path, "fit")
    assert other.precision == "32-true"


@pytest.mark.parametrize("model", ["bmshj2018-factorized", "mbt2018-mean"])
def test_bf16_mixed_trains_and_validates(tmp_path, project_root, shared_data, model):
    """Two steps and a validation under bf16 autocast (on CPU here; the same autocast on GPU)."""
    from lic_bench.engine.config import load_config
    from lic_bench.engine.train import fit

    cfg = load_config([project_root / "configs/protocols/gpu.yaml"], [
        f"model.name={model}", "model.N=8", "model.M=8", "loss.quality=3", "trainer.accelerator=cpu",
        "trainer.max_steps=2", "trainer.val_every_n_steps=2", "trainer.limit_val_batches=1",
        "data.batch_size=2", "data.val_batch_size=2", "data.num_workers=0", "data.train.patch_size=64",
        "data.val.patch_size=64", "threads=1", f"output_dir={tmp_path}"])
    result = fit(cfg)
    assert result.global_step == 2 and result.val_metrics["val/bpp"] > 0
