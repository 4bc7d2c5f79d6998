"""Errors that the CLI reports as one line and a non-zero exit code."""

from __future__ import annotations


class LicBenchError(Exception):
    """A problem caused by the user's input or environment, not by a bug.

    The CLI prints ``error: <message>`` and exits with :attr:`exit_code`;
    any other exception is a bug and keeps its traceback.
    """

    exit_code = 1


class UsageError(LicBenchError):
    """Bad arguments or a bad input file."""

    exit_code = 2


class MissingDependencyError(LicBenchError):
    """An optional extra (``pip install 'lic-bench[bench]'``) or a system tool is missing."""

    exit_code = 3
