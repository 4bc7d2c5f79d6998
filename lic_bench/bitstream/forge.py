"""Crafted bitstreams for fuzzing the decoder (``scripts/fuzz_bitstreams.py``, tests/safety).

Each generator takes a valid file and a random generator and returns the bytes an
attacker or a damaged disk could hand to ``lic-bench decompress``:

* ``random``: random bytes, with or without the magic and a valid CRC;
* ``strings``: entropy-coded strings shortened, lengthened, emptied, swapped or
  replaced by random bytes (header lengths and CRC fixed up, so only the coder sees it);
* ``header``: forged header fields (shape, size, padding, quality, model, config,
  nesting of lengths), config hash and CRC recomputed;
* ``flip``: bit flips, with or without fixing the CRC;
* ``truncate``: the file cut short;
* ``bigint``: an integer of hundreds to thousands of digits in a header field (past
  Python's 4,300-digit ``int`` limit too), CRC valid;
* ``nesting``: lists or objects nested 33 to 100,000 deep in a header field, CRC valid;
* ``paths``: hostile names where a name or file is expected (``../``, absolute, NUL,
  Unicode look-alikes of registry ids), config hash and CRC recomputed.

Foreign image files (the other input lic-bench reads) are made by
:mod:`lic_bench.bitstream.forge_images`.

Nothing here decodes; the caller decides how (in-process or in a child process).
"""

from __future__ import annotations

import copy
import json
import random
import struct
import zlib
from collections.abc import Callable
from typing import Any

from lic_bench.bitstream.format import MAGIC, VERSION, flatten, pack, unpack

__all__ = ["KINDS", "craft"]

_CRC = struct.Struct(">I")


def _fix_crc(body: bytes) -> bytes:
    return body + _CRC.pack(zlib.crc32(body))


def _parts(data: bytes) -> tuple[dict[str, Any], Any]:
    header, strings = unpack(data)
    header = dict(header)
    header.pop("format_version", None)
    header.pop("lengths", None)
    return header, strings


def _repack(header: dict[str, Any], strings: Any, *, rehash: bool = True) -> bytes:
    """``pack`` with the config hash recomputed, as a forger would."""
    if rehash and isinstance(header.get("config"), dict):
        from lic_bench.results import config_hash

        try:
            header["config_hash"] = config_hash(header["config"])
        except (TypeError, ValueError):
            pass
    return pack(header, strings)


def _raw_pack(header_obj: Any, payload: bytes) -> bytes:
    """A file whose header JSON is ``header_obj`` as given (lengths included), CRC valid."""
    head = zlib.compress(json.dumps(header_obj, separators=(",", ":")).encode(), 9)
    return _fix_crc(struct.pack(">4sBI", MAGIC, VERSION, len(head)) + head + payload)


def _random(data: bytes, rng: random.Random) -> bytes:
    n = rng.choice([0, 1, 4, 9, 13, 64, 500, rng.randrange(2000)])
    body = rng.randbytes(n)
    if rng.random() < 0.5:
        body = MAGIC + bytes([VERSION]) + body
    return _fix_crc(body) if rng.random() < 0.5 else body


def _mutate_string(s: bytes, rng: random.Random) -> bytes:
    op = rng.randrange(7)
    if op == 0:
        return s[: rng.randrange(len(s) + 1)]
    if op == 1:
        return s + rng.randbytes(rng.choice([1, 3, 4, 8, 100, 4096]))
    if op == 2:
        return b""
    if op == 3:
        return rng.randbytes(len(s))
    if op == 4:
        b = bytearray(s)
        for _ in range(rng.choice([1, 3, 8])):
            if b:
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        return bytes(b)
    if op == 5:
        return b"\xff" * rng.choice([4, 8, 64, len(s) or 1])
    return b"\x00" * rng.choice([4, 8, 64, len(s) or 1])


def _strings(data: bytes, rng: random.Random) -> bytes:
    header, strings = _parts(data)
    strings = copy.deepcopy(strings)
    leaves = [(i, j) for i, group in enumerate(strings) for j in range(len(group))]
    for _ in range(rng.choice([1, 1, 2, 3])):
        i, j = rng.choice(leaves)
        strings[i][j] = _mutate_string(strings[i][j], rng)
    if rng.random() < 0.15 and len(strings) > 1:
        strings[0], strings[1] = strings[1], strings[0]
    return _repack(header, strings)


def _forged_value(rng: random.Random) -> Any:
    return rng.choice([
        -5, 0, 1, 2, 63, 64, 65, 4096, 1 << 15, (1 << 15) + 1, 1 << 31, 10**12, -1.5, 1e308,
        float("inf"), "64", None, True, [], [1], {}, "x" * 300,
    ])


def _header(data: bytes, rng: random.Random) -> bytes:
    header, strings = _parts(data)
    field = rng.choice(["shape", "size", "padded", "quality", "model", "config", "lengths",
                        "weights", "weights_hash", "extra"])
    if field in ("shape", "size", "padded"):
        value = list(header[field])
        choice = rng.randrange(4)
        if choice == 0:
            value[rng.randrange(len(value))] = _forged_value(rng)
        elif choice == 1:
            value = [v * rng.choice([2, 4, 16, 64, 512]) for v in value]
        elif choice == 2:
            value = value + [rng.choice([1, 3, 64])]
        else:
            value = [rng.choice([64, 512, 4096, 32768])] * len(value)
        header[field] = value
        if field == "padded" and rng.random() < 0.5:
            header["shape"] = [max(1, int(v) // 64) if isinstance(v, int) else v for v in value]
    elif field == "quality":
        header["quality"] = rng.choice([float("inf"), -1.0, 0.0, 1.0, 3.5, 1e9, "3", None, True])
    elif field == "model":
        header["model"] = rng.choice(["../../etc/passwd", "mbt2018", "mbt2018-mean", "uludag2022-unified",
                                      "bmshj2018-factorized", "", "x" * 500])
    elif field == "config":
        cfg = copy.deepcopy(header["config"])
        choice = rng.randrange(6)
        if choice == 0:
            cfg["class_path"] = rng.choice(["subprocess.Popen", "os.system", "builtins.eval"])
            cfg["init_args"] = {"args": ["/bin/sh", "-c", "exit 0"]}
        elif choice == 1:
            key = rng.choice(sorted(cfg.get("init_args", {})) or ["N"])
            cfg.setdefault("init_args", {})[key] = _forged_value(rng)
        elif choice == 2:
            from lic_bench.registry import MODELS

            other = rng.choice(MODELS.list())
            cfg = {"name": other, "init_args": {k: v for k, v in cfg.get("init_args", {}).items()
                                                if k in ("N", "M")}}
            if rng.random() < 0.5:
                header["model"] = other
        elif choice == 3:
            cfg["init_args"] = {**cfg.get("init_args", {}), "unknown": 1}
        elif choice == 4:
            cfg = rng.choice([[], "x", None, 5])
        else:
            cfg["name"] = rng.choice(["mbt2018", "nope", 5])
        header["config"] = cfg
    elif field == "lengths":
        lengths, flat = flatten(strings)
        payload = b"".join(flat)
        choice = rng.randrange(5)
        if choice == 0:
            lengths = [lengths]
        elif choice == 1:
            lengths = [n for group in lengths for n in group]
        elif choice == 2:
            lengths = lengths + [[0]]
        elif choice == 3:
            lengths = [[g[0], 0] if g else g for g in lengths]
        else:
            lengths = [[]] + lengths
        return _raw_pack({**header, "lengths": lengths}, payload)
    elif field == "weights":
        header["weights"] = rng.choice([{"init": "checkpoint", "file": "x.pth"}, {"init": "seed", "seed": 5},
                                        {}, {"init": 1}])
    elif field == "weights_hash":
        header["weights_hash"] = rng.choice(["0" * 16, "", "x"])
    else:
        header[rng.choice(["evil", "format_version", "__proto__"])] = _forged_value(rng)
    return _repack(header, strings, rehash=rng.random() < 0.9)


def _flip(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data[:-4])
    for _ in range(rng.choice([1, 2, 3, 8, 32])):
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return _fix_crc(bytes(b)) if rng.random() < 0.5 else bytes(b) + data[-4:]


def _truncate(data: bytes, rng: random.Random) -> bytes:
    cut = data[: rng.randrange(len(data))]
    return _fix_crc(cut) if rng.random() < 0.3 and cut else cut


def _text_pack(text: str, payload: bytes) -> bytes:
    """A file whose header is the JSON text ``text`` as written (it may hold what
    ``json.dumps`` cannot write, such as a 5,000-digit integer), CRC valid."""
    head = zlib.compress(text.encode(), 9)
    return _fix_crc(struct.pack(">4sBI", MAGIC, VERSION, len(head)) + head + payload)


_HOLE = "\u0000HOLE\u0000"  # a placeholder string no header holds


def _with_hole(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """The header's JSON text with one field's value replaced by :data:`_HOLE`, and the payload."""
    header, strings = _parts(data)
    lengths, flat = flatten(strings)
    header = {**header, "lengths": lengths}
    where = rng.choice(["size", "padded", "shape", "quality", "lengths", "config", "init_args",
                        "weights", "extra"])
    if where in ("size", "padded", "shape"):
        header[where] = [_HOLE, *header[where][1:]]
    elif where == "init_args" and isinstance(header["config"].get("init_args"), dict):
        key = rng.choice(sorted(header["config"]["init_args"]) or ["N"])
        header["config"] = {**header["config"], "init_args": {**header["config"]["init_args"], key: _HOLE}}
    elif where == "lengths":
        header["lengths"] = [_HOLE, *lengths[1:]]
    elif where == "weights":
        header["weights"] = {**header["weights"], "seed": _HOLE}
    elif where in ("quality", "config"):
        header[where] = _HOLE
    else:
        header["evil"] = _HOLE
    text = json.dumps(header, separators=(",", ":"))
    return text, b"".join(flat)


def _bigint(data: bytes, rng: random.Random) -> bytes:
    text, payload = _with_hole(data, rng)
    digits = rng.choice([41, 300, 4300, 4301, 5000, 20000, 200_000])
    number = ("-" if rng.random() < 0.2 else "") + str(rng.randrange(1, 10)) + "9" * (digits - 1)
    if rng.random() < 0.2:
        number += rng.choice([".5", "e5", "e999999"])  # a float: parsed as one, overflow to inf
    return _text_pack(text.replace(json.dumps(_HOLE), number), payload)


def _nesting(data: bytes, rng: random.Random) -> bytes:
    text, payload = _with_hole(data, rng)
    depth = rng.choice([33, 64, 999, 1000, 5000, 100_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ("[{\"b\":", "}]")])
    inner = rng.choice(["1", "[]", "{}", '"x"'])
    return _text_pack(text.replace(json.dumps(_HOLE), opener * depth + inner + closer * depth), payload)


#: Names a file from elsewhere might put where lic-bench expects an id or a file name.
HOSTILE_NAMES = (
    "../../../../tmp/lic-bench-escape", "/tmp/lic-bench-escape", "..", ".", "a/b", "a\\b",
    "bmshj2018\x00factorized", "bmshj2018\u2010factorized", "bmshj2018\u2011factorized",
    "\uff42mshj2018-factorized", "bmshj2018-factorized\u200b", "BMSHJ2018-FACTORIZED",
    "bmshj2018-factorized/../mbt2018", "~/x", "$HOME", "con", "-rf", " " * 3, "\u202egnp.exe",
)


def _paths(data: bytes, rng: random.Random) -> bytes:
    header, strings = _parts(data)
    name = rng.choice(HOSTILE_NAMES)
    field = rng.choice(["model", "config.name", "weights.file", "config.nonlinearity", "config.context",
                        "quantizer", "weights_hash"])
    if field == "model":
        header["model"] = name
    elif field == "config.name":
        header["config"] = {**header["config"], "name": name}
        if rng.random() < 0.5:
            header["model"] = name
    elif field == "weights.file":
        header["weights"] = {"init": "checkpoint", "file": name}
    elif field == "weights_hash":
        header["weights_hash"] = name
    elif field == "quantizer":
        args = dict(header["config"].get("init_args") or {})
        args["quantizer"] = rng.choice([name, {"name": name}, {"name": "additive-uniform-noise", "class_path": name}])
        header["config"] = {**header["config"], "init_args": args}
    else:
        args = dict(header["config"].get("init_args") or {})
        args[field.split(".")[1]] = name
        header["config"] = {**header["config"], "init_args": args}
    return _repack(header, strings)


KINDS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "random": _random,
    "strings": _strings,
    "header": _header,
    "flip": _flip,
    "truncate": _truncate,
    "bigint": _bigint,
    "nesting": _nesting,
    "paths": _paths,
}


def craft(data: bytes, kind: str, seed: int) -> bytes:
    """A crafted variant of the valid file ``data`` (deterministic in ``kind`` and ``seed``)."""
    return KINDS[kind](data, random.Random(f"{kind}:{seed}"))
