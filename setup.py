"""Build hook: the wheel carries the knowledge base.

``pyproject.toml`` holds all metadata; this file only extends ``build_py`` so that a
wheel (``python -m build``) ships ``taxonomy/``, ``papers/`` and ``configs/models/``
as package data under ``lic_bench/_bundled/``. An editable install or a checkout
reads the folders in place and never looks there (see ``lic_bench.paths``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: Project folders (relative to this file) that the installed package needs.
BUNDLED = ("taxonomy", "papers", "configs/models")


class BuildWithKnowledgeBase(build_py):
    """``build_py`` plus a copy of the YAML folders into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout itself
            return
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "lic_bench" / "_bundled"
        for folder in BUNDLED:
            src = here / folder
            if not src.is_dir():  # an sdist without MANIFEST.in's grafts: fail, never ship an empty KB
                raise FileNotFoundError(f"{src} is missing; the wheel must carry it")
            dst = target / folder
            dst.mkdir(parents=True, exist_ok=True)
            for path in sorted(src.glob("*.yaml")):
                # regular files only: a symlink in the checkout is not shipped
                if path.is_file() and not path.is_symlink():
                    shutil.copyfile(path, dst / path.name)


setup(cmdclass={"build_py": BuildWithKnowledgeBase})
