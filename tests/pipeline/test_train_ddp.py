"""Multi-process training: Lightning DDP on CPU (gloo, 2 processes) through the CLI.

The command line is the one a user types; Lightning starts the second process by running
it again, which is why this cannot run in the test process itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

DDP = {"trainer.accelerator": "cpu", "trainer.devices": 2, "trainer.strategy": "ddp"}
# Variables a DDP launch leaves behind; a stale one would make the run think it is a child.
_LAUNCH_ENV = ("LIC_BENCH_RUN_DIR", "LOCAL_RANK", "NODE_RANK", "RANK", "WORLD_SIZE",
               "MASTER_ADDR", "MASTER_PORT", "PL_GLOBAL_SEED")


def _fit_cli(sets: list[str], resume: Path | None = None) -> dict:
    args = [str(Path(sys.executable).with_name("lic-bench")), "fit"]
    for item in sets:
        args += ["--set", item]
    if resume is not None:
        args += ["--resume", str(resume)]
    env = {k: v for k, v in os.environ.items() if k not in _LAUNCH_ENV}
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # One JSON report (rank 0 only), not one per process.
    assert proc.stdout.count('"run_dir"') == 1, proc.stdout
    return json.loads(proc.stdout[proc.stdout.index("{"):])


def _state(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=False)


def _assert_same_training_state(a: dict, b: dict) -> None:
    assert a["global_step"] == b["global_step"]
    assert a["state_dict"].keys() == b["state_dict"].keys()
    for key, value in a["state_dict"].items():
        assert torch.equal(value, b["state_dict"][key]), key
    for opt_a, opt_b in zip(a["optimizer_states"], b["optimizer_states"], strict=True):
        flat_a = [t for s in opt_a["state"].values() for t in s.values() if torch.is_tensor(t)]
        flat_b = [t for s in opt_b["state"].values() for t in s.values() if torch.is_tensor(t)]
        assert len(flat_a) == len(flat_b) > 0
        assert all(torch.equal(x, y) for x, y in zip(flat_a, flat_b, strict=True))


@pytest.mark.slow
def test_ddp_cpu_trains_checkpoints_and_resumes_exactly(tiny_data, tmp_path, overrides_for):
    """4 steps on 2 processes (2 steps per epoch, so the resumed part crosses an epoch);
    resuming from the step-2 checkpoint ends bit-identical to the uninterrupted run."""
    extra = {**DDP, "trainer.max_steps": 4, "trainer.val_every_n_steps": 4}
    ref = _fit_cli(overrides_for(tiny_data, tmp_path / "ref", **extra))
    run = Path(ref["run_dir"])
    # Both processes wrote into one run folder; the second did not start one of its own.
    assert [p.name for p in run.parent.iterdir()] == [run.name]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["world_size"] == 2 and summary["global_step"] == 4
    assert summary["replicas_identical"] is True  # gradients were averaged, replicas agree
    ckpts = {p.name for p in (run / "checkpoints").glob("*.ckpt")}
    assert {"step=0000002.ckpt", "step=0000004.ckpt", "last.ckpt"} <= ckpts
    assert (run / "config.yaml").is_file() and (run / "logs" / "metrics.csv").is_file()

    resumed = _fit_cli(overrides_for(tiny_data, tmp_path / "resumed", **extra),
                       resume=run / "checkpoints" / "step=0000002.ckpt")
    assert resumed["global_step"] == 4
    _assert_same_training_state(_state(run / "checkpoints" / "last.ckpt"),
                                _state(Path(resumed["last_checkpoint"])))
