"""Image-folder datasets that survive bad files.

A folder of images (searched recursively, sorted by path so the order is the same on
every machine) becomes a map-style dataset of RGB tensors in [0, 1]. Files that cannot
be decoded are dropped when the dataset is built and reported in ONE warning that lists
them; a file that fails later, while an epoch runs (changed on disk, truncated in a way
the scan missed), is replaced by the next readable image, so an epoch never dies on a
single bad file.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from torch.utils.data import Dataset

from lic_bench.data.catalogue import IMAGE_EXTENSIONS
from lic_bench.errors import UsageError

#: above this many files a build-time scan only reads headers (full decoding would take
#: minutes); the run-time fallback still catches what the header check misses.
FULL_SCAN_LIMIT = 5000


class BadImageWarning(UserWarning):
    """Some images of a dataset could not be read and were skipped."""


def list_images(folder: str | Path) -> list[Path]:
    """Every image file under ``folder`` (recursively), sorted by relative path."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such image folder")
    return sorted(
        (p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()
         and not p.name.startswith(".")),
        key=lambda p: p.relative_to(folder).as_posix(),
    )


def load_rgb(path: str | Path) -> Image.Image:
    """Decode ``path`` completely into an RGB image (raises on truncated or corrupt data).

    The header is checked first by the one bounded reader's probe
    (:func:`lic_bench.bitstream.image_io.check_image`): pixel, memory and honesty limits."""
    from lic_bench.bitstream.image_io import check_image

    check_image(path)
    with Image.open(path) as img:
        img.load()
        return img.convert("RGB")


def _check(path: Path, full: bool) -> str | None:
    """``None`` if the file decodes (or, with ``full=False``, has a sane header)."""
    try:
        with Image.open(path) as img:
            if not full:
                img.verify()
                return None
            if img.format == "JPEG":
                img.draft("RGB", (img.width // 8 or 1, img.height // 8 or 1))
            img.load()
            if img.width < 1 or img.height < 1:
                return "empty image"
    except Exception as exc:  # noqa: BLE001 - any decoder failure marks the file bad
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:120]
    return None


def scan_images(files: Sequence[Path], full: bool = True) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Split ``files`` into readable ones and ``(path, reason)`` for the rest."""
    good: list[Path] = []
    bad: list[tuple[Path, str]] = []
    for path in files:
        reason = _check(path, full)
        if reason is None:
            good.append(path)
        else:
            bad.append((path, reason))
    return good, bad


def warn_bad_images(root: Path, bad: Sequence[tuple[Path, str]]) -> None:
    """One warning naming every skipped file."""
    if not bad:
        return
    listed = "; ".join(f"{_rel(p, root)} ({reason})" for p, reason in bad)
    warnings.warn(
        f"skipped {len(bad)} unreadable image(s) in {root}: {listed}", BadImageWarning, stacklevel=3
    )


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def dataset_checksum(files: Sequence[Path], root: Path) -> str:
    """SHA-256 over the sorted list of (relative path, file SHA-256): names the exact
    bytes a result was measured on."""
    outer = hashlib.sha256()
    for path in sorted(files, key=lambda p: _rel(p, root)):
        inner = hashlib.sha256()
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                inner.update(block)
        outer.update(f"{_rel(path, root)}\0{inner.hexdigest()}\n".encode())
    return outer.hexdigest()


Transform = Callable[[Image.Image, int], torch.Tensor]


class ImageFolder(Dataset):
    """RGB images of a folder as tensors, through ``transform(image, seed)``.

    Indices are plain ints or ``(index, seed)`` pairs; the seed drives random
    transforms (crops), so a sampler that hands out seeds makes every batch
    reproducible no matter how many workers load it or where a run resumed.

    Args:
        root: the folder (searched recursively).
        transform: ``(PIL image, seed) -> tensor``; default: the whole image.
        scan: ``"full"`` decodes every file once when the dataset is built, ``"header"``
            only checks headers, ``"auto"`` picks full below :data:`FULL_SCAN_LIMIT` files,
            ``"none"`` trusts the folder.
        name: a label for messages and results (default: the folder name).
    """

    def __init__(
        self,
        root: str | Path,
        transform: Transform | None = None,
        scan: str = "auto",
        name: str | None = None,
    ):
        self.root = Path(root)
        self.name = name or self.root.name
        self.transform = transform
        files = list_images(self.root)
        if scan not in {"auto", "full", "header", "none"}:
            raise UsageError(f"scan must be auto, full, header or none, not {scan!r}")
        if scan != "none":
            full = scan == "full" or (scan == "auto" and len(files) <= FULL_SCAN_LIMIT)
            files, bad = scan_images(files, full=full)
            warn_bad_images(self.root, bad)
            self.skipped: list[tuple[Path, str]] = list(bad)
        else:
            self.skipped = []
        if not files:
            raise UsageError(f"{self.root}: no readable images")
        self.files: list[Path] = files
        self._failed_at_runtime: set[Path] = set()

    def __len__(self) -> int:
        return len(self.files)

    def names(self) -> list[str]:
        """File names relative to the root, without extension (used as image ids)."""
        return [_rel(p, self.root).rsplit(".", 1)[0] for p in self.files]

    def checksum(self) -> str:
        return dataset_checksum(self.files, self.root)

    def load(self, index: int) -> Image.Image:
        return load_rgb(self.files[index])

    def __getitem__(self, item: Any) -> torch.Tensor:
        index, seed = item if isinstance(item, tuple) else (item, index_seed(item))
        for attempt in range(len(self.files)):
            path = self.files[(index + attempt) % len(self.files)]
            try:
                image = load_rgb(path)
            except Exception as exc:  # noqa: BLE001 - skip, never stop the epoch
                if path not in self._failed_at_runtime:
                    self._failed_at_runtime.add(path)
                    warn_bad_images(self.root, [(path, f"{type(exc).__name__}: {exc}"[:120])])
                continue
            if self.transform is None:
                return pil_to_float(image)
            return self.transform(image, seed)
        raise UsageError(f"{self.root}: no image could be read")


def index_seed(index: int, base: int = 0) -> int:
    """A fixed seed for an index, for random transforms outside a seeding sampler."""
    return (base * 1_000_003 + index) & 0x7FFFFFFF


def pil_to_float(image: Image.Image) -> torch.Tensor:
    """``(3, H, W)`` float tensor in [0, 1]."""
    from torchvision.transforms.functional import pil_to_tensor

    return pil_to_tensor(image).float().div_(255.0)
