"""Training: a few steps on tiny data; a run killed after a checkpoint resumes exactly."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

from lic_bench.engine.config import load_config
from lic_bench.engine.train import fit
from lic_bench.errors import UsageError


def test_fit_writes_run_folder(tiny_run):
    run = Path(tiny_run.run_dir)
    assert tiny_run.global_step == 4 and tiny_run.stopped_by == "max_steps"
    cfg = yaml.safe_load((run / "config.yaml").read_text())
    assert cfg["loss"]["lmbda"] == 0.0067  # quality 3 resolved through the MSE table
    assert cfg["model"]["class_path"].endswith("ScaleHyperprior")
    assert cfg["model"]["init_args"]["nonlinearity"] == "gdn"
    ckpts = sorted(p.name for p in (run / "checkpoints").glob("*.ckpt"))
    assert {"step=0000002.ckpt", "step=0000004.ckpt", "last.ckpt", "best.ckpt"} <= set(ckpts)
    with open(run / "logs" / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    losses = [float(r["train/loss"]) for r in rows if r.get("train/loss")]
    assert len(losses) == 4 and all(v > 0 for v in losses)
    assert any(r.get("val/loss") for r in rows)
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert (run / "summary.json").is_file()


def test_config_errors_are_usage_errors(tiny_data, tmp_path, overrides_for):
    with pytest.raises(UsageError, match="unknown config key"):
        load_config([], [*overrides_for(tiny_data, tmp_path), "trainr.max_steps=3"])
    with pytest.raises(UsageError, match="no parameter"):
        load_config([], [*overrides_for(tiny_data, tmp_path), "model.channels=3"])
    with pytest.raises(UsageError, match="MS-SSIM needs patches"):
        load_config([], [*overrides_for(tiny_data, tmp_path), "loss.distortion=ms-ssim"])
    with pytest.raises(UsageError, match="key=value"):
        load_config([], ["model.name"])


def _state(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=False)


def _flat_optimizer(opt_state: dict) -> list[torch.Tensor]:
    return [t for s in opt_state["state"].values() for t in s.values() if isinstance(t, torch.Tensor)]


def _wait_for_checkpoint(path: Path, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"training ended early: {proc.stderr.read()[-2000:]}")
        if path.exists():
            try:  # the file is complete once it loads
                _state(path)
                return
            except Exception:  # noqa: BLE001 - still being written
                pass
        time.sleep(0.2)
    raise AssertionError(f"no checkpoint {path} within {timeout}s")


@pytest.mark.slow
def test_killed_run_resumes_exactly(tiny_data, tmp_path, overrides_for):
    """SIGKILL after the step-4 checkpoint, resume to step 6: same weights and optimizer
    state as an uninterrupted 6-step run, bit for bit."""
    sets = overrides_for(tiny_data, tmp_path / "ref", **{"trainer.max_steps": 6})
    reference = fit(load_config([], sets))
    ref = _state(Path(reference.last_checkpoint))
    assert ref["global_step"] == 6

    # The same run in a subprocess with a far budget, killed once step 4 is on disk.
    out = tmp_path / "killed"
    cli = Path(sys.executable).with_name("lic-bench")
    args = [str(cli), "fit"]
    # A far step budget (the LR is constant, so the budget does not change the updates).
    for item in overrides_for(tiny_data, out, **{"trainer.max_steps": 100_000}):
        args += ["--set", item]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        run_root = out / "bmshj2018-hyperprior-mse-0.0067"
        deadline = time.monotonic() + 240
        while not list(run_root.glob("*/checkpoints")) and time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read()[-2000:])
            time.sleep(0.2)
        ckpt_dir = next(run_root.glob("*/checkpoints"))
        _wait_for_checkpoint(ckpt_dir / "step=0000004.ckpt", proc)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    step4 = ckpt_dir / "step=0000004.ckpt"
    saved = _state(step4)
    assert saved["global_step"] == 4

    resumed = fit(load_config([], overrides_for(tiny_data, tmp_path / "resumed",
                                                  **{"trainer.max_steps": 6})), resume=step4)
    assert resumed.global_step == 6
    got = _state(Path(resumed.last_checkpoint))
    assert got["global_step"] == 6
    for key, value in ref["state_dict"].items():
        assert torch.equal(value, got["state_dict"][key]), key
    for opt_ref, opt_got in zip(ref["optimizer_states"], got["optimizer_states"], strict=True):
        a, b = _flat_optimizer(opt_ref), _flat_optimizer(opt_got)
        assert len(a) == len(b) > 0
        assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    cfg = yaml.safe_load((Path(resumed.run_dir) / "config.yaml").read_text())
    assert cfg["resumed_from"] == str(step4.resolve())


def test_training_skips_a_corrupt_image_with_one_warning(tiny_data, tmp_path, overrides_for):
    from lic_bench.data import BadImageWarning

    train = tmp_path / "train"
    train.mkdir()
    for src in sorted((tiny_data / "train").iterdir())[:4]:
        (train / src.name).symlink_to(src)
    (train / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
    sets = overrides_for(tiny_data, tmp_path / "runs", **{
        "trainer.max_steps": 2,
        "data.train": f"{{dataset: {train}, transform: random-crop, patch_size: 64}}",
    })
    with pytest.warns(BadImageWarning) as record:
        result = fit(load_config([], sets))
    bad = [w for w in record if issubclass(w.category, BadImageWarning)]
    assert len(bad) == 1 and "broken.jpg" in str(bad[0].message)
    assert result.global_step == 2
