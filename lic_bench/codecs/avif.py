"""``avif444``: AVIF (AV1 intra) through Pillow's native AVIF plugin (libavif + libaom).

4:4:4, full-range BT.601 YUV (libavif's default matrix for RGB input), libaom
tuned for PSNR (``tune=psnr`` codec option) at speed 4.
"""

from __future__ import annotations

import numpy as np

from lic_bench.codecs import _pillow
from lic_bench.codecs.base import Codec
from lic_bench.errors import MissingDependencyError


class Avif444(Codec):
    name = "avif444"
    description = "AVIF (Pillow / libavif + libaom), 4:4:4, tune=psnr, speed 4"
    qualities = (10, 20, 30, 40, 50, 60, 70, 80, 90)
    quality_label = "libavif quality (0..100)"
    quality_range = (0, 100)
    subsampling = "4:4:4"

    def __init__(self, speed: int = 4):
        self.speed = speed

    def settings(self) -> dict[str, object]:
        return {"subsampling": "4:4:4", "speed": self.speed, "codec": "aom", "range": "full",
                "advanced": {"tune": "psnr"}}

    def _check(self) -> None:
        _pillow.check_feature("avif", self.name)
        from PIL import _avif

        if not _avif.encoder_codec_available("aom"):
            raise MissingDependencyError("avif444: Pillow's libavif has no libaom encoder")

    def encode(self, rgb: np.ndarray, quality: int) -> bytes:
        self._check()
        return _pillow.save(
            self.check_image(rgb), "AVIF", quality=int(quality), subsampling="4:4:4",
            speed=self.speed, codec="aom", range="full", advanced={"tune": "psnr"},
        )

    def decode(self, data: bytes) -> np.ndarray:
        return _pillow.load(data)

    def versions(self) -> dict[str, str]:
        self._check()
        from PIL import _avif

        return {
            "libavif": _pillow.check_feature("avif", self.name),
            "codecs": str(_avif.codec_versions()),
            "pillow": _pillow.pillow_version(),
        }
