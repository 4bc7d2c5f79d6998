"""Read a file that came from elsewhere without blocking, streaming or swallowing memory.

Paper records and results files may be shared, imported or crafted. Before anything is
read, the file is opened non-blocking and checked with ``fstat``: a FIFO, a device or a
directory with the expected name is refused instead of blocking or streaming forever,
and a file over the caller's size limit is refused before it is loaded.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["UnreadableFile", "read_bounded"]

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
            data = fh.read(limit + 1)  # the file may have grown since fstat
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(f"file too large (over {limit} bytes)")
    return data
