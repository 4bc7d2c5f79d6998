"""[safety] items 1 and 3: coding memory is bounded, with identical bits.

Large images run their transforms in strips; a strip budget small enough to force
many strips must give the same bitstream and the same decoded image (the 8-bit
pixels a PNG holds; in float, exactly at one thread — at two, oneDNN splits the work
by image size and the last bit of g_s's output may change, as it does between
thread counts). A header that claims more than the machine could decode is refused
before any large allocation.
"""

from __future__ import annotations

import resource

import pytest
import torch

import lic_bench.fastpath.transforms as transforms
from lic_bench.bitstream.codec import decode_image, encode_image, model_for_coding
from lic_bench.bitstream.format import pack, unpack
from lic_bench.errors import UsageError
from lic_bench.results import config_hash
from tests.core.core_helpers import small_config, smooth_image


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", ["bmshj2018-factorized", "mbt2018-mean", "mbt2018"])
def test_strips_give_identical_bits(monkeypatch, name, threads):
    from lic_bench.bitstream.image_io import to_uint8
    from lic_bench.latent_codecs.base import eval_transform

    torch.set_num_threads(threads)
    model = model_for_coding(small_config(name))
    x = smooth_image(200, 136, seed=4)
    whole = encode_image(model, x)
    pixels = decode_image(whole, model)
    monkeypatch.setattr(transforms, "STRIP_BUDGET", 1 << 16)  # forces strips of a few rows
    with torch.no_grad():
        assert eval_transform(model.g_s).strip_rows(torch.zeros(1, model.M, 13, 9)) is not None
    assert encode_image(model, x) == whole
    stripped = decode_image(whole, model)
    assert (to_uint8(stripped) == to_uint8(pixels)).all()
    if threads == 1:
        assert torch.equal(stripped, pixels)


def test_a_header_claiming_a_huge_image_is_refused_without_allocating():
    model = model_for_coding(small_config("mbt2018-mean"))
    header, strings = unpack(encode_image(model, smooth_image(64, 64)))
    header.pop("format_version"), header.pop("lengths")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for side in (32768, 20000):
        forged = {**header, "size": [side, side], "padded": [side, side], "shape": [side // 64] * 2}
        forged["config_hash"] = config_hash(forged["config"])
        with pytest.raises(UsageError, match="pixel limit|GiB"):
            decode_image(pack(forged, strings))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200


def test_coding_memory_limit_is_one_line(monkeypatch):
    from lic_bench.errors import UsageError

    monkeypatch.setenv("LIC_BENCH_MAX_MEMORY_GB", "0.5")
    model = model_for_coding(small_config("bmshj2018-factorized"))
    with pytest.raises(UsageError, match="GiB available"):
        encode_image(model, smooth_image(64, 64))
