"""Reading images into ``[1, 3, H, W]`` tensors in [0, 1] and writing 8-bit PNGs.

Every input becomes 8-bit RGB, the format the codecs are measured on; any
conversion (grayscale, alpha, 16-bit, float) is reported as a note rather than
done silently. 16-bit PNGs are read with imagecodecs because Pillow truncates
48-bit RGB to 8 bits without saying so.

Input files are untrusted. There is one bounded reader (:func:`read_image_array`):
the file is read with a size cap and its header checked by Pillow before anything is
decoded, whichever library then decodes it. Formats whose header can't be checked
are refused; so is a claim over the pixel limit, over a fixed cap on decoded bytes,
or over what a file of its size can honestly hold (a 3 KB PNG claiming 16384²), and
a file whose content is not the format its name says. Float samples, more than 4
channels and multi-page files are refused; CMYK is converted with a note.

Outputs go through :mod:`lic_bench.safe_write` (:func:`write_output`): never over an
existing file unless asked (``force``), never over the input or a non-regular file,
written to a temporary file and renamed, with the usual permissions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from lic_bench.errors import UsageError

__all__ = ["MAX_PIXELS", "check_image", "check_output", "read_image", "read_image_array", "to_uint8", "write_output",
           "write_png"]

MAX_SIDE = 1 << 15
#: Largest image read (about 16 GB as a float tensor): beyond it the codecs could not
#: hold even the input in this project's 24 GB machines.
MAX_PIXELS = 1 << 28


#: Formats read: each one's header is checked by Pillow before any pixel is decoded.
#: Anything else (LERC, NumPy arrays, JPEG XL, ...) is refused: its claim can't be checked.
FORMATS = ("PNG", "JPEG", "TIFF", "WEBP", "BMP", "GIF", "PPM")
#: What a file's name says it holds (names not listed say nothing).
_SUFFIX_FORMAT = {
    ".png": ("PNG",), ".jpg": ("JPEG", "MPO"), ".jpeg": ("JPEG", "MPO"), ".tif": ("TIFF",),
    ".tiff": ("TIFF",), ".webp": ("WEBP",), ".bmp": ("BMP",), ".gif": ("GIF",), ".ppm": ("PPM",),
    ".pgm": ("PPM",), ".pnm": ("PPM",), ".pbm": ("PPM",),
}
#: Largest image file read into memory.
MAX_FILE_BYTES = 1 << 30
#: Fixed cap on the decoded samples (bytes) of one image, whatever the machine has free.
MAX_DECODE_BYTES = 1 << 31
#: Decoded sizes up to this (about 600x600 RGB) are read whatever the file size; above
#: it, a file must be big enough to hold what its header claims (:data:`_MAX_RATIO`).
#: (The fuzz found a damaged 1 KB JPEG claiming 32x31256 that then cost a minute of coding.)
HONEST_FREE_BYTES = 1 << 20
#: Most decoded bytes a file of each format can produce per stored byte, with margin:
#: deflate (PNG) stops near 1032:1, LZW (GIF, TIFF) near 1400:1, JPEG near 1536:1 (a
#: progressive gray scan: one bit an 8x8 block, counted as RGB), RLE BMP near 400:1,
#: binary PBM 24:1. Honest files always pass; arithmetic-coded JPEG or zstd TIFF of a
#: flat image above the floor may not.
_MAX_RATIO = {"PNG": 1100, "JPEG": 2048, "MPO": 2048, "TIFF": 1500, "GIF": 1500, "BMP": 400,
              "PPM": 32, "WEBP": 1 << 16}
_PLUGIN = {"MPO": "JPEG"}  # Pillow's JPEG plugin opens multi-picture JPEGs as MPO
#: Pillow modes read as they are, or converted with a note; others are refused.
_BANDS = {"1": 1, "L": 1, "LA": 2, "La": 2, "P": 1, "PA": 2, "RGB": 3, "RGBA": 4, "RGBa": 4,
          "CMYK": 4, "YCbCr": 3, "I;16": 1, "I;16B": 1, "I;16L": 1, "I": 1}


def _too_large(path: Path, w: int, h: int) -> UsageError:
    return UsageError(f"{path}: image too large ({w}x{h}; at most {MAX_SIDE} pixels a side "
                      f"and {MAX_PIXELS:,} in all)")


def _probe(path: Path, data: bytes) -> dict:
    """The format, mode and size of an image, from its header only; refuses what can't be
    checked or represented, and any claim over the limits, before anything is decoded."""
    import io
    import logging
    import warnings

    from PIL import Image, UnidentifiedImageError

    Image.init()  # every plugin registered, so ``formats`` names only known ones
    # Pillow logs damaged headers with logger.error; with no handler Python would print
    # them to stderr beside our one-line error.
    pil_log = logging.getLogger("PIL")
    if not any(isinstance(h, logging.NullHandler) for h in pil_log.handlers):
        pil_log.addHandler(logging.NullHandler())
    try:
        with warnings.catch_warnings():  # bomb, EXIF, ... warnings: the checks below decide
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as img:
                fmt, mode, (w, h) = img.format, img.mode, img.size
                # Reading these walks the rest of the header (TIFF pages, GIF frames),
                # where a damaged file fails too.
                frames = (getattr(img, "n_frames", 1) if fmt == "TIFF"
                          else (2 if getattr(img, "is_animated", False) else 1))
                tile = img.tile[0].args if img.tile else None
                samples = img.tag_v2.get(277, 1) if fmt == "TIFF" else 1  # SamplesPerPixel
    except Image.DecompressionBombError:
        raise UsageError(f"{path}: image too large (over {MAX_PIXELS:,} pixels)") from None
    except UnidentifiedImageError:
        raise UsageError(f"{path}: not a readable image (not one of {', '.join(FORMATS[:-1]).lower()} "
                         "or ppm, whose size can be checked before decoding)") from None
    except MemoryError:
        raise UsageError(f"{path}: out of memory reading the image header") from None
    except Exception as exc:  # noqa: BLE001 - a header Pillow chokes on is a bad file
        raise UsageError(f"{path}: not a readable image ({type(exc).__name__})") from None
    named = _SUFFIX_FORMAT.get(path.suffix.lower())
    if named is not None and fmt not in named:
        raise UsageError(f"{path}: holds a {fmt} image, not the {named[0]} its name says; "
                         "rename it or convert it")
    if frames != 1:
        raise UsageError(f"{path}: holds {frames if frames > 1 else 'several'} images (pages or frames); "
                         "lic-bench reads single images")
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE) or w * h > MAX_PIXELS:
        raise _too_large(path, w, h)
    if mode.startswith("F") or (isinstance(tile, (str, tuple)) and "F" in str(tile).split(";")[-1]):
        raise UsageError(f"{path}: floating-point samples; lic-bench codes 8-bit images "
                         "(save it with 8 or 16 bits per channel)")
    if mode not in _BANDS or not isinstance(samples, int) or samples > 4:
        raise UsageError(f"{path}: {mode} image ({fmt}) with channels or samples lic-bench can't "
                         "represent; give 1 to 4 channels of 8 or 16 bits")
    deep = mode.startswith("I") or (isinstance(tile, str) and ";16" in tile) or (
        isinstance(tile, tuple) and tile and ";16" in str(tile[0]))
    claim = w * h * max(_BANDS[mode], 3) * (2 if deep else 1)  # decoded, as RGB(A)
    if claim > MAX_DECODE_BYTES:
        raise _too_large(path, w, h)
    # What the file codes: bands x bits of its raw mode ("P;1" is a 1-bit palette, "L;4" 4-bit gray).
    raw = tile if isinstance(tile, str) else (tile[0] if isinstance(tile, tuple) and tile else "")
    low = re.search(r";([124])(?!\d)", str(raw))
    bits = 1 if mode == "1" else int(low.group(1)) if low else (16 if deep else 8)
    stored = w * h * _BANDS[mode] * bits // 8
    if stored > HONEST_FREE_BYTES and stored > len(data) * _MAX_RATIO[fmt]:
        raise UsageError(f"{path}: image too large for its file: a {len(data):,}-byte {fmt} cannot hold "
                         f"{w}x{h} pixels; refused before decoding")
    return {"format": fmt, "mode": mode, "size": (h, w), "deep": deep}


def _decode(path: Path, data: bytes, info: dict, notes: list[str]) -> np.ndarray:
    """Decode with the library that reads the checked format faithfully: imagecodecs for
    16-bit PNG and TIFF (Pillow truncates 48-bit RGB), Pillow for everything else."""
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sizes were checked by _probe; damage ends below
            if info["deep"] and info["format"] in ("PNG", "TIFF"):
                import imagecodecs

                decode = imagecodecs.png_decode if info["format"] == "PNG" else imagecodecs.tiff_decode
                return np.asarray(decode(data))
            with Image.open(io.BytesIO(data), formats=[_PLUGIN.get(info["format"], info["format"])]) as img:
                img.load()
                if img.mode == "CMYK":
                    notes.append("CMYK input converted to RGB (naive: no colour profile applied)")
                    img = img.convert("RGB")
                elif img.mode == "P" or img.mode == "PA" or img.mode.startswith("YCbCr"):
                    img = img.convert("RGBA" if "transparency" in img.info or img.mode == "PA" else "RGB")
                elif img.mode in ("RGBa", "La"):
                    img = img.convert(img.mode.upper())
                return np.asarray(img)
    except MemoryError:
        raise UsageError(f"{path}: out of memory decoding the image") from None
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a bad file
        raise UsageError(f"{path}: not a readable image ({type(exc).__name__})") from None


def read_image_array(path: str | Path, notes: list[str] | None = None) -> np.ndarray:
    """An ``(H, W, 3)`` uint8 RGB array; conversions are appended to ``notes``.

    The one bounded image reader: the file is read with a size cap, its header checked
    (:func:`_probe`) and only then decoded; the decoded array must match the header.
    """
    from lic_bench.safe_read import UnreadableFile, read_bounded

    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder, not an image")
    if not path.is_file():
        raise UsageError(f"{path}: no such image file")
    try:
        data = read_bounded(path, MAX_FILE_BYTES, "an image file")
    except UnreadableFile as exc:
        raise UsageError(f"{path}: {exc}") from None
    if not data:
        raise UsageError(f"{path}: empty file")
    notes = notes if notes is not None else []
    info = _probe(path, data)
    a = _decode(path, data, info, notes)
    h, w = info["size"]
    if a.ndim == 3 and a.shape[1:] == (h, w) and a.shape[0] in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)  # planar TIFF
    if a.shape[:2] != (h, w) or a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (1, 2, 3, 4)):
        raise UsageError(f"{path}: decoded layout {a.shape} does not match its header ({w}x{h})")
    if a.dtype == np.uint16:
        a = ((a.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
        notes.append("16-bit input reduced to 8 bits per channel")
    elif a.dtype == bool:
        a = a.astype(np.uint8) * 255
        notes.append("1-bit input expanded to 8 bits")
    elif a.dtype != np.uint8:
        raise UsageError(f"{path}: unsupported sample type {a.dtype}")
    if a.ndim == 3 and a.shape[-1] in (2, 4):
        a = a[..., :-1]
        notes.append("alpha channel dropped")
    if a.ndim == 2 or a.shape[-1] == 1:
        a = np.repeat(a.reshape(a.shape[0], a.shape[1], 1), 3, axis=-1)
        notes.append("grayscale input converted to RGB")
    a = np.ascontiguousarray(a)
    return a if a.flags.writeable else a.copy()  # Pillow's arrays are read-only views


def check_image(path: str | Path) -> None:
    """Refuse ``path`` (one-line :class:`UsageError`) unless its header passes the checks
    :func:`read_image_array` makes before decoding; for readers that decode it themselves."""
    from lic_bench.safe_read import UnreadableFile, read_bounded

    path = Path(path)
    try:
        data = read_bounded(path, MAX_FILE_BYTES, "an image file")
    except UnreadableFile as exc:
        raise UsageError(f"{path}: {exc}") from None
    _probe(path, data)


def read_image(path: str | Path, notes: list[str] | None = None):
    """A ``[1, 3, H, W]`` float tensor in [0, 1] (8-bit RGB; see module docstring)."""
    import torch

    a = read_image_array(path, notes)
    return torch.from_numpy(a).permute(2, 0, 1).unsqueeze(0).float().div(255.0)


def to_uint8(x) -> np.ndarray:
    """``[1, 3, H, W]`` or ``[3, H, W]`` tensor in [0, 1] -> ``(H, W, 3)`` uint8 (rounded)."""
    import torch

    if x.dim() == 4:
        if x.shape[0] != 1:
            raise ValueError("to_uint8 takes one image")
        x = x[0]
    a = x.detach().to("cpu").float().clamp(0, 1).mul(255).round().to(dtype=torch.uint8)
    return np.ascontiguousarray(a.permute(1, 2, 0).numpy())


def check_output(path: str | Path, *, force: bool = False, inputs: tuple = ()) -> Path:
    """Refuse an output path that would lose data or cannot be written (one line);
    see :func:`lic_bench.safe_write.check_target`."""
    from lic_bench import safe_write

    return safe_write.check_target(path, force=force, inputs=inputs)


def write_output(path: str | Path, write: Callable[[BinaryIO], None], *, force: bool = False,
                 inputs: tuple = ()) -> Path:
    """Call ``write(fh)`` on a binary file that becomes ``path`` when it returns
    (:func:`lic_bench.safe_write.open_atomic`)."""
    from lic_bench import safe_write

    with safe_write.open_atomic(path, "wb", force=force, inputs=inputs) as fh:
        write(fh)
    return Path(path)


def write_png(x, path: str | Path, *, force: bool = True, inputs: tuple = ()) -> Path:
    """Write a tensor image (or an ``(H, W, 3)`` uint8 array) as an 8-bit RGB PNG.

    ``force`` defaults to True for library callers; the CLI passes the user's ``--force``.
    """
    from PIL import Image

    a = x if isinstance(x, np.ndarray) else to_uint8(x)
    return write_output(path, lambda fh: Image.fromarray(a).save(fh, format="PNG"),
                        force=force, inputs=inputs)
