"""``jpegxl``: JPEG XL through imagecodecs (libjxl), bare codestream, effort 7."""

from __future__ import annotations

import numpy as np

from lic_bench.codecs.base import Codec
from lic_bench.errors import MissingDependencyError


def _imagecodecs():
    try:
        import imagecodecs
    except ImportError as exc:
        raise MissingDependencyError("jpegxl needs imagecodecs: pip install 'lic-bench[bench]'") from exc
    if not imagecodecs.JPEGXL.available:
        raise MissingDependencyError("this imagecodecs build has no JPEG XL (libjxl)")
    return imagecodecs


class JpegXL(Codec):
    name = "jpegxl"
    description = "JPEG XL (imagecodecs / libjxl), VarDCT, effort 7, no container"
    qualities = (10, 20, 30, 40, 50, 60, 70, 80, 90, 95)
    quality_label = "libjxl quality (maps to Butteraugli distance)"
    quality_range = (1, 99)  # 100 is lossless
    subsampling = "4:4:4"

    def __init__(self, effort: int = 7):
        self.effort = effort

    def settings(self) -> dict[str, object]:
        return {"effort": self.effort, "usecontainer": False}

    def encode(self, rgb: np.ndarray, quality: int) -> bytes:
        ic = _imagecodecs()
        return bytes(ic.jpegxl_encode(self.check_image(rgb), level=int(quality), effort=self.effort,
                                      usecontainer=False, numthreads=1))

    def decode(self, data: bytes) -> np.ndarray:
        out = np.asarray(_imagecodecs().jpegxl_decode(data, numthreads=1))
        return out[..., :3].astype(np.uint8)

    def versions(self) -> dict[str, str]:
        ic = _imagecodecs()
        return {"libjxl": ic.jpegxl_version(), "imagecodecs": ic.__version__}
