"""``x265-bpg444``: BPG 4:4:4 emulated with x265 through PyAV.

BPG (Bellard's "Better Portable Graphics", the anchor of most learned image
compression papers, e.g. ferrari2025-registry ch. 7 uses BPG 4:4:4) cannot be
installed here, so this module drives the same encoder, x265, with the settings
of libbpg 0.9.5's ``x265_glue.c`` for ``bpgenc -f 444 -e x265 -c ycbcr -b 8``:

* RGB -> YCbCr BT.601 full range (done in numpy, :mod:`lic_bench.codecs.color`);
* 4:4:4, 8 bits, one intra frame (``keyint=1``), ``tune=ssim``;
* constant QP with ``qp = Q + 1`` for BPG quality ``Q`` (libbpg adds 1 for 8-bit
  input to match the HM reference encoder's quality);
* no x265 "info" SEI (``info=0``), as BPG turns it off;
* preset ``placebo`` (BPG's slowest compression level).

The rate is the raw HEVC Annex-B stream (VPS + SPS + PPS + one slice). A real
.bpg file wraps that stream in a ~10-byte header and drops the start codes,
so the measured rate is within a few bytes per image of BPG's; the colour
space is implied (BPG stores it in its own header, not in HEVC VUI).
"""

from __future__ import annotations

import importlib.metadata
import re
from fractions import Fraction

import numpy as np

from lic_bench.codecs.base import Codec
from lic_bench.codecs.color import rgb_to_ycbcr, ycbcr_to_rgb
from lic_bench.errors import MissingDependencyError


def _av():
    try:
        import av
    except ImportError as exc:
        raise MissingDependencyError(
            "x265-bpg444 needs PyAV: pip install 'lic-bench[bench]'"
        ) from exc
    if "libx265" not in av.codecs_available:
        raise MissingDependencyError("PyAV's bundled FFmpeg was built without libx265")
    return av


class X265Bpg444(Codec):
    name = "x265-bpg444"
    description = "BPG 4:4:4 emulated with x265 (BT.601 full-range YCbCr, intra, tune ssim, placebo)"
    #: BPG quality Q (0..50); rate grows as Q falls, listed low rate first
    qualities = tuple(range(48, 20, -3))
    quality_label = "BPG quality Q (x265 qp = Q + 1)"
    quality_range = (0, 50)
    subsampling = "4:4:4"

    def __init__(self, preset: str = "placebo", threads: int | str = "none"):
        # x265 runs its thread-pool workers at nice 10: on a shared machine they starve
        # (measured 4x slower here). Without a pool ("none") the API thread does the work;
        # x265 then codes without wavefront entry points, which changed the rate of
        # kodim01 at Q=24 by 0.05 %.
        self.preset = preset
        self.threads = threads

    def settings(self) -> dict[str, object]:
        return {
            "preset": self.preset,
            "tune": "ssim",
            "pix_fmt": "yuv444p",
            "color": "BT.601 full range (numpy)",
            "qp": "Q + 1",
            "keyint": 1,
            "pools": str(self.threads),
            "info_sei": False,
            "stream": "raw HEVC Annex-B",
        }

    def encode(self, rgb: np.ndarray, quality: int) -> bytes:
        av = _av()
        rgb = self.check_image(rgb)
        if not 0 <= int(quality) <= 50:
            raise ValueError(f"BPG quality must be in 0..50, got {quality}")
        h, w = rgb.shape[:2]
        ctx = av.CodecContext.create("libx265", "w")
        ctx.width, ctx.height = w, h
        ctx.pix_fmt = "yuv444p"
        ctx.time_base = Fraction(1, 25)
        params = [
            f"qp={int(quality) + 1}",
            "keyint=1",
            "info=0",
            "log-level=none",
            "frame-threads=1",
            f"pools={self.threads}",
        ]
        ctx.options = {"preset": self.preset, "tune": "ssim", "x265-params": ":".join(params)}
        frame = av.VideoFrame.from_ndarray(rgb_to_ycbcr(rgb, bits=8), format="yuv444p")
        packets = list(ctx.encode(frame)) + list(ctx.encode(None))
        return b"".join(bytes(p) for p in packets)

    def decode(self, data: bytes) -> np.ndarray:
        av = _av()
        ctx = av.CodecContext.create("hevc", "r")
        frames = []
        for packet in ctx.parse(data) + ctx.parse(None):
            frames.extend(ctx.decode(packet))
        frames.extend(ctx.decode(None))
        if len(frames) != 1:
            raise ValueError(f"expected one decoded frame, got {len(frames)}")
        frame = frames[0]
        if frame.format.name != "yuv444p":
            raise ValueError(f"decoder returned {frame.format.name}, expected yuv444p")
        return ycbcr_to_rgb(frame.to_ndarray(), bits=8)

    def versions(self) -> dict[str, str]:
        av = _av()
        libs = {k: ".".join(map(str, v)) for k, v in av.library_versions.items()}
        return {
            "x265": _x265_version(av),
            "av": importlib.metadata.version("av"),
            "ffmpeg": str(getattr(av, "ffmpeg_version_info", "?")),
            "libavcodec": libs.get("libavcodec", "?"),
        }


def _x265_version(av) -> str:
    """x265 names its build only in its "info" SEI, so code one tiny frame with it on."""
    ctx = av.CodecContext.create("libx265", "w")
    ctx.width = ctx.height = 16
    ctx.pix_fmt = "yuv444p"
    ctx.time_base = Fraction(1, 25)
    ctx.options = {"preset": "ultrafast", "x265-params": "log-level=none:info=1"}
    frame = av.VideoFrame.from_ndarray(np.zeros((3, 16, 16), np.uint8), format="yuv444p")
    data = b"".join(bytes(p) for p in list(ctx.encode(frame)) + list(ctx.encode(None)))
    found = re.search(rb"x265 \(build \d+\) - [\w.+-]+", data)
    return found.group().decode() if found else "unknown"
