"""The one way lic-bench writes a file: never over data by surprise, never half-written.

Every file a command writes (``compress``, ``decompress``, ``kb bibtex export``, ``kb
graph``, ``rd table -o``, ``anchors``, ``eval``, ``study``, results documents) goes
through this module, which:

* refuses a target that exists unless the caller passes ``force=True`` (the CLI's
  ``--force``), and refuses one of the caller's ``inputs`` even then;
* never replaces anything but a regular file: a device (``/dev/null``), FIFO, socket,
  folder or symbolic link at the target is refused, with or without ``force``;
* writes to a temporary file in the target's folder and renames it into place, so a
  reader never sees a half-written file. On Linux the temporary file is unnamed
  (``O_TMPFILE``) until the rename, so even ``kill -9`` leaves nothing behind;
  elsewhere it is a hidden ``.<name>.<random>.part`` removed on any exception and on
  SIGINT and SIGTERM;
* creates files with the usual permissions (``0666`` less the umask), not ``0600``.

API (every function returns the target path; refusals are one-line
:class:`~lic_bench.errors.UsageError`)::

    from lic_bench import safe_write
    safe_write.write_bytes(path, data, force=False)           # whole content at once
    safe_write.write_text(path, text, force=False)            # UTF-8
    with safe_write.open_atomic(path, "w", force=False) as fh:  # streaming writers
        fh.write(...)                                          # renamed into place on exit
    safe_write.check_target(path, force=False)                # refuse early, before long work

``inputs=(src, ...)`` names files the output must never replace (a command's input).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lic_bench.errors import UsageError

__all__ = ["check_target", "open_atomic", "write_bytes", "write_text"]

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
}


def _refuse_existing(path: Path, force: bool) -> None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"{path}: cannot check the output ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise UsageError(f"{path}: is {kind}; lic-bench replaces only regular files"
                         + ("; give a file name" if kind == "a folder" else ""))
    if not force:
        raise UsageError(f"{path}: exists; pass --force to replace it")


def check_target(path: str | Path, *, force: bool = False, inputs: tuple = ()) -> Path:
    """Refuse an output path that would lose data or cannot be written (one line)."""
    path = Path(path)
    for src in inputs:
        src = Path(src)
        with contextlib.suppress(OSError):
            if path.resolve() == src.resolve() or (path.exists() and src.exists() and path.samefile(src)):
                raise UsageError(f"{path}: is the input file; choose another output")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such folder for the output")
    _refuse_existing(path, force)
    return path


def _umask() -> int:
    with _LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


_LOCK = threading.Lock()
_PENDING: set[str] = set()  # named temporary files to remove if a signal ends the process
_PREVIOUS: dict[int, Any] = {}


def _on_signal(signum: int, frame: Any) -> None:
    for name in list(_PENDING):
        with contextlib.suppress(OSError):
            os.unlink(name)
    _PENDING.clear()
    previous = _PREVIOUS.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)  # Python's own SIGINT handler raises KeyboardInterrupt
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def _cleanup_on_signals(name: str) -> Iterator[None]:
    installed = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            current = signal.getsignal(sig)
            if current is not _on_signal:
                _PREVIOUS[sig] = current
                signal.signal(sig, _on_signal)
                installed.append(sig)
    _PENDING.add(name)
    try:
        yield
    finally:
        _PENDING.discard(name)
        for sig in installed:
            signal.signal(sig, _PREVIOUS.pop(sig))


def _libc_linkat() -> Any:
    """``linkat(2)``: Python's ``os.link`` can't name an ``O_TMPFILE`` (it needs
    ``AT_SYMLINK_FOLLOW`` on ``/proc/self/fd/N``). None where there is no such call."""
    try:
        import ctypes

        linkat = ctypes.CDLL(None, use_errno=True).linkat
    except (OSError, AttributeError, ImportError):
        return None
    linkat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]

    def link(fd: int, target: Path) -> None:
        if linkat(-100, f"/proc/self/fd/{fd}".encode(), -100, os.fsencode(target), 0x400) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(target))

    return link


_LINKAT = _libc_linkat() if getattr(os, "O_TMPFILE", 0) and os.path.isdir("/proc/self/fd") else None


def _unnamed(folder: Path) -> int | None:
    """An unnamed file in ``folder`` (Linux ``O_TMPFILE``), or None where unsupported."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or _LINKAT is None:
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o666)  # the kernel applies the umask
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None
        raise


def _commit_unnamed(fd: int, path: Path, force: bool) -> None:
    """Give the unnamed file ``fd`` the name ``path`` (replacing a regular file if ``force``)."""
    if not force:
        _LINKAT(fd, path)  # EEXIST if the target appeared meanwhile
        return
    for _ in range(100):
        name = path.with_name(f".{path.name}.{os.urandom(6).hex()}.part")
        try:
            _LINKAT(fd, name)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover
        raise OSError(errno.EEXIST, "no free temporary name")
    try:
        _refuse_existing(path, True)
        os.replace(name, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


@contextlib.contextmanager
def open_atomic(path: str | Path, mode: str = "wb", *, force: bool = False, inputs: tuple = (),
                encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """A file object to write ``path`` through; renamed into place when the block ends
    without an exception, removed otherwise. ``mode`` is ``"wb"`` or ``"w"`` (text)."""
    if mode not in ("wb", "w"):
        raise ValueError("open_atomic writes with mode 'wb' or 'w'")
    path = check_target(path, force=force, inputs=inputs)
    try:
        fd = _unnamed(path.parent)
        name = None
        if fd is None:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            os.fchmod(fd, 0o666 & ~_umask())
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None
    guard = _cleanup_on_signals(name) if name else contextlib.nullcontext()
    try:
        with guard:
            with os.fdopen(fd, mode, encoding=encoding if mode == "w" else None, closefd=False) as fh:
                yield fh
                fh.flush()
            os.fsync(fd)
            if name is None:
                _commit_unnamed(fd, path, force)
            else:
                _refuse_existing(path, force)
                os.replace(name, path)
                name = None
    except FileExistsError:
        raise UsageError(f"{path}: exists; pass --force to replace it") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


def write_bytes(path: str | Path, data: bytes, *, force: bool = False, inputs: tuple = ()) -> Path:
    """Write ``data`` to ``path`` (see the module docstring); returns ``path``."""
    with open_atomic(path, "wb", force=force, inputs=inputs) as fh:
        fh.write(data)
    return Path(path)


def write_text(path: str | Path, text: str, *, force: bool = False, inputs: tuple = (),
               encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` (see the module docstring); returns ``path``."""
    with open_atomic(path, "w", force=force, inputs=inputs, encoding=encoding) as fh:
        fh.write(text)
    return Path(path)
