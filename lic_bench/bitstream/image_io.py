"""Reading images into ``[1, 3, H, W]`` tensors in [0, 1] and writing 8-bit PNGs.

Every input becomes 8-bit RGB, the format the codecs are measured on; any
conversion (grayscale, alpha, 16-bit, float) is reported as a note rather than
done silently. 16-bit PNGs are read with imagecodecs because Pillow truncates
48-bit RGB to 8 bits without saying so.

Input files are untrusted: the size in an image's header is checked (Pillow reads
only the header) before anything is decoded, so a small file that claims 40000²
pixels is refused at once instead of after gigabytes of decoding.

Outputs (:func:`write_output`) never replace an existing file unless asked
(``force``), never replace the input, and are written to a temporary file in the
same folder and renamed, so an interrupted write leaves no half-written file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lic_bench.errors import UsageError

__all__ = ["MAX_PIXELS", "check_output", "read_image", "read_image_array", "to_uint8", "write_output",
           "write_png"]

MAX_SIDE = 1 << 15
#: Largest image read (about 16 GB as a float tensor): beyond it the codecs could not
#: hold even the input in this project's 24 GB machines.
MAX_PIXELS = 1 << 28


def _probe(path: Path) -> None:
    """Refuse an image whose header claims too many pixels, before decoding it."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow is in the bench extra
        return
    try:
        with Image.open(path) as img:
            w, h = img.size
    except Image.DecompressionBombError:
        raise UsageError(f"{path}: image too large (over {MAX_PIXELS:,} pixels)") from None
    except Exception:  # noqa: BLE001 - formats Pillow can't open are left to imagecodecs
        return
    if w * h > MAX_PIXELS or not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise UsageError(f"{path}: image too large ({w}x{h}; at most {MAX_SIDE} pixels a side "
                         f"and {MAX_PIXELS:,} in all)")


def _decode(path: Path) -> np.ndarray:
    errors = []
    try:
        import imagecodecs

        return np.asarray(imagecodecs.imread(str(path)))
    except Exception as exc:  # noqa: BLE001 - fall back to Pillow for anything imagecodecs refuses
        errors.append(type(exc).__name__)
    try:
        from PIL import Image

        with Image.open(path) as img:
            img.load()
            if img.mode == "P" or img.mode == "CMYK" or img.mode.startswith("YCbCr"):
                img = img.convert("RGBA" if "transparency" in img.info else "RGB")
            return np.asarray(img)
    except Exception as exc:  # noqa: BLE001
        errors.append(type(exc).__name__)
    raise UsageError(f"{path}: not a readable image ({', '.join(errors)})")


def read_image_array(path: str | Path, notes: list[str] | None = None) -> np.ndarray:
    """An ``(H, W, 3)`` uint8 RGB array; conversions are appended to ``notes``."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder, not an image")
    if not path.is_file():
        raise UsageError(f"{path}: no such image file")
    if path.stat().st_size == 0:
        raise UsageError(f"{path}: empty file")
    _probe(path)
    a = _decode(path)
    notes = notes if notes is not None else []
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 2, 3, 4):
        a = np.moveaxis(a, 0, -1)  # planar TIFF
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (1, 2, 3, 4)):
        raise UsageError(f"{path}: unsupported image layout {a.shape}")
    if a.dtype == np.uint16:
        a = ((a.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
        notes.append("16-bit input reduced to 8 bits per channel")
    elif a.dtype == bool:
        a = a.astype(np.uint8) * 255
        notes.append("1-bit input expanded to 8 bits")
    elif np.issubdtype(a.dtype, np.floating):
        a = np.round(np.clip(a, 0.0, 1.0) * 255).astype(np.uint8)
        notes.append("floating-point input (assumed in [0, 1]) converted to 8 bits")
    elif a.dtype != np.uint8:
        raise UsageError(f"{path}: unsupported sample type {a.dtype}")
    if a.ndim == 3 and a.shape[-1] in (2, 4):
        a = a[..., :-1]
        notes.append("alpha channel dropped")
    if a.ndim == 2 or a.shape[-1] == 1:
        a = np.repeat(a.reshape(a.shape[0], a.shape[1], 1), 3, axis=-1)
        notes.append("grayscale input converted to RGB")
    h, w = a.shape[:2]
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise UsageError(f"{path}: image size {w}x{h} outside 1..{MAX_SIDE}")
    return np.ascontiguousarray(a)


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
    """Refuse an output path that would lose data or cannot be written (one line)."""
    path = Path(path)
    for src in inputs:
        src = Path(src)
        if path.resolve() == src.resolve() or (path.exists() and src.exists() and path.samefile(src)):
            raise UsageError(f"{path}: is the input file; choose another output")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such folder for the output")
    if path.exists() and not force:
        raise UsageError(f"{path}: exists; pass --force to replace it")
    return path


def write_output(path: str | Path, write: Callable[[Path], None], *, force: bool = False,
                 inputs: tuple = ()) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = check_output(path, force=force, inputs=inputs)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        write(tmp)
        if path.exists() and not force:  # appeared while we worked
            raise UsageError(f"{path}: exists; pass --force to replace it")
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_png(x, path: str | Path, *, force: bool = True, inputs: tuple = ()) -> Path:
    """Write a tensor image (or an ``(H, W, 3)`` uint8 array) as an 8-bit RGB PNG.

    ``force`` defaults to True for library callers; the CLI passes the user's ``--force``.
    """
    from PIL import Image

    a = x if isinstance(x, np.ndarray) else to_uint8(x)
    return write_output(path, lambda tmp: Image.fromarray(a).save(tmp, format="PNG"),
                        force=force, inputs=inputs)
