"""Read a file that came from elsewhere without blocking, streaming or swallowing memory.

Paper records and results files may be shared, imported or crafted. Before anything is
read, the file is opened non-blocking and checked with ``fstat``: a FIFO, a device or a
directory with the expected name is refused instead of blocking or streaming forever,
and a file over the caller's size limit is refused before it is loaded.

:func:`loads_json` parses JSON from such a file (a bitstream header) with bounded
integers and bounded nesting: Python's ``int`` refuses more than 4,300 digits with a
``ValueError`` and deep nesting ends in ``RecursionError``; here both end in one
:class:`UnreadableFile` line, and no integer longer than :data:`MAX_INT_DIGITS` is built.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "UnreadableFile", "loads_json", "read_bounded"]

#: Longest integer accepted in parsed data (an int64 has 19 digits).
MAX_INT_DIGITS = 40
#: Deepest nesting of lists and objects accepted in parsed data.
MAX_DEPTH = 32

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class UnreadableFile(ValueError):
    """A file refused before or while reading; the message is one line without the path."""


def read_bounded(path: str | Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    ``what`` names the kind of file expected ("a record file") in the refusals.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise UnreadableFile("no such file") from None
        raise UnreadableFile(f"cannot open: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise UnreadableFile(f"{kind}, not {what}")
        if info.st_size > limit:
            raise UnreadableFile(f"file too large ({info.st_size} bytes; the limit is {limit})")
        with os.fdopen(os.dup(fd), "rb") as fh:
            # As much as fstat said, then in pieces: the file may have grown since, and
            # one read of ``limit`` bytes would reserve that much memory up front.
            data = fh.read(info.st_size + 1)
            while len(data) <= limit and (more := fh.read(min(1 << 20, limit + 1 - len(data)))):
                data += more
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(f"file too large (over {limit} bytes)")
    return data


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise UnreadableFile(f"an integer of {len(text.lstrip('-'))} digits; the limit is {MAX_INT_DIGITS}")
    return int(text)


def _depth(value: object) -> int:
    """Nesting depth of parsed JSON, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (list, dict)):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def loads_json(text: str | bytes, what: str = "JSON") -> object:
    """``json.loads`` for data from elsewhere: one :class:`UnreadableFile` on any defect,
    integers of at most :data:`MAX_INT_DIGITS` digits, nesting at most :data:`MAX_DEPTH`."""
    try:
        value = json.loads(text, parse_int=_bounded_int)
    except UnreadableFile as exc:
        raise UnreadableFile(f"malformed {what} ({exc})") from None
    except (ValueError, TypeError, RecursionError, UnicodeDecodeError):
        raise UnreadableFile(f"malformed {what} (not valid JSON)") from None
    if _depth(value) > MAX_DEPTH:
        raise UnreadableFile(f"malformed {what} (nested deeper than {MAX_DEPTH})")
    return value
