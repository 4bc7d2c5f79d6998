"""``webp``: lossy WebP (VP8 intra) through Pillow / libwebp; lossy WebP is always 4:2:0."""

from __future__ import annotations

import numpy as np

from lic_bench.codecs import _pillow
from lic_bench.codecs.base import Codec


class WebP(Codec):
    name = "webp"
    description = "WebP lossy (Pillow / libwebp), method 6, 4:2:0 (the only lossy mode)"
    qualities = (5, 15, 25, 35, 50, 65, 75, 85, 95, 100)
    quality_label = "libwebp quality (0..100)"
    quality_range = (0, 100)
    subsampling = "4:2:0"

    def settings(self) -> dict[str, object]:
        return {"method": 6, "lossless": False}

    def encode(self, rgb: np.ndarray, quality: int) -> bytes:
        _pillow.check_feature("webp", self.name)
        return _pillow.save(self.check_image(rgb), "WEBP", quality=int(quality), method=6, lossless=False)

    def decode(self, data: bytes) -> np.ndarray:
        return _pillow.load(data)

    def versions(self) -> dict[str, str]:
        return {"libwebp": _pillow.check_feature("webp", self.name), "pillow": _pillow.pillow_version()}
