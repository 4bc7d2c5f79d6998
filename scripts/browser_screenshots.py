#!/usr/bin/env python
"""Screenshot pages of a built site with headless Chromium (to look at, not a test).

    python scripts/browser_screenshots.py [SITE_DIR] [--out DIR] [PAGE ...]

SITE_DIR defaults to build/site (run `lic-bench site build` first); PAGE is a URL path
such as `components/gdn/`. Prints every request that left localhost and every console
error, so a look at the pictures doubles as a privacy check.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from lic_bench.site._browser import launch
from lic_bench.site.serve import serve_in_thread, url_of

DEFAULT_PAGES = [
    "",
    "components/quantization/",
    "components/gdn/",
    "papers/balle2018-variational/",
    "papers/",
    "trends/",
    "explorer/",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="build/site")
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--out", default="build/screenshots")
    parser.add_argument("--full", action="store_true", help="full-page screenshots")
    args = parser.parse_intermixed_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server, _ = serve_in_thread(args.site)
    base = url_of(server)
    outside, errors = [], []
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
            context = launch(pw, profile)
            page = context.new_page()
            page.on(
                "request",
                lambda r: (
                    None if r.url.startswith((base, "data:", "blob:")) else outside.append(r.url)
                ),
            )
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            for path in args.pages or DEFAULT_PAGES:
                page.goto(base + path, wait_until="networkidle")
                page.wait_for_timeout(500)
                name = (path.strip("/").replace("/", "_") or "home") + ".png"
                page.screenshot(path=str(out / name), full_page=args.full)
                print(out / name)
            context.close()
    finally:
        server.shutdown()
    print("requests outside localhost:", outside or "none")
    print("console errors:", errors or "none")


if __name__ == "__main__":
    main()
