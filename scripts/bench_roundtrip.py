"""Encode and decode one Kodak image with one implementation, for whole-process timing.

    .venv/bin/python scripts/bench_roundtrip.py --impl model      --model mbt2018-mean
    .venv/bin/python scripts/bench_roundtrip.py --impl compressai --model mbt2018-mean

Both build the same fixed-seed weights (CompressAI's class receives ours), so an
outside timer (e.g. ``/usr/bin/time -v``, or pairs of runs alternating the two
commands) compares the implementations with start-up included. Prints the
SHA-256 of the strings and of the decoded pixels, so a run can show that both
implementations produced the same output.
"""

from __future__ import annotations

import argparse
import hashlib

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=("model", "compressai"), required=True)
    parser.add_argument("--model", default="mbt2018-mean")
    parser.add_argument("--image", default="kodim23.png")
    parser.add_argument("--times", type=int, default=3, help="encode+decode round trips")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from lic_bench.bench.compare import compressai_twin
    from lic_bench.bench.runner import build_for_bench
    from lic_bench.bench.stages import Implementation
    from lic_bench.bitstream import read_image
    from lic_bench.paths import data_dir

    x = read_image(data_dir(None) / "kodak" / args.image)
    model, cfg = build_for_bench(args.model, torch.device("cpu"))
    if args.impl == "compressai":
        impl = Implementation(compressai_twin(model, cfg).eval())
    else:
        impl = Implementation(model)
    with torch.inference_mode():
        for _ in range(args.times):
            coded = impl.compress(x)
            x_hat = impl.decompress(coded)["x_hat"]
    strings = b"".join(s for group in coded["strings"] for s in group)
    print(
        f"{args.impl} {args.model}: {len(strings)} bytes, strings sha256 "
        f"{hashlib.sha256(strings).hexdigest()[:16]}, pixels sha256 "
        f"{hashlib.sha256(x_hat.contiguous().numpy().tobytes()).hexdigest()[:16]}"
    )


if __name__ == "__main__":
    main()
