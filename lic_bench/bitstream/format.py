"""The lic-bench bitstream file: a self-describing container for entropy-coded strings.

Layout (all integers big-endian)::

    offset    size  field
    0         4     magic  b"LICB"
    4         1     format version (2; 1 is still read, see below)
    5         4     L: length of the header
    9         L     header: zlib-compressed UTF-8 JSON (below)
    9+L       P     payload: the entropy-coded strings, concatenated
    9+L+P     4     CRC-32 of every byte before it (header and payload)

Header fields: ``model`` (registry name), ``config`` (the resolved model config,
enough to rebuild the model), ``config_hash``, ``weights_hash`` and ``weights``
(``{"init": "seed", "seed": 0}``, ``{"init": "checkpoint", "file": name}`` or
``{"init": "pretrained", "source", "model", "quality", "metric", "file"}``),
``size`` [H, W] of the image, ``padded`` [H, W] coded, ``quality`` (variable-rate
models, else null), ``shape`` (the model's ``compress`` shape) and ``lengths``: the
nested structure of ``strings`` with each string replaced by its byte length.

Reading checks lengths before trusting them, the CRC before parsing, and every
field's type and range, so damaged input ends in :class:`BitstreamError` (a
one-line CLI error), never in an allocation of a forged size. Limitation: the
CRC detects accidental damage, not forgery; CompressAI's C++ rANS decoder does
no bounds checks, so a deliberately crafted file with a recomputed CRC and
impossible strings can still crash it.
Versions: 2 is written since the context models' coder changed the order of their
symbols (position-major); version-1 files of every other model are unchanged and
still read, while version-1 files of a context model are refused with a message
(:data:`CONTEXT_REORDERED`). :func:`unpack` reports the version as
``header["format_version"]``.
This module imports no torch.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from typing import Any

from lic_bench.errors import UsageError
from lic_bench.safe_read import UnreadableFile, loads_json

__all__ = [
    "BitstreamError",
    "CONTEXT_REORDERED",
    "MAGIC",
    "VERSION",
    "flatten",
    "nest",
    "pack",
    "unpack",
]

MAGIC = b"LICB"
VERSION = 2
#: Versions this reader accepts.
READABLE = (1, 2)
#: Until this version, context models coded their symbols channel-major.
CONTEXT_REORDERED = 2
_PREFIX = struct.Struct(">4sBI")
_CRC = struct.Struct(">I")
_MAX_HEADER = 1 << 20
_MAX_DEPTH = 4
_MAX_LEAVES = 1 << 16
_MAX_SIDE = 1 << 15


class BitstreamError(UsageError):
    """A file that is not a valid (or not a matching) lic-bench bitstream."""


def flatten(strings: Any, depth: int = 0) -> tuple[Any, list[bytes]]:
    """Split nested lists of bytes into (the same nesting of lengths, the flat list)."""
    if isinstance(strings, (bytes, bytearray)):
        return len(strings), [bytes(strings)]
    if isinstance(strings, (list, tuple)) and depth < _MAX_DEPTH:
        lengths, flat = [], []
        for item in strings:
            sub_len, sub_flat = flatten(item, depth + 1)
            lengths.append(sub_len)
            flat.extend(sub_flat)
        return lengths, flat
    raise TypeError(f"strings must be nested lists of bytes, got {type(strings).__name__}")


def _leaves(lengths: Any, depth: int = 0) -> list[int]:
    if isinstance(lengths, int) and not isinstance(lengths, bool) and lengths >= 0:
        return [lengths]
    if isinstance(lengths, list) and depth < _MAX_DEPTH:
        out: list[int] = []
        for item in lengths:
            out.extend(_leaves(item, depth + 1))
            if len(out) > _MAX_LEAVES:
                break
        return out
    raise BitstreamError("malformed header (string lengths)")


def nest(lengths: Any, payload: bytes) -> Any:
    """Inverse of :func:`flatten`: cut ``payload`` along ``lengths``."""
    pos = 0

    def cut(node: Any) -> Any:
        nonlocal pos
        if isinstance(node, int):
            piece = payload[pos : pos + node]
            pos += node
            return piece
        return [cut(child) for child in node]

    return cut(lengths)


def pack(header: dict[str, Any], strings: Any) -> bytes:
    """The file bytes for ``header`` (JSON-serialisable) and nested ``strings``."""
    lengths, flat = flatten(strings)
    head = zlib.compress(
        json.dumps({**header, "lengths": lengths}, separators=(",", ":"), sort_keys=True).encode(),
        9,
    )
    body = _PREFIX.pack(MAGIC, VERSION, len(head)) + head + b"".join(flat)
    return body + _CRC.pack(zlib.crc32(body))


def _int_pair(value: Any, field: str) -> list[int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not all(1 <= v <= _MAX_SIDE for v in value)
    ):
        raise BitstreamError(f"malformed header ({field})")
    return value


def _check_header(header: Any, payload_size: int) -> dict[str, Any]:
    if not isinstance(header, dict):
        raise BitstreamError("malformed header (not an object)")
    for key, kind in (("model", str), ("config", dict), ("weights_hash", str), ("weights", dict)):
        if not isinstance(header.get(key), kind):
            raise BitstreamError(f"malformed header ({key})")
    size = _int_pair(header.get("size"), "size")
    padded = _int_pair(header.get("padded"), "padded")
    if padded[0] < size[0] or padded[1] < size[1]:
        raise BitstreamError("malformed header (padded size smaller than image)")
    shape = header.get("shape")
    if (
        not isinstance(shape, list)
        or not 1 <= len(shape) <= 3
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in shape)
        or not all(1 <= v <= max(padded) for v in shape)
    ):
        raise BitstreamError("malformed header (latent shape)")
    quality = header.get("quality")
    if quality is not None and (
        not isinstance(quality, (int, float)) or isinstance(quality, bool)
        or not math.isfinite(quality) or not 0 <= quality <= 1000
    ):
        raise BitstreamError("malformed header (quality)")
    if sum(_leaves(header.get("lengths"))) != payload_size:
        raise BitstreamError("string lengths do not add up to the payload size")
    return header


def unpack(data: bytes) -> tuple[dict[str, Any], Any]:
    """(header, nested strings) from file bytes; :class:`BitstreamError` on any defect."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise BitstreamError("bitstream must be bytes")
    data = bytes(data)
    if not MAGIC.startswith(data[:4]):
        raise BitstreamError("not a lic-bench bitstream (bad magic bytes)")
    if len(data) < _PREFIX.size + _CRC.size:
        raise BitstreamError(f"truncated bitstream ({len(data)} bytes)")
    _, version, head_len = _PREFIX.unpack_from(data)
    if version not in READABLE:
        raise BitstreamError(f"unsupported bitstream version {version} (this reader: {VERSION})")
    if head_len > min(_MAX_HEADER, len(data) - _PREFIX.size - _CRC.size):
        raise BitstreamError("truncated or corrupted bitstream (header length out of range)")
    (crc,) = _CRC.unpack_from(data, len(data) - _CRC.size)
    if zlib.crc32(data[: -_CRC.size]) != crc:
        raise BitstreamError("checksum mismatch: the bitstream is corrupted or truncated")
    start = _PREFIX.size
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(data[start : start + head_len], _MAX_HEADER)
        if inflater.unconsumed_tail:
            raise BitstreamError("header too large")
        header = loads_json(text.decode("utf-8"), "header")
    except UnreadableFile as exc:  # huge integers, deep nesting, not JSON
        raise BitstreamError(str(exc)) from None
    except (zlib.error, UnicodeDecodeError):
        raise BitstreamError("malformed header (not compressed JSON)") from None
    payload = data[start + head_len : -_CRC.size]
    header = _check_header(header, len(payload))
    header["format_version"] = version
    return header, nest(header["lengths"], payload)
