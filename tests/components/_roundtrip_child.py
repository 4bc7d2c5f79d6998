"""Decodes, in a fresh process at 2 threads, what tests/components/test_combinations.py
encoded at 1 thread; prints one line per case: name and SHA-256 of the pixels."""

from __future__ import annotations

import hashlib
import sys

import torch


def main() -> None:
    from lic_bench.models import build_model

    torch.set_num_threads(2)
    cases = torch.load(sys.argv[1], weights_only=False)  # written by the test itself
    for case in cases:
        model = build_model(case["config"])
        model.load_state_dict(case["state_dict"])
        model.eval()
        with torch.no_grad():
            x_hat = model.decompress(case["strings"], case["shape"], **case["kw"])["x_hat"]
        print(case["name"], hashlib.sha256(x_hat.numpy().tobytes()).hexdigest())


if __name__ == "__main__":
    main()
