"""Search a codec's quality parameter, per image, for fixed target rates.

The JPEG AI common test conditions compare codecs at fixed rates (0.06 ... 2.0 bpp), and
the CLIC challenge at 0.075, 0.15 and 0.3 bpp. A classical codec has no rate knob, so for
each image and target we look for the quality whose real bitstream lands within
``TOLERANCE`` (±15 %) of the target, and record the rate actually achieved.

The search is a secant / interpolation on log-bpp against the quality value (rate is
close to exponential in a QP or quality index), bracketed by what was already encoded:
every encode of the image is kept, so later targets of the same image start from the
points the earlier ones measured, and a prior (the qualities other images needed for the
same target) gives the first guess. A target no quality of the codec can reach within the
tolerance (beyond the quality range, or falling between two adjacent quality steps) is
skipped with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lic_bench.errors import UsageError

#: target rates (bpp) of the JPEG AI common test conditions and of CLIC's image track
RATE_PRESETS: dict[str, tuple[float, ...]] = {
    "jpeg-ai": (0.06, 0.12, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0),
    "clic": (0.075, 0.15, 0.3),
}
#: relative distance from the target accepted as a hit
TOLERANCE = 0.15
#: encodes spent on one target before giving up
MAX_ENCODES_PER_TARGET = 8


def parse_targets(target_bpp: Sequence[str] | None, rates: str | None) -> list[float] | None:
    """Targets from ``--target-bpp`` (comma lists, repeatable) or a ``--rates`` preset."""
    if target_bpp and rates:
        raise UsageError("give --target-bpp or --rates, not both")
    if rates:
        if rates not in RATE_PRESETS:
            raise UsageError(f"unknown --rates {rates!r}; use one of {', '.join(RATE_PRESETS)}")
        return list(RATE_PRESETS[rates])
    if not target_bpp:
        return None
    out: list[float] = []
    for item in target_bpp:
        for tok in item.split(","):
            if not tok.strip():
                continue
            try:
                v = float(tok)
            except ValueError:
                raise UsageError(f"--target-bpp takes numbers, got {tok.strip()!r}") from None
            if not (math.isfinite(v) and 0 < v <= 64):
                raise UsageError(f"--target-bpp {tok.strip()}: must be a rate in (0, 64] bpp")
            out.append(v)
    if not out:
        raise UsageError("--target-bpp: no rate given")
    return sorted(set(out))


@dataclass
class SearchResult:
    target: float
    quality: float | None  # None: skipped
    bpp: float | None
    reason: str | None = None


@dataclass
class ImageSearch:
    """Quality search on one image; ``encode(q)`` returns the bitstream's size in bytes.

    ``qrange`` is the codec's (lowest, highest) quality value, ``step`` its granularity,
    ``increasing`` whether a higher value means more bytes (False for QPs).
    """

    encode: Callable[[float], int]
    num_pixels: int
    qrange: tuple[float, float]
    step: float = 1.0
    increasing: bool = True
    tolerance: float = TOLERANCE
    tried: dict[float, float] = field(default_factory=dict)  # quality -> bpp

    def _u(self, q: float) -> float:
        """Quality on an axis where larger always means more bytes."""
        return q if self.increasing else -q

    def _q(self, u: float) -> float:
        return u if self.increasing else -u

    def bpp(self, q: float) -> float:
        if q not in self.tried:
            self.tried[q] = 8.0 * self.encode(q) / self.num_pixels
        return self.tried[q]

    def _snap(self, q: float) -> float:
        lo, hi = self.qrange
        q = min(max(q, lo), hi)
        q = lo + round((q - lo) / self.step) * self.step
        # integer parameters stay integers (they go to encoders and into the results)
        return int(round(q)) if float(self.step).is_integer() and float(lo).is_integer() else round(q, 6)

    def find(self, target: float, guess: float | None = None) -> SearchResult:
        lo, hi = self.qrange
        u_min, u_max = sorted((self._u(lo), self._u(hi)))
        lt = math.log(target)
        for _ in range(MAX_ENCODES_PER_TARGET + 1):
            hits = [q for q, b in self.tried.items() if abs(b / target - 1) <= self.tolerance]
            if hits:
                best = min(hits, key=lambda q: abs(math.log(self.tried[q]) - lt))
                return SearchResult(target, best, self.tried[best])
            below = [(self._u(q), math.log(b)) for q, b in self.tried.items() if b < target]
            above = [(self._u(q), math.log(b)) for q, b in self.tried.items() if b > target]
            ub = max(below) if below else None
            ua = min(above) if above else None
            if ub is not None and ub[0] >= u_max:
                return SearchResult(target, None, None, f"the highest quality gives only "
                                    f"{math.exp(ub[1]):.3f} bpp")
            if ua is not None and ua[0] <= u_min:
                return SearchResult(target, None, None, f"the lowest quality still needs "
                                    f"{math.exp(ua[1]):.3f} bpp")
            if ub is not None and ua is not None and ua[0] - ub[0] <= self.step + 1e-9:
                return SearchResult(target, None, None, f"adjacent qualities give "
                                    f"{math.exp(ub[1]):.3f} and {math.exp(ua[1]):.3f} bpp")
            if len(self.tried) > 4 * MAX_ENCODES_PER_TARGET:
                break
            u = self._next_u(lt, ub, ua, guess)
            q = self._snap(self._q(u))
            if q in self.tried:  # rounding landed on a known point: move one step inwards
                side = ub if self.tried[q] < target else ua
                direction = 1 if self.tried[q] < target else -1
                q = self._snap(self._q(self._u(q) + direction * self.step))
                if q in self.tried or side is None:
                    break
            self.bpp(q)
            guess = None
        return SearchResult(target, None, None, "the search did not converge "
                            f"(rate not monotone in quality near {target} bpp?)")

    def _next_u(self, lt: float, ub, ua, guess: float | None) -> float:
        lo, hi = self.qrange
        u_min, u_max = sorted((self._u(lo), self._u(hi)))
        if ub is not None and ua is not None:
            # interpolate in log-bpp, kept strictly inside the bracket
            t = (lt - ub[1]) / (ua[1] - ub[1]) if ua[1] > ub[1] else 0.5
            u = ub[0] + t * (ua[0] - ub[0])
            return min(max(u, ub[0] + self.step), ua[0] - self.step)
        if guess is not None and not self.tried:
            return self._u(guess)
        if guess is not None and self._snap(guess) not in self.tried:
            g = self._u(guess)
            # take the prior only if it lies on the side of the target the points say
            if (ub is None or g > ub[0]) and (ua is None or g < ua[0]):
                return g
        pts = sorted((self._u(q), math.log(b)) for q, b in self.tried.items())
        if not pts:
            return (u_min + u_max) / 2
        # secant through the two points nearest the target, else a fixed stride
        near = sorted(pts, key=lambda p: abs(p[1] - lt))[:2]
        if len(near) == 2 and near[0][0] != near[1][0] and near[0][1] != near[1][1]:
            slope = (near[1][1] - near[0][1]) / (near[1][0] - near[0][0])
            if slope > 0:
                u = near[0][0] + (lt - near[0][1]) / slope
                return min(max(u, u_min), u_max)
        anchor = ub if ub is not None else ua
        stride = max(self.step, (u_max - u_min) / 8)
        return anchor[0] + (stride if anchor is ub else -stride)


def prior_guess(history: dict[float, list[float]], target: float) -> float | None:
    """Median quality earlier images needed for ``target`` (None before the first)."""
    vals = sorted(history.get(target, []))
    return vals[len(vals) // 2] if vals else None
