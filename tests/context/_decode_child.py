"""Child process of test_context_threads: decode bitstreams with another thread count.

Usage: python _decode_child.py <cases.pt> <threads>; prints one JSON line per case.
"""

from __future__ import annotations

import json
import sys

import torch

from lic_bench.models import build_model
from lic_bench.registry import load_all


def main(path: str, threads: int) -> None:
    load_all()
    torch.set_num_threads(threads)
    for case in torch.load(path, weights_only=False):
        model = build_model(case["config"]).eval()
        model.load_state_dict(case["state_dict"])
        tables = {k: v.clone() for k, v in model.state_dict().items() if "._" in k}
        model.update(force=True)
        same_tables = all(torch.equal(v, model.state_dict()[k]) for k, v in tables.items())
        with torch.no_grad():
            y_hat = model.decompress_latent(case["strings"], case["shape"])
            x_hat = model.decompress(case["strings"], case["shape"])["x_hat"]
        print(json.dumps({
            "name": case["name"],
            "threads": torch.get_num_threads(),
            "same_tables": same_tables,
            "equal_y": bool(torch.equal(y_hat, case["y_hat"])),
            "equal": bool(torch.equal(x_hat, case["x_hat"])),
            "max_diff": float((x_hat - case["x_hat"]).abs().max()),
        }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
