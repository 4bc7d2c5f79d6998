"""Crafted image files for fuzzing the image reader (``scripts/fuzz_bitstreams.py``, tests/safety).

`lic-bench compress` (and every command that reads a picture) takes image files from
elsewhere. :func:`craft_image` returns the bytes of one such file and the name suffix
to save it under (mostly the one its content has, sometimes ``.png`` whatever it
holds), as a careless user or an attacker would hand it over:

* ``bomb``: a tiny PNG, GIF, TIFF or BMP whose header claims up to 65535² pixels;
* ``foreign``: formats Pillow cannot open (LERC claiming 20000², NumPy ``.npy``, a
  lic-bench bitstream, JPEG XL / AVIF magic, random bytes) behind the ``.png`` name;
* ``odd``: real images lic-bench cannot represent as they are: float32 and 5-channel
  TIFFs, CMYK JPEG, 16-bit, palette, 1-bit, gray + alpha;
* ``damaged``: a valid small image truncated or with flipped bytes.

Nothing here decodes; the caller decides how.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable

import numpy as np

__all__ = ["IMAGE_KINDS", "craft_image"]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_claiming(w: int, h: int, rng: random.Random) -> bytes:
    """A PNG whose IHDR claims ``w``×``h`` 8-bit RGB pixels but whose data is a few bytes."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * rng.choice([0, 1, 100, 3000]), 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _pil_bytes(array: np.ndarray, fmt: str, mode: str | None = None, **kw) -> bytes:
    from PIL import Image

    img = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _small(rng: random.Random, h: int = 24, w: int = 32, c: int = 3) -> np.ndarray:
    gen = np.random.default_rng(rng.randrange(1 << 30))
    return gen.integers(0, 256, (h, w, c), dtype=np.uint8)


def _bomb(rng: random.Random) -> bytes:
    side = rng.choice([16384, 20000, 32768, 65535])
    w, h = (side, side) if rng.random() < 0.6 else (side, rng.choice([1, 2, 16384]))
    kind = rng.choice(["png", "png", "gif", "tiff", "bmp"])
    if kind == "png":
        return _png_claiming(w, h, rng)
    w, h = min(w, 65535), min(h, 65535)
    if kind == "gif":
        return (b"GIF89a" + struct.pack("<HHBBB", w, h, 0, 0, 0) + b"," + struct.pack("<HHHHB", 0, 0, w, h, 0)
                + b"\x02\x02\x4c\x01\x00;")
    if kind == "bmp":
        return (b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, 0,
                                                                              0, 0, 0, 0))
    import imagecodecs

    tiff = bytearray(imagecodecs.tiff_encode(_small(rng, 8, 8)) if hasattr(imagecodecs, "tiff_encode")
                     else _pil_bytes(_small(rng, 8, 8), "TIFF"))
    # Patch ImageWidth / ImageLength (tags 256/257) in the first IFD to the claim.
    order = "<" if tiff[:2] == b"II" else ">"
    (ifd,) = struct.unpack_from(order + "I", tiff, 4)
    (count,) = struct.unpack_from(order + "H", tiff, ifd)
    for i in range(count):
        at = ifd + 2 + 12 * i
        tag, typ = struct.unpack_from(order + "HH", tiff, at)
        if tag in (256, 257):
            value = w if tag == 256 else h
            if typ == 3:
                struct.pack_into(order + "H", tiff, at + 8, min(value, 65535))
            else:
                struct.pack_into(order + "I", tiff, at + 8, value)
    return bytes(tiff)


def _lerc_claiming(rng: random.Random) -> bytes:
    """A LERC blob that claims 20000² (the audit's 70-byte file), or a real small one."""
    import imagecodecs

    small = imagecodecs.lerc_encode(np.zeros((8, 8), np.uint8))
    if rng.random() < 0.3:
        return small
    blob = bytearray(small)
    # Lerc2 header: "Lerc2 " + int version + uint checksum(v3+) + nRows, nCols ...
    version = struct.unpack_from("<i", blob, 6)[0]
    at = 6 + 4 + (4 if version >= 3 else 0)
    struct.pack_into("<ii", blob, at, 20000, 20000)
    return bytes(blob)


def _foreign(rng: random.Random) -> bytes:
    choice = rng.randrange(7)
    if choice == 0:
        return _lerc_claiming(rng)
    if choice == 1:
        buf = io.BytesIO()
        np.save(buf, _small(rng).astype(rng.choice([np.uint8, np.float32])))
        return buf.getvalue()
    if choice == 2:
        return b"LICB\x02" + rng.randbytes(rng.choice([10, 200]))
    if choice == 3:
        return b"\xff\x0a" + rng.randbytes(64)  # JPEG XL codestream
    if choice == 4:
        return b"\x00\x00\x00\x1cftypavif" + rng.randbytes(64)
    if choice == 5:
        import imagecodecs

        return imagecodecs.qoi_encode(_small(rng)) if hasattr(imagecodecs, "qoi_encode") else rng.randbytes(100)
    return rng.randbytes(rng.choice([1, 8, 70, 4096]))


def _odd(rng: random.Random) -> bytes:
    import imagecodecs

    choice = rng.randrange(8)
    if choice == 0:
        return imagecodecs.tiff_encode(np.random.default_rng(1).random((50, 3), dtype=np.float32).reshape(50, 1, 3)
                                       if rng.random() < 0.3 else _small(rng).astype(np.float32) / 255)
    if choice == 1:
        return imagecodecs.tiff_encode(_small(rng, c=rng.choice([2, 5, 7])))
    if choice == 2:
        return _pil_bytes(_small(rng), "JPEG", mode="CMYK")
    if choice == 3:
        return imagecodecs.png_encode(_small(rng).astype(np.uint16) * 257)
    if choice == 4:
        return _pil_bytes(_small(rng), "PNG", mode="P")
    if choice == 5:
        return _pil_bytes(_small(rng), "PNG", mode="1")
    if choice == 6:
        return _pil_bytes(_small(rng, c=4)[..., :2].copy(), "PNG")
    return _pil_bytes(_small(rng), rng.choice(["JPEG", "WEBP", "BMP", "GIF", "TIFF"]))


def _damaged(rng: random.Random) -> bytes:
    data = bytearray(_pil_bytes(_small(rng), rng.choice(["PNG", "JPEG", "TIFF", "WEBP"])))
    if rng.random() < 0.5:
        return bytes(data[: rng.randrange(1, len(data))])
    for _ in range(rng.choice([1, 4, 16])):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


IMAGE_KINDS: dict[str, Callable[[random.Random], bytes]] = {
    "bomb": _bomb,
    "foreign": _foreign,
    "odd": _odd,
    "damaged": _damaged,
}


_SUFFIX = {b"\x89PNG": ".png", b"\xff\xd8": ".jpg", b"II*\x00": ".tif", b"MM\x00*": ".tif", b"RIFF": ".webp",
           b"BM": ".bmp", b"GIF8": ".gif"}


def craft_image(kind: str, seed: int) -> tuple[bytes, str]:
    """``(bytes, name suffix)`` of one crafted image file (deterministic in ``kind`` and ``seed``)."""
    rng = random.Random(f"image-{kind}:{seed}")
    data = IMAGE_KINDS[kind](rng)
    suffix = next((s for magic, s in _SUFFIX.items() if data.startswith(magic)), ".png")
    return data, suffix if rng.random() < 0.8 else ".png"
