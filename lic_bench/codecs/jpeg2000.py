"""``jpeg2000``: JPEG 2000 through Pillow / OpenJPEG, raw codestream (.j2k).

Irreversible 9/7 wavelet with the multi-component (irreversible colour)
transform on, one quality layer whose target is a PSNR in dB (OpenJPEG's
``-q`` fixed-quality mode), so a higher "quality" means more bytes.
"""

from __future__ import annotations

import numpy as np

from lic_bench.codecs import _pillow
from lic_bench.codecs.base import Codec


class Jpeg2000(Codec):
    name = "jpeg2000"
    description = "JPEG 2000 (Pillow / OpenJPEG), 9/7 wavelet, MCT on, PSNR-targeted layer"
    qualities = (24, 26, 28, 30, 32, 34, 36, 38, 40, 42)
    quality_label = "OpenJPEG target PSNR of the layer (dB)"
    quality_range = (14, 70)
    #: the layer's PSNR target is a real number: quarter-dB steps let the rate search hit ±15 %
    quality_step = 0.25
    subsampling = "4:4:4"

    def settings(self) -> dict[str, object]:
        return {"irreversible": True, "mct": 1, "quality_mode": "dB", "no_jp2": True}

    def encode(self, rgb: np.ndarray, quality: int) -> bytes:
        _pillow.check_feature("jpg_2000", self.name)
        return _pillow.save(
            self.check_image(rgb), "JPEG2000", quality_mode="dB", quality_layers=[float(quality)],
            irreversible=True, mct=1, no_jp2=True,
        )

    def decode(self, data: bytes) -> np.ndarray:
        return _pillow.load(data)

    def versions(self) -> dict[str, str]:
        return {"openjpeg": _pillow.check_feature("jpg_2000", self.name), "pillow": _pillow.pillow_version()}
