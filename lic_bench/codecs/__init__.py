"""Classical anchor codecs behind one :class:`~lic_bench.codecs.base.Codec` interface.

Modules are imported lazily so that ``lic-bench anchors list`` works even when
one codec's library is missing; each codec raises
:class:`~lic_bench.errors.MissingDependencyError` when used without it.
"""

from __future__ import annotations

import importlib
from typing import Any

from lic_bench.codecs.base import Codec
from lic_bench.errors import LicBenchError, UsageError

#: codec name -> "module:Class" (module relative to lic_bench.codecs)
CODECS: dict[str, str] = {
    "x265-bpg444": "x265_bpg:X265Bpg444",
    "jpeg444": "jpeg:Jpeg444",
    "jpeg2000": "jpeg2000:Jpeg2000",
    "webp": "webp:WebP",
    "avif444": "avif:Avif444",
    "jpegxl": "jpegxl:JpegXL",
    "vvc420": "vvc:Vvc420",
}

#: the anchor BD-rates are reported against unless told otherwise (BPG 4:4:4, as in most papers)
DEFAULT_ANCHOR = "x265-bpg444"


def codec_names() -> list[str]:
    return list(CODECS)


def get_codec(name: str, **kwargs: Any) -> Codec:
    """Instantiate a codec by name (kwargs go to its constructor, e.g. ``preset=``)."""
    if name not in CODECS:
        raise UsageError(f"unknown codec {name!r}; known: {', '.join(CODECS)}")
    module, cls = CODECS[name].split(":")
    return getattr(importlib.import_module(f"lic_bench.codecs.{module}"), cls)(**kwargs)


def codec_status(name: str) -> dict[str, Any]:
    """Name, description, sampling, default sweep, and library versions or why it is unavailable."""
    codec = get_codec(name)
    row: dict[str, Any] = {
        "name": name,
        "description": codec.description,
        "subsampling": codec.subsampling,
        "qualities": list(codec.qualities),
        "quality_label": codec.quality_label,
    }
    try:
        row["versions"] = codec.versions()
        row["available"] = True
    except LicBenchError as exc:
        row["versions"] = {}
        row["available"] = False
        row["reason"] = str(exc)
    return row


__all__ = ["CODECS", "DEFAULT_ANCHOR", "Codec", "codec_names", "codec_status", "get_codec"]
