"""Names that become parts of file paths: validated here, whatever file they came from.

A results path (``results/<kind>/<name>/<tag>.json``) or a run folder
(``runs/<name>/<time>/``) is built from names that may come from a checkpoint's
config, a bitstream header, a study file or a results document. Each such part must
be a plain id: ASCII letters, digits and ``. _ + -``, starting with a letter or
digit, at most 128 characters. That excludes ``/`` and ``\\``, ``..``, absolute
paths, NUL and Unicode look-alikes (a fullwidth ``ｂ``, a non-breaking hyphen), so
no file can choose where lic-bench writes. Registry ids (kebab-case) always pass.
"""

from __future__ import annotations

import re

from lic_bench.errors import UsageError

__all__ = ["path_part"]

_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")


def path_part(value: object, what: str) -> str:
    """``value`` if it is safe as one path component, else a one-line :class:`UsageError`."""
    if isinstance(value, str) and _PART.fullmatch(value) and ".." not in value:
        return value
    shown = repr(value) if isinstance(value, str) and len(value) <= 60 else f"a {type(value).__name__}"
    raise UsageError(f"{what} {shown} cannot name a file: use letters, digits and - . _ + only "
                     "(no path separators, '..', or non-ASCII look-alikes)")
