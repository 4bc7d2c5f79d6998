"""A memory-safe rANS coder that writes and reads CompressAI's streams byte for byte.

CompressAI's C++ coder (``compressai.ans``, after Giesen's ``rans64.h``) trusts its
input: its decoder reads 32-bit words past the end of a string for as long as the
symbols ask, and its bypass loop reads for as long as the stream says. A crafted
file therefore crashes it (SIGSEGV) or makes it read foreign memory. This module
decodes the same format with every read checked: a string that would be read past
its end, a bypass run longer than an ``int32`` can hold, or an index outside the
tables raise :class:`RansError` instead. The encoder is the same algorithm with an
output buffer sized for the worst case, so a latent with huge values (a damaged
checkpoint) cannot overflow it either.

Format (CompressAI's ``rans_interface.cpp``): 64-bit state, 16-bit probability
precision, lower bound ``2**31``; a symbol at the last table entry is an escape
followed by a run of 4-bit "bypass" digits: their count (15 means "15 more follow"),
then the digits of ``raw = 2 * (value - max)`` (value above the table) or
``raw = -2 * value - 1`` (below it), least significant first. Words are
little-endian ``uint32`` and are written back to front.

Departure from CompressAI: CDF tables are checked once (first entry 0, last
``2**16``, strictly increasing) when they are handed over (:func:`check_tables`);
CompressAI only ``assert``\\ s this in debug builds. The streams are identical
(``tests/core/test_rans.py`` compares them with CompressAI's on random symbols,
escapes included).

The loops are compiled with numba (cached on disk), so decoding is as fast as
the C++ binding's, and faster where the binding spent its time converting Python
lists.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "RansError",
    "RansTables",
    "SafeEntropyCoder",
    "StreamDecoder",
    "check_tables",
    "decode",
    "encode",
]

PRECISION = 16
BYPASS_BITS = 4
MAX_BYPASS = (1 << BYPASS_BITS) - 1
RANS_L = 1 << 31
#: An int32 value needs at most 8 bypass digits (32 bits of ``raw``).
MAX_DIGITS = 8

# Status codes returned by the compiled loops (numba raises no custom exceptions).
_OK, _OVERREAD, _BYPASS, _INDEX, _RANGE, _ROOM = 0, 1, 2, 3, 4, 5
_MESSAGES = {
    _OVERREAD: "entropy-coded string ends too early (corrupted or forged stream)",
    _BYPASS: "entropy-coded string holds an impossible escape run (corrupted or forged stream)",
    _INDEX: "symbol table index out of range",
    _RANGE: "symbol value out of the int32 range",
}


class RansError(ValueError):
    """A string or table the coder refuses; the message is one line."""


@numba.njit(cache=True, nogil=True, inline="always")
def _refill(state, words, pos):  # pragma: no cover - compiled
    """Renormalise: below the lower bound, shift in the next word. Past the end of the
    string, ``pos`` moves beyond ``len(words)`` (the caller's over-read test) and no
    word is read."""
    if state < np.uint64(RANS_L):
        if pos >= words.shape[0]:
            return state, words.shape[0] + 1
        state = (state << np.uint64(32)) | np.uint64(words[pos])
        pos += 1
    return state, pos


@numba.njit(cache=True, nogil=True)
def _decode(words, pos, state, indexes, cdfs, sizes, offsets, out):  # pragma: no cover - compiled
    n_words = words.shape[0]
    n_tables = sizes.shape[0]
    mask = np.uint64((1 << PRECISION) - 1)
    for i in range(indexes.shape[0]):
        t = indexes[i]
        if t < 0 or t >= n_tables:
            return pos, state, _INDEX
        size = sizes[t]
        max_value = size - 2
        cum = np.int64(state & mask)
        # cdf[s] <= cum < cdf[s + 1]; the table is strictly increasing (check_tables),
        # so binary search finds the s that CompressAI's linear scan finds.
        lo, hi = 0, size - 1
        while hi - lo > 1:
            mid = (lo + hi) >> 1
            if cdfs[t, mid] <= cum:
                lo = mid
            else:
                hi = mid
        s = lo
        start = np.uint64(cdfs[t, s])
        freq = np.uint64(cdfs[t, s + 1] - cdfs[t, s])
        state, pos = _refill(freq * (state >> np.uint64(PRECISION)) + (state & mask) - start, words, pos)
        if pos > n_words:
            return pos, state, _OVERREAD
        value = np.int64(s)
        if s == max_value:
            # Escape: a run of 4-bit digits follows.
            n_digits = 0
            while True:
                val = np.int64(state & np.uint64(MAX_BYPASS))
                state, pos = _refill(state >> np.uint64(BYPASS_BITS), words, pos)
                if pos > n_words:
                    return pos, state, _OVERREAD
                n_digits += val
                if n_digits > MAX_DIGITS:
                    return pos, state, _BYPASS
                if val != MAX_BYPASS:
                    break
            raw = np.int64(0)
            for j in range(n_digits):
                val = np.int64(state & np.uint64(MAX_BYPASS))
                state, pos = _refill(state >> np.uint64(BYPASS_BITS), words, pos)
                if pos > n_words:
                    return pos, state, _OVERREAD
                raw |= val << (j * BYPASS_BITS)
            # CompressAI keeps raw in an int32: 8 digits may set its sign bit.
            if raw >= np.int64(1) << 31:
                raw -= np.int64(1) << 32
            value = raw >> 1
            if raw & 1:
                value = -value - 1
            else:
                value += max_value
        result = value + offsets[t]
        if result < -(np.int64(1) << 31) or result >= (np.int64(1) << 31):
            return pos, state, _RANGE
        out[i] = result
    return pos, state, _OK


@numba.njit(cache=True, nogil=True)
def _encode(symbols, indexes, cdfs, sizes, offsets, buf):  # pragma: no cover - compiled
    n_tables = sizes.shape[0]
    ptr = buf.shape[0]
    state = np.uint64(RANS_L)
    for k in range(symbols.shape[0] - 1, -1, -1):
        t = indexes[k]
        if t < 0 or t >= n_tables:
            return -1, _INDEX
        max_value = sizes[t] - 2
        value = np.int64(symbols[k]) - offsets[t]
        if value < 0 or value >= max_value:
            if value < 0:
                raw = -2 * value - 1
            else:
                raw = 2 * (value - max_value)
            if raw >= np.int64(1) << 32:
                return -1, _RANGE
            n_digits = 0
            while (raw >> (n_digits * BYPASS_BITS)) != 0:
                n_digits += 1
            if ptr < n_digits + 4:
                return -1, _ROOM
            for j in range(n_digits - 1, -1, -1):
                digit = (raw >> (j * BYPASS_BITS)) & MAX_BYPASS
                # Rans64EncPutBits: freq 2**12 at 16-bit precision.
                if state >= np.uint64(1) << np.uint64(59):
                    ptr -= 1
                    buf[ptr] = np.uint32(state & np.uint64(0xFFFFFFFF))
                    state = state >> np.uint64(32)
                state = (state << np.uint64(BYPASS_BITS)) | np.uint64(digit)
            # n_digits <= 8 < 15: the count is one digit.
            if state >= np.uint64(1) << np.uint64(59):
                ptr -= 1
                buf[ptr] = np.uint32(state & np.uint64(0xFFFFFFFF))
                state = state >> np.uint64(32)
            state = (state << np.uint64(BYPASS_BITS)) | np.uint64(n_digits)
            value = max_value
        start = np.uint64(cdfs[t, value])
        freq = np.uint64(cdfs[t, value + 1] - cdfs[t, value])
        x_max = ((np.uint64(RANS_L) >> np.uint64(PRECISION)) << np.uint64(32)) * freq
        if ptr < 3:
            return -1, _ROOM
        if state >= x_max:
            ptr -= 1
            buf[ptr] = np.uint32(state & np.uint64(0xFFFFFFFF))
            state = state >> np.uint64(32)
        state = ((state // freq) << np.uint64(PRECISION)) + (state % freq) + start
    ptr -= 2
    buf[ptr] = np.uint32(state & np.uint64(0xFFFFFFFF))
    buf[ptr + 1] = np.uint32(state >> np.uint64(32))
    return ptr, _OK


class RansTables:
    """CDF tables as one padded ``int64`` matrix with their sizes and offsets, checked once."""

    __slots__ = ("cdfs", "sizes", "offsets")

    def __init__(self, cdfs, sizes, offsets):
        sizes = np.asarray(sizes, dtype=np.int64).reshape(-1)
        offsets = np.asarray(offsets, dtype=np.int64).reshape(-1)
        if isinstance(cdfs, np.ndarray):
            matrix = cdfs.astype(np.int64, copy=False)
        else:
            rows = [np.asarray(r, dtype=np.int64).reshape(-1) for r in cdfs]
            width = max((len(r) for r in rows), default=0)
            matrix = np.zeros((len(rows), width), dtype=np.int64)
            for i, r in enumerate(rows):
                matrix[i, : len(r)] = r
        self.cdfs = np.ascontiguousarray(matrix)
        self.sizes = sizes
        self.offsets = offsets
        check_tables(self.cdfs, self.sizes, self.offsets)


def check_tables(cdfs: np.ndarray, sizes: np.ndarray, offsets: np.ndarray) -> None:
    """Refuse tables the coder could not use safely (damaged or crafted weights)."""
    if cdfs.ndim != 2 or len(sizes) != cdfs.shape[0] or len(offsets) != cdfs.shape[0]:
        raise RansError("entropy tables: CDF, size and offset counts differ")
    if not len(sizes):
        raise RansError("entropy tables: no tables")
    if sizes.min() < 3 or sizes.max() > cdfs.shape[1]:
        raise RansError("entropy tables: a CDF length is out of range")
    if np.abs(offsets).max() >= 1 << 30:
        raise RansError("entropy tables: an offset is out of range")
    cols = np.arange(1, cdfs.shape[1])
    steps = np.diff(cdfs, axis=1)
    within = cols[None, :] < sizes[:, None]  # steps between entries of each CDF
    last = cdfs[np.arange(len(sizes)), sizes - 1]
    if (cdfs[:, 0] != 0).any() or (last != 1 << PRECISION).any() or (steps[within] <= 0).any():
        raise RansError("entropy tables are not valid CDFs (damaged weights?)")


def _words(string: bytes) -> np.ndarray:
    data = bytes(string)
    pad = (-len(data)) % 4
    # A partial last word is read as if zero-padded (the C++ coder reads past it).
    return np.frombuffer(data + b"\0" * pad, dtype="<u4").astype(np.uint32)


def _int_array(values) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        arr = arr.astype(np.int64)
    return np.ascontiguousarray(arr.reshape(-1), dtype=np.int64)


def encode(symbols, indexes, tables: RansTables) -> bytes:
    """The rANS string of ``symbols`` coded with table ``indexes[i]`` (CompressAI's bytes)."""
    sym = _int_array(symbols)
    idx = _int_array(indexes)
    if sym.shape != idx.shape:
        raise RansError(f"{len(sym)} symbols but {len(idx)} indexes")
    # Streams rarely take more than a word per symbol; the loop checks its room and
    # the worst case (each put emits at most one word: a symbol puts itself, a count
    # digit and up to 8 digits; the flush adds two) is tried only when needed.
    for words in (len(sym) + 64, 10 * len(sym) + 2):
        buf = np.empty(words, dtype=np.uint32)
        ptr, status = _encode(sym, idx, tables.cdfs, tables.sizes, tables.offsets, buf)
        if status != _ROOM:
            break
    if status != _OK:
        raise RansError(_MESSAGES[status])
    return buf[ptr:].astype("<u4").tobytes()


def decode(string: bytes, indexes, tables: RansTables) -> np.ndarray:
    """Symbols (``int32``) of one complete string; :class:`RansError` on a bad string."""
    dec = StreamDecoder(string)
    return dec.decode(indexes, tables)


class StreamDecoder:
    """Decodes one string in successive calls (CompressAI's ``set_stream``/``decode_stream``)."""

    def __init__(self, string: bytes):
        self.words = _words(string)
        if len(self.words) < 2:
            raise RansError(_MESSAGES[_OVERREAD])
        self.state = np.uint64(int(self.words[0]) | (int(self.words[1]) << 32))
        self.pos = 2

    def decode(self, indexes, tables: RansTables) -> np.ndarray:
        idx = _int_array(indexes)
        out = np.empty(len(idx), dtype=np.int32)
        self.pos, self.state, status = _decode(
            self.words, self.pos, self.state, idx, tables.cdfs, tables.sizes, tables.offsets, out
        )
        if status != _OK:
            raise RansError(_MESSAGES[status])
        return out


class SafeEntropyCoder:
    """Drop-in for CompressAI's ``_EntropyCoder`` (the ``entropy_coder`` of its entropy
    models), so their own ``compress``/``decompress`` code through this module too."""

    name = "ans"

    def encode_with_indexes(self, symbols, indexes, cdfs, sizes, offsets) -> bytes:
        return encode(symbols, indexes, RansTables(cdfs, sizes, offsets))

    def decode_with_indexes(self, string, indexes, cdfs, sizes, offsets) -> list[int]:
        return decode(string, indexes, RansTables(cdfs, sizes, offsets)).tolist()
