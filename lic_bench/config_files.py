"""The one reader of config files (model, training and study YAML).

Config files are typed by a user, so any mapping is accepted here; what its keys
may say is checked by the reader's caller (a model config by
:mod:`lic_bench.models.config`, a study by :mod:`lic_bench.study.grid`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lic_bench.errors import UsageError

__all__ = ["read_yaml"]


def read_yaml(path: str | Path) -> dict[str, Any]:
    """The mapping in a YAML file (an empty file is ``{}``); one-line
    :class:`UsageError` for a missing, unreadable or malformed file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"{path}: no such config file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: a config is a mapping, got {type(data).__name__}")
    return data
