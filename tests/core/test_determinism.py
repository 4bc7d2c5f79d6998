"""Decoding is bit-identical across processes and torch thread counts.

Encoder and decoder must compute the same hyper-decoder outputs; a float that
differs in the last bit can move a scale across a scale-table boundary and
garble the stream. Files are encoded and decoded here with 1 thread and decoded
again in a fresh process with 2 threads; the images must be identical.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from lic_bench.bitstream import decode_image, encode_image, read_image_array, to_uint8
from lic_bench.registry import MODELS
from tests.core.core_helpers import small_config, smooth_image

_CHILD = """
import sys
from lic_bench.bitstream.codec import decompress_file
from lic_bench.models import load_model_config
threads, names, paths = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3:]
# names registered outside lic_bench.models resolve in a fresh process (lic-bench compress --model)
for name in names:
    assert load_model_config(name)["name"] == name, name
for item in paths:
    path, ckpt = item.split("::")
    decompress_file(path, path + f".t{threads}.png", checkpoint=ckpt, threads=threads)
"""


def _stressed(name: str, tmp_path: Path):
    """The test-size model with its analysis output scaled up, saved as a checkpoint:
    random weights give latents that are almost all zero, which would hardly test
    the scale-table boundaries; scaled latents use many indexes and symbols."""
    from lic_bench.bitstream.codec import model_for_coding

    model = model_for_coding(small_config(name))
    convs = [m for m in getattr(model, "g_a", torch.nn.Sequential()).modules() if isinstance(m, torch.nn.Conv2d)]
    if convs:
        with torch.no_grad():
            convs[-1].weight.mul_(25.0)
            convs[-1].bias.mul_(25.0)
    ckpt = tmp_path / f"{name}.pt"
    torch.save({"state_dict": model.state_dict(), "config": model.config}, ckpt)
    return model_for_coding(model.config, checkpoint=ckpt), ckpt


@pytest.mark.slow
def test_fresh_process_decodes_match_across_thread_counts(tmp_path):
    expected: dict[str, np.ndarray] = {}
    sizes: list[float] = []
    for name in MODELS.list():
        model, ckpt = _stressed(name, tmp_path)
        for h, w in ((96, 128), (70, 50)):
            kwargs = {"quality": 2.5} if getattr(model, "variable_rate", False) else {}
            data = encode_image(model, smooth_image(h, w, seed=h + w), **kwargs)
            sizes.append(len(data) * 8 / (h * w))
            path = tmp_path / f"{name}-{h}x{w}.licb"
            path.write_bytes(data)
            expected[f"{path}::{ckpt}"] = to_uint8(decode_image(data, model=model))
    root = Path(__file__).resolve().parents[2]
    assert min(sizes) > 0.3, f"latents too trivial to test coding (bpp {min(sizes):.2f})"
    assert torch.get_num_threads() == 1
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "2", ",".join(MODELS.list()), *map(str, expected)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for item, want in expected.items():
        path = item.split("::")[0]
        got = read_image_array(f"{path}.t2.png")
        assert np.array_equal(got, want), f"{path}: 2-thread fresh process differs from 1-thread decode"


def test_pointwise_mix_is_thread_invariant():
    # The operation that oneDNN's 1x1 convolution gets wrong for us: same result
    # with 1 and 2 threads through lic_bench.layers.pointwise.
    from lic_bench.layers import pointwise

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1, 64, 33, 47, generator=gen)
    w = torch.rand(64, 64, generator=gen)
    b = torch.rand(64, generator=gen)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = pointwise(x, w, b)
        torch.set_num_threads(2)
        two = pointwise(x, w, b)
    finally:
        torch.set_num_threads(before)
    assert torch.equal(one, two)
    torch.testing.assert_close(one, torch.nn.functional.conv2d(x, w[..., None, None], b))
