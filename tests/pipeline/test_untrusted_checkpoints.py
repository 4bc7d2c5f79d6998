"""[safety] item 0: training checkpoints from elsewhere name no code.

``test``/``validate --checkpoint`` read the config stored in the checkpoint, and
``fit --resume`` unpickles the whole file: a config naming ``subprocess.Popen``, or
a pickle whose loading would call ``os.system``, must end in one line.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import torch

from tests.safety.conftest import assert_one_line_error, evil_config, lic_bench


def _with_config(src: str, dst: Path, model_cfg: dict) -> Path:
    ckpt = torch.load(src, map_location="cpu", weights_only=True)
    ckpt["hyper_parameters"]["config"]["model"] = model_cfg
    torch.save(ckpt, dst)
    return dst


def test_test_checkpoint_naming_code_is_refused(tiny_run, tmp_path):
    marker = tmp_path / "pwned"
    evil = _with_config(tiny_run.last_checkpoint, tmp_path / "evil.ckpt", evil_config(marker))
    for command in ("test", "validate"):
        proc = lic_bench(command, "--checkpoint", evil)
        assert_one_line_error(proc, "outside lic-bench's registries")
        assert not marker.exists()


class _Payload:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_fit_resume_from_a_pickle_with_code_is_refused(tiny_run, tiny_data, overrides_for, tmp_path):
    marker = tmp_path / "pwned"
    ckpt = torch.load(tiny_run.last_checkpoint, map_location="cpu", weights_only=True)
    ckpt["loops"] = _Payload(marker)
    evil = tmp_path / "evil.ckpt"
    with open(evil, "wb") as fh:
        pickle.dump(ckpt, fh)  # torch.load reads plain pickles too
    sets = [x for item in overrides_for(tiny_data, tmp_path / "runs") for x in ("--set", item)]
    proc = lic_bench("fit", *sets, "--resume", evil)
    assert_one_line_error(proc, "not a readable checkpoint")
    assert not marker.exists()
