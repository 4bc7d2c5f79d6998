"""Where the project's data lives.

The knowledge base (``taxonomy/``, ``papers/``) and ``results/`` are found at the
project root: ``$LIC_BENCH_ROOT`` if set, else the first parent of the working
directory that holds ``taxonomy/`` and ``papers/``, else the checkout this
package was imported from, else (an installed wheel, outside any checkout) the copy
of the knowledge base that the wheel carries in ``lic_bench/_bundled``. Datasets default to ``../shared/data`` beside the
project root (``$LIC_BENCH_DATA`` or ``--data-dir`` override it).
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
#: Where a wheel puts ``taxonomy/``, ``papers/`` and ``configs/models/`` (see setup.py).
_BUNDLED_ROOT = Path(__file__).resolve().parent / "_bundled"


def _is_root(path: Path) -> bool:
    return (path / "taxonomy").is_dir() and (path / "papers").is_dir()


def project_root() -> Path:
    env = os.environ.get("LIC_BENCH_ROOT")
    if env:
        return Path(env).resolve()
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if _is_root(candidate):
            return candidate
    if not _is_root(_PACKAGE_ROOT) and _is_root(_BUNDLED_ROOT):
        return _BUNDLED_ROOT
    return _PACKAGE_ROOT


def taxonomy_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "taxonomy"


def papers_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "papers"


def results_dir(root: Path | None = None) -> Path:
    env = os.environ.get("LIC_BENCH_RESULTS")
    if env and root is None:
        return Path(env).resolve()
    return (root or project_root()) / "results"


def data_dir(override: str | Path | None = None) -> Path:
    """The folder that holds the datasets (kodak/, bsds500/, wiki49/, ...)."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("LIC_BENCH_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return (project_root().parent / "shared" / "data").resolve()


def model_config_dir() -> Path:
    """``configs/models`` of the project (or of the checkout this package came from)."""
    here = project_root() / "configs" / "models"
    if here.is_dir():
        return here
    return _PACKAGE_ROOT / "configs" / "models"


def cache_dir(name: str) -> Path:
    """``<cache>/<name>``: the cache of one kind (``$LIC_BENCH_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/lic-bench``, else ``~/.cache/lic-bench``). Caches only ever make a
    command faster: deleting one changes no result."""
    env = os.environ.get("LIC_BENCH_CACHE_DIR")
    if env:
        return Path(env) / name
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lic-bench" / name


def replace_cache_file(path: Path, text: str, *, stale: str | None = None) -> None:
    """Write one cache file whole (a reader never sees half of it), then delete the
    files matching ``stale`` beside it (earlier states). A read-only or full disk costs
    speed, nothing else: errors are swallowed."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
        for old in path.parent.glob(stale) if stale else ():
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
