"""NLPD: the normalised Laplacian pyramid distance of Laparra, Ballé, Berardino and
Simoncelli, "Perceptual image quality assessment using a normalized Laplacian pyramid"
(Electronic Imaging 2016).

Each image is split into a six-level Laplacian pyramid (5x5 binomial-like filter,
symmetric borders, factor-2 decimation); every band is divided, point by point, by a
constant plus a weighted sum of the neighbouring amplitudes (divisive normalisation with
the per-level 3x3 weights and constants the authors fitted to perceptual data). The
distance is the mean over levels of the root-mean-square difference of the normalised
bands. Lower is better.

No maintained package with numpy < 2 computes it, so it is written here with torch
convolutions from the published constants. Input: luma in [0, 1]. The reference test
compares with a second implementation (see tests/pipeline/test_metric_suite.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

_BINOMIAL = torch.tensor([0.05, 0.25, 0.4, 0.25, 0.05], dtype=torch.float64)
#: the separable 5x5 low-pass of the pyramid
LOWPASS = torch.outer(_BINOMIAL, _BINOMIAL)
LEVELS = 6
#: divisive-normalisation constants per level (finest first; the last is the low-pass residual)
SIGMAS = (0.0248, 0.0185, 0.0179, 0.0191, 0.0220, 0.2782)
#: 3x3 neighbour weights per level, as (up, left, right, down); the centre weight is zero
NEIGHBOURS = (
    (0.1011, 0.1493, 0.1460, 0.1015),
    (0.0757, 0.1986, 0.1846, 0.0837),
    (0.0477, 0.2138, 0.2243, 0.0467),
    (0.0, 0.2503, 0.2616, 0.0),
    (0.0, 0.2598, 0.2552, 0.0),
    (0.0, 0.2215, 0.0717, 0.0),
)


def _neighbour_kernel(level: int) -> torch.Tensor:
    up, left, right, down = NEIGHBOURS[level]
    k = torch.tensor([[0.0, up, 0.0], [left, 0.0, right], [0.0, down, 0.0]], dtype=torch.float64)
    # the authors' MATLAB applies conv2 (a true convolution): flip for torch's correlation
    return torch.flip(k, dims=(0, 1))[None, None]


def _normalise(band: torch.Tensor, level: int) -> torch.Tensor:
    energy = F.conv2d(F.pad(band.abs(), (1, 1, 1, 1)), _neighbour_kernel(level))
    return band / (SIGMAS[level] + energy)


def _pyramid(x: torch.Tensor) -> list[torch.Tensor]:
    """Normalised Laplacian bands of ``x`` (``(N, 1, H, W)``, float64)."""
    low = LOWPASS[None, None]
    bands = []
    cur = x
    for level in range(LEVELS - 1):
        h, w = cur.shape[-2:]
        down = F.conv2d(_symmetric_pad(cur, 2), low, stride=2)
        # expand: zero-insertion of the (edge-replicated) coarse image, then the same
        # low-pass with gain 4, cropped back onto the fine grid
        padded = F.pad(down, (1, 1, 1, 1), mode="replicate")
        up = torch.zeros(padded.shape[0], 1, padded.shape[2] * 2, padded.shape[3] * 2,
                         dtype=x.dtype)
        up[..., ::2, ::2] = 4.0 * padded
        up = F.conv2d(F.pad(up, (2, 2, 2, 2)), low)[..., 2:2 + h, 2:2 + w]
        bands.append(_normalise(cur - up, level))
        cur = down
    bands.append(_normalise(cur, LEVELS - 1))
    return bands


def _symmetric_pad(x: torch.Tensor, p: int) -> torch.Tensor:
    """MATLAB's 'symmetric' padding (edge sample repeated), which torch's 'reflect' is not."""
    x = torch.cat([x[..., :p, :].flip(-2), x, x[..., -p:, :].flip(-2)], dim=-2)
    return torch.cat([x[..., :p].flip(-1), x, x[..., -p:].flip(-1)], dim=-1)


@torch.no_grad()
def nlpd(ref: torch.Tensor, dist: torch.Tensor) -> float:
    """NLPD between two luma images in [0, 1], each ``(H, W)``."""
    a = ref.to(torch.float64)[None, None]
    b = dist.to(torch.float64)[None, None]
    total = 0.0
    for za, zb in zip(_pyramid(a), _pyramid(b), strict=True):
        total += float(torch.sqrt(torch.mean((za - zb) ** 2)))
    return total / LEVELS
