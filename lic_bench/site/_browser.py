"""Headless Chromium for the site's browser test and screenshots (dev only).

Drives the system's Chromium (Debian package ``chromium``) through playwright's
``executable_path``; playwright never downloads a browser here. Every flag that would
make Chromium talk to Google (component updates, sync, background networking, QUIC
probes) is off, so any request that leaves localhost comes from the site itself.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
    "--metrics-recording-only",
]


def find_chromium() -> str | None:
    """Path of the system Chromium (``$LIC_BENCH_CHROMIUM`` overrides), or None."""
    env = os.environ.get("LIC_BENCH_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch(playwright, user_data_dir: str | Path, viewport=(1280, 900)):
    """A persistent (fresh-profile) Chromium context; close it with ``context.close()``."""
    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError("no chromium on PATH (apt-get install chromium)")
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=executable,
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport={"width": viewport[0], "height": viewport[1]},
        service_workers="block",
    )
