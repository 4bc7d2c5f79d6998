"""``vvc420``: H.266/VVC intra through Fraunhofer's vvenc, in the ffmpeg binary that the
``imageio-ffmpeg`` wheel ships (built with ``--enable-libvvenc``).

That encoder only accepts ``yuv420p10le``, so this anchor is **4:2:0** (unlike
the 4:4:4 BPG anchor): RGB -> BT.601 full-range YCbCr at 10 bits (numpy), 2x2
mean chroma downsampling, one intra frame at constant QP with vvenc's
perceptual QP adaptation off (``-qpa 0``, PSNR-oriented), preset ``medium``
(``slower`` is ~10x slower on this machine for ~1 % rate). Decoding uses the
PyAV's native VVC decoder, bilinear centre-sited chroma upsampling,
and the inverse matrix. Rate = the raw VVC Annex-B stream.
"""

from __future__ import annotations

import importlib.metadata
import subprocess

import numpy as np

from lic_bench.codecs.base import Codec
from lic_bench.codecs.color import (
    downsample_420,
    pad_to_multiple,
    rgb_to_ycbcr,
    upsample_420,
    ycbcr_to_rgb,
)
from lic_bench.errors import MissingDependencyError

_BITS = 10


def _decode_planes(data: bytes) -> list[np.ndarray]:
    """Decode one VVC picture with PyAV's native VVC decoder into its three 10-bit planes."""
    try:
        import av
    except ImportError as exc:
        raise MissingDependencyError("vvc420 decoding needs PyAV: pip install 'lic-bench[bench]'") from exc
    ctx = av.CodecContext.create("vvc", "r")
    frames = []
    for packet in ctx.parse(data) + ctx.parse(None):
        frames.extend(ctx.decode(packet))
    frames.extend(ctx.decode(None))
    if len(frames) != 1 or frames[0].format.name != "yuv420p10le":
        raise RuntimeError(f"expected one yuv420p10le picture, got {[f.format.name for f in frames]}")
    out = []
    for plane in frames[0].planes:
        rows = np.frombuffer(bytes(plane), dtype="<u2").reshape(plane.height, plane.line_size // 2)
        out.append(rows[:, : plane.width].copy())
    return out


def ffmpeg_with_vvenc() -> str:
    """Path of an ffmpeg that has libvvenc, or MissingDependencyError saying where to get one."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise MissingDependencyError(
            "vvc420 needs the ffmpeg binary of imageio-ffmpeg (built with libvvenc): "
            "pip install 'lic-bench[bench]'"
        ) from exc
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    out = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=60)
    if "libvvenc" not in out.stdout:
        raise MissingDependencyError(f"vvc420: {exe} was built without libvvenc")
    return exe


class Vvc420(Codec):
    name = "vvc420"
    description = "H.266/VVC intra (vvenc via imageio-ffmpeg's ffmpeg), 4:2:0 10-bit, QP, preset medium"
    qualities = (42, 39, 36, 33, 30, 27, 24)
    quality_label = "vvenc QP (lower = more bytes)"
    quality_range = (0, 63)
    subsampling = "4:2:0"

    def __init__(self, preset: str = "medium"):
        self.preset = preset
        self._exe: str | None = None

    @property
    def exe(self) -> str:
        if self._exe is None:
            self._exe = ffmpeg_with_vvenc()
        return self._exe

    def settings(self) -> dict[str, object]:
        return {"preset": self.preset, "qpa": 0, "pix_fmt": "yuv420p10le",
                "color": "BT.601 full range, 10 bit (numpy)", "chroma": "2x2 mean / bilinear",
                "stream": "raw VVC Annex-B"}

    def _run(self, args: list[str], data: bytes) -> bytes:
        proc = subprocess.run([self.exe, "-hide_banner", "-loglevel", "error", *args],
                              input=data, capture_output=True)
        if proc.returncode != 0:
            raise RuntimeError(f"ffmpeg failed: {proc.stderr.decode(errors='replace').strip()[-300:]}")
        return proc.stdout

    def encode(self, rgb: np.ndarray, quality: int) -> bytes:
        rgb = self.check_image(rgb)
        # vvenc needs even sizes; the true size travels in the stream's conformance window
        # only if we tell it, so pad by replication and crop on decode via the header below.
        h, w = rgb.shape[:2]
        ycc = rgb_to_ycbcr(pad_to_multiple(rgb, 8), bits=_BITS)
        ph, pw = ycc.shape[1:]
        raw = b"".join(p.astype("<u2").tobytes() for p in (ycc[0], downsample_420(ycc[1]), downsample_420(ycc[2])))
        stream = self._run(
            ["-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-s", f"{pw}x{ph}", "-i", "-",
             "-frames:v", "1", "-c:v", "libvvenc", "-preset", self.preset, "-qp", str(int(quality)),
             "-qpa", "0", "-threads", "1", "-f", "vvc", "-"],
            raw,
        )
        if (ph, pw) != (h, w):
            # 4-byte crop prefix, counted in the rate, for sizes that are not multiples of 8
            stream = b"CROP" + h.to_bytes(2, "big") + w.to_bytes(2, "big") + stream
        return stream

    def decode(self, data: bytes) -> np.ndarray:
        crop = None
        if data[:4] == b"CROP":
            crop = (int.from_bytes(data[4:6], "big"), int.from_bytes(data[6:8], "big"))
            data = data[8:]
        planes = _decode_planes(data)
        rgb = ycbcr_to_rgb(
            np.stack([planes[0], upsample_420(planes[1]), upsample_420(planes[2])]), bits=_BITS
        )
        return rgb[: crop[0], : crop[1]] if crop else rgb

    def versions(self) -> dict[str, str]:
        out = subprocess.run([self.exe, "-hide_banner", "-version"], capture_output=True, text=True)
        first = out.stdout.splitlines()[0] if out.stdout else "?"
        return {
            "ffmpeg": first.replace("ffmpeg version ", "").split(" Copyright")[0],
            "imageio-ffmpeg": importlib.metadata.version("imageio-ffmpeg"),
            "encoder": "libvvenc",
        }
