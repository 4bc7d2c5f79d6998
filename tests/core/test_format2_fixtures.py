"""Format-2 files written before the latent-codec refactor still decode, pixel for pixel,
and the same model (fixed-seed weights) still writes the same strings.

The files in ``tests/fixtures/bitstreams`` were written by commit 5033f15 with
``make_fixtures.py``; ``expected.json`` holds the SHA-256 of each decoded image and of
its entropy-coded strings.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from lic_bench.bitstream.codec import decode_image, encode_image, model_for_coding  # noqa: E402
from lic_bench.bitstream.format import unpack  # noqa: E402

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "bitstreams"
EXPECTED = json.loads((HERE / "expected.json").read_text())


def _fixtures():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", HERE / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIX = _fixtures()


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_old_file_decodes_identically(case):
    data = (HERE / f"{case}.lic").read_bytes()
    assert unpack(data)[0]["format_version"] == 2
    x_hat = decode_image(data)
    pixels = (x_hat * 255).round().to(torch.uint8).numpy().tobytes()
    assert hashlib.sha256(pixels).hexdigest() == EXPECTED[case]["sha256"]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_same_model_writes_same_strings(case):
    overrides, quality = FIX.CASES[case]
    overrides = dict(overrides)
    name = overrides.pop("name", case)
    model = model_for_coding(name, overrides=overrides)
    strings = unpack(encode_image(model, FIX.image(), quality=quality))[1]
    flat = b"|".join(s for group in strings for s in group)
    assert hashlib.sha256(flat).hexdigest() == EXPECTED[case]["strings_sha256"]
