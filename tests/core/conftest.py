"""Fixtures for the core tests (helpers live in core_helpers.py)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from tests.core.core_helpers import small_config  # noqa: E402

_CODING: dict[str, torch.nn.Module] = {}


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


@pytest.fixture
def coding_model():
    """``coding_model(name)``: the fixed-seed small model of ``name``, ready to code (cached)."""
    from lic_bench.bitstream.codec import model_for_coding

    def get(name: str):
        if name not in _CODING:
            _CODING[name] = model_for_coding(small_config(name))
        return _CODING[name]

    return get
