"""Shared plumbing for the codecs that Pillow drives (JPEG, WebP, AVIF, JPEG 2000)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from lic_bench.errors import MissingDependencyError


def pillow():
    try:
        import PIL.Image
    except ImportError as exc:
        raise MissingDependencyError("this codec needs Pillow: pip install 'lic-bench[bench]'") from exc
    return PIL.Image


def save(rgb: np.ndarray, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    pillow().fromarray(rgb, mode="RGB").save(buf, format=fmt, **params)
    return buf.getvalue()


def load(data: bytes) -> np.ndarray:
    with pillow().open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def check_feature(feature: str, codec_name: str) -> str:
    """The library version behind a Pillow plugin, or a clear error when Pillow lacks it."""
    from PIL import features

    if not features.check(feature):
        raise MissingDependencyError(f"{codec_name}: this Pillow was built without {feature}")
    return str(features.version(feature))


def pillow_version() -> str:
    import PIL

    return PIL.__version__
