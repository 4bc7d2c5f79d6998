"""Bitstreams written with one thread decode identically in a fresh process that
uses two: the same ŷ (the coding path runs with pinned threads,
``lic_bench.context.coding.CODING_THREADS``) and the same image."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch

from .conftest import NAMES, SMALL, test_image

CHILD = Path(__file__).with_name("_decode_child.py")


def test_decoding_in_another_process_with_other_threads(models, tmp_path):
    torch.set_num_threads(1)
    x = test_image(64, 128, seed=11)
    cases = []
    for name in NAMES:
        model = models(name)
        with torch.no_grad():
            out = model.compress(x)
            y_hat = model.decompress_latent(out["strings"], out["shape"])
            x_hat = model.decompress(out["strings"], out["shape"])["x_hat"]
        cases.append({
            "name": name,
            "config": {"name": name, **SMALL[name]},
            "state_dict": model.state_dict(),
            "strings": out["strings"],
            "shape": out["shape"],
            "y_hat": y_hat,
            "x_hat": x_hat,
        })
    path = tmp_path / "cases.pt"
    torch.save(cases, path)
    proc = subprocess.run(
        [sys.executable, str(CHILD), str(path), "2"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert [r["name"] for r in rows] == NAMES
    for r in rows:
        assert r["threads"] == 2
        assert r["same_tables"], r
        assert r["equal_y"], r
        assert r["equal"], [(r["name"], r["equal"], r["max_diff"]) for r in rows]
