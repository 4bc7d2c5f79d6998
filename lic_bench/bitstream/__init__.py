"""Self-describing bitstream files and image I/O (see :mod:`.format` for the layout).

``format`` and ``image_io`` import no torch at module level; ``encode_image`` /
``decode_image`` are loaded on first use.
"""

from __future__ import annotations

from typing import Any

from lic_bench.bitstream.format import MAGIC, VERSION, BitstreamError, pack, unpack
from lic_bench.bitstream.image_io import read_image, read_image_array, to_uint8, write_png

__all__ = [
    "MAGIC",
    "VERSION",
    "BitstreamError",
    "compress_file",
    "decode_image",
    "decompress_file",
    "encode_image",
    "pack",
    "read_header",
    "read_image",
    "read_image_array",
    "to_uint8",
    "unpack",
    "write_png",
]

_LAZY = {"encode_image", "decode_image", "compress_file", "decompress_file", "read_header"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from lic_bench.bitstream import codec

        return getattr(codec, name)
    raise AttributeError(name)
