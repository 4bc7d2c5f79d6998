"""[safety] item 2 and issue 23: a seeded subset of ``scripts/fuzz_bitstreams.py`` in the test suite.

Hypothesis draws the model, the kind of damage and the seed; every crafted file must
decode to an image or end in a one-line :class:`UsageError` — never another exception
(a crash would take the test process down with it, which fails the suite too).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lic_bench.bitstream.codec import decode_image, encode_image, model_for_coding
from lic_bench.bitstream.forge import KINDS, craft
from lic_bench.bitstream.forge_images import IMAGE_KINDS, craft_image
from lic_bench.errors import UsageError
from lic_bench.registry import MODELS
from tests.core.core_helpers import small_config, smooth_image

_SEEDS: dict[str, bytes] = {}


def _valid(name: str) -> bytes:
    if name not in _SEEDS:
        _SEEDS[name] = encode_image(model_for_coding(small_config(name)), smooth_image(80, 96))
    return _SEEDS[name]


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(MODELS.list()), kind=st.sampled_from(sorted(KINDS)),
       seed=st.integers(0, 2**31))
def test_crafted_bitstreams_decode_or_fail_in_one_line(name, kind, seed):
    data = craft(_valid(name), kind, seed)
    try:
        x = decode_image(data)
    except UsageError as exc:
        message = str(exc)
        assert message and "\n" not in message
    else:
        assert x.dim() == 4 and x.shape[:2] == (1, 3)


@pytest.mark.parametrize("name", MODELS.list())
def test_forged_strings_reach_only_the_safe_coder(name):
    """The cases that crashed CompressAI's C++ decoder: y strings with a few flipped bits
    (CRC fixed), and every string replaced by a short run of 0xff."""
    valid = _valid(name)
    for seed in range(6):
        try:
            decode_image(craft(valid, "strings", seed))
        except UsageError:
            pass


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(IMAGE_KINDS)), seed=st.integers(0, 2**31))
def test_crafted_images_read_or_fail_in_one_line(tmp_path, kind, seed):
    """The image kinds of the fuzz (pixel bombs, foreign formats behind a .png name, odd
    channels and samples, damaged files) through the one bounded reader."""
    from lic_bench.bitstream.image_io import read_image_array

    data, suffix = craft_image(kind, seed)
    path = tmp_path / f"crafted{suffix}"
    path.write_bytes(data)
    notes: list[str] = []
    try:
        a = read_image_array(path, notes)
    except UsageError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert a.ndim == 3 and a.shape[-1] == 3 and a.dtype.name == "uint8"
