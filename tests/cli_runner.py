"""The tests' one `lic-bench` runner: the console entry point run in this process.

A real process pays 5-13 s of torch and CompressAI imports per call; most CLI tests
check what the command does, its exit code and its one-line error, which the entry
point (:func:`lic_bench.cli.main`, the same function the console script calls) shows
in-process too. Tests of process-level behaviour (the installed script, start-up,
signals, isolation of children) start a real process instead.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

_COMMAND = None


def _command():
    """The click command of :data:`lic_bench.cli.app`, built once (building it reads every
    command's type hints)."""
    global _COMMAND
    if _COMMAND is None:
        import typer

        from lic_bench.cli import app

        _COMMAND = typer.main.get_command(app)
    return _COMMAND


@contextlib.contextmanager
def _environment(env: dict[str, str] | None):
    if not env:
        yield
        return
    before = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


@contextlib.contextmanager
def _argv(argv: list[str]):
    """``sys.argv`` as the console script sees it (results record the command from it)."""
    before = sys.argv
    sys.argv = ["lic-bench", *argv]
    try:
        yield
    finally:
        sys.argv = before


@contextlib.contextmanager
def _torch_threads():
    """Commands may set torch's thread count (``--threads``); the next test gets it back."""
    torch = sys.modules.get("torch")
    threads = torch.get_num_threads() if torch is not None else None
    try:
        yield
    finally:
        torch = sys.modules.get("torch")
        if torch is not None and threads is not None and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)


def run_cli(*args, cwd: Path | str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``lic-bench ARGS`` in this process, as the console script runs it.

    Returns what :func:`subprocess.run` would (``returncode``, ``stdout``, ``stderr``), so
    a test reads the same either way. ``env`` adds variables for the call. An exception
    that the entry point lets through (a crash, which a user would see as a traceback)
    is raised here and fails the test.
    """
    from lic_bench.cli import main

    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(_environment(env))
        stack.enter_context(_argv(argv))
        stack.enter_context(_torch_threads())
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            main(argv, command=_command())
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return subprocess.CompletedProcess(["lic-bench", *argv], code, out.getvalue(), err.getvalue())


def lic_bench_process(*args, cwd: Path | str | None = None, env: dict[str, str] | None = None,
                      timeout: int = 300) -> subprocess.CompletedProcess:
    """The installed console script in a real process, as a user runs it."""
    exe = Path(sys.executable).with_name("lic-bench")
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env={**os.environ, **env} if env else None)
