"""Child process of :mod:`lic_bench.bench.determinism`: decode files as one backend.

Reads ``{"backend": {...}, "jobs": [{"name", "file", "checkpoint"}], "out_dir"}`` as JSON
on stdin, prints ``{"results": {name: {...}}}`` as the last line of stdout. The backend
(threads, oneDNN, device) is set before anything is decoded, in a process that has run
no convolution yet.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _decode(job: dict, backend: dict, out_dir: Path) -> dict:
    import numpy as np
    import torch

    from lic_bench.bench.determinism import sha256_array
    from lic_bench.bitstream import decode_image, read_header, to_uint8, write_png
    from lic_bench.bitstream.codec import model_for_coding

    data = Path(job["file"]).read_bytes()
    start = time.perf_counter()
    if backend["device"] == "cpu":
        x_hat = decode_image(data, checkpoint=job["checkpoint"])
    else:  # the public decoder with a model placed on the device
        model = model_for_coding(read_header(data)["config"], job["checkpoint"]).to(backend["device"])
        x_hat = decode_image(data, model=model)
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    x_hat = x_hat.detach().float().cpu()
    if backend.get("perturb"):
        x_hat = (x_hat + float(backend["perturb"])).clamp(0, 1)
    pixels = to_uint8(x_hat)
    png = out_dir / f"{job['name']}.png"
    write_png(x_hat, png)
    return {"pixels_sha256": sha256_array(pixels),
            "float_sha256": sha256_array(x_hat.numpy().astype(np.float32)),
            "png": str(png), "seconds": round(seconds, 4)}


def main() -> None:
    spec = json.loads(sys.stdin.read())
    backend = spec["backend"]
    import torch

    torch.backends.mkldnn.enabled = bool(backend["onednn"])
    torch.set_num_threads(int(backend["threads"]))
    out_dir = Path(spec["out_dir"])
    results = {}
    for job in spec["jobs"]:
        try:
            results[job["name"]] = _decode(job, backend, out_dir)
        except Exception as exc:  # noqa: BLE001 - one model's failure is a finding, not a crash
            first = str(exc).splitlines()[0] if str(exc) else ""
            results[job["name"]] = {"error": f"{type(exc).__name__}: {first}"[:300]}
    print(json.dumps({"results": results, "threads": torch.get_num_threads(),
                      "onednn": torch.backends.mkldnn.enabled}))


if __name__ == "__main__":
    main()
