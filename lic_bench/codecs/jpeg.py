"""``jpeg444``: baseline JPEG through Pillow (libjpeg-turbo), 4:4:4, optimised Huffman tables."""

from __future__ import annotations

import numpy as np

from lic_bench.codecs import _pillow
from lic_bench.codecs.base import Codec


class Jpeg444(Codec):
    name = "jpeg444"
    description = "JPEG (Pillow / libjpeg), 4:4:4, optimize=True"
    qualities = (10, 20, 30, 40, 50, 60, 70, 80, 90, 95)
    quality_label = "libjpeg quality (1..100)"
    quality_range = (1, 100)
    subsampling = "4:4:4"

    def settings(self) -> dict[str, object]:
        return {"subsampling": 0, "optimize": True, "progressive": False}

    def encode(self, rgb: np.ndarray, quality: int) -> bytes:
        _pillow.check_feature("jpg", self.name)
        return _pillow.save(self.check_image(rgb), "JPEG", quality=int(quality), subsampling=0, optimize=True)

    def decode(self, data: bytes) -> np.ndarray:
        return _pillow.load(data)

    def versions(self) -> dict[str, str]:
        return {"libjpeg": _pillow.check_feature("jpg", self.name), "pillow": _pillow.pillow_version()}
