"""How much memory coding an image takes, checked before any of it is allocated.

The transforms run in strips (:mod:`lic_bench.fastpath.transforms`), so what grows
with the image is the image itself (float input or output, 8-bit copy) and the
latent planes (ŷ, scales, means and a working copy, at 1/16 of the resolution).
A header that claims more pixels than :data:`lic_bench.bitstream.image_io.MAX_PIXELS`,
or an image whose coding would need more memory than the machine has free, ends in
one line before the first large allocation.
"""

from __future__ import annotations

import os

from lic_bench.bitstream.image_io import MAX_PIXELS
from lic_bench.errors import UsageError

__all__ = ["available_bytes", "check_budget", "coding_bytes"]

#: Strip activations and everything else that does not grow with the image.
_FIXED = 1 << 30


def available_bytes() -> int:
    """Memory free for this process: ``LIC_BENCH_MAX_MEMORY_GB`` if set, else MemAvailable."""
    env = os.environ.get("LIC_BENCH_MAX_MEMORY_GB")
    if env:
        return int(float(env) * (1 << 30))
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def coding_bytes(height: int, width: int, latent_channels: int) -> int:
    """Estimated peak bytes of coding a ``height`` x ``width`` image."""
    pixels = height * width
    image = pixels * (3 * 4 * 2 + 3)  # float input/output, its clamp, the 8-bit copy
    latents = (pixels // 256 + 1) * latent_channels * 4 * 5  # y/ŷ, scales, means, indexes, work
    return image + latents + _FIXED


def check_budget(height: int, width: int, latent_channels: int, what: str = "coding") -> None:
    """Refuse (one line) an image too large to code here."""
    if height * width > MAX_PIXELS:
        raise UsageError(f"{what} a {width}x{height} image: over the {MAX_PIXELS:,}-pixel limit")
    need, free = coding_bytes(height, width, latent_channels), available_bytes()
    if need > free:
        raise UsageError(f"{what} a {width}x{height} image needs about {need / 2**30:.1f} GiB; "
                         f"{free / 2**30:.1f} GiB available (LIC_BENCH_MAX_MEMORY_GB sets the limit)")
