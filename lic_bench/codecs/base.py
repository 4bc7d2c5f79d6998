"""The one interface every classical anchor codec implements.

A codec turns an ``(H, W, 3)`` ``uint8`` RGB array into the exact bytes a file
(or raw elementary stream) would hold, and back. Rate is always measured from
``len(encode(...))``: nothing is estimated.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lic_bench.errors import UsageError

if TYPE_CHECKING:  # numpy only where an image is checked: `kb validate` reads CODECS
    import numpy as np


class Codec(ABC):
    """A classical image codec used as an anchor.

    Attributes:
        name: the results / CLI name (kebab-case), e.g. ``x265-bpg444``.
        description: one line for ``anchors list`` and the site.
        qualities: the default quality sweep, ordered from low to high rate.
        quality_label: what a quality value means for this codec (``"BPG quality"``, ...).
        subsampling: chroma sampling actually coded (``"4:4:4"`` or ``"4:2:0"``).
        quality_range: the lowest and highest quality value the encoder accepts.
        quality_step: the granularity of the quality value (1 for integer parameters).
    """

    name: str = ""
    description: str = ""
    qualities: Sequence[int] = ()
    quality_label: str = "quality"
    subsampling: str = "4:4:4"
    quality_range: tuple[float, float] = (0, 100)
    quality_step: float = 1.0

    @property
    def quality_increases_rate(self) -> bool:
        """Whether a higher quality value means more bytes (False for QP-like values)."""
        q = list(self.qualities)
        return len(q) < 2 or q[-1] > q[0]

    @abstractmethod
    def encode(self, rgb: np.ndarray, quality: int) -> bytes:
        """Compress an ``(H, W, 3)`` uint8 RGB image; the bytes are the whole bitstream."""

    @abstractmethod
    def decode(self, data: bytes) -> np.ndarray:
        """Decompress to an ``(H, W, 3)`` uint8 RGB image."""

    @abstractmethod
    def versions(self) -> dict[str, str]:
        """Versions of the libraries that actually do the coding."""

    def settings(self) -> dict[str, object]:
        """Encoder settings recorded in the results' meta (beyond the quality)."""
        return {}

    @staticmethod
    def check_image(rgb: np.ndarray) -> np.ndarray:
        import numpy as np

        arr = np.asarray(rgb)
        if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 3:
            raise UsageError(
                f"expected an (H, W, 3) uint8 RGB image, got {arr.dtype} {tuple(arr.shape)}"
            )
        return np.ascontiguousarray(arr)
