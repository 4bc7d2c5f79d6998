#!/usr/bin/env python
"""Screenshot pages of a built site with headless Chromium (to look at, not a test).

    python scripts/browser_screenshots.py [SITE_DIR] [--out DIR] [PAGE ...]

SITE_DIR defaults to build/site (run `lic-bench site build` first); PAGE is a URL path
such as `components/gdn/`, or `papers/x/#kodak` to show the page from that heading.
`--width 1400 --colours 128 --out docs/screenshots` gives the committed screenshots. Prints every request that left localhost and every console
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


def _palette(path: Path, colours: int) -> None:
    """Rewrite a screenshot as an optimised palette PNG (a tenth of the size, readable)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="build/site")
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--out", default="build/screenshots")
    parser.add_argument("--full", action="store_true", help="full-page screenshots")
    parser.add_argument("--width", type=int, default=1280, help="window width in px (height: 1000)")
    parser.add_argument("--colours", type=int, default=0,
                        help="save as a PNG palette of this many colours (e.g. 128): small files to commit")
    args = parser.parse_intermixed_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server, _ = serve_in_thread(args.site)
    base = url_of(server)
    outside, errors = [], []
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
            context = launch(pw, profile, viewport=(args.width, 1000))
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
                if "#" in path:  # figures above the heading changed the layout after the jump
                    page.evaluate("id => document.getElementById(id)?.scrollIntoView()", path.split("#", 1)[1])
                    page.wait_for_timeout(300)
                # PATH#anchor: scrolled to that heading; the file is named after PATH
                name = (path.split("#")[0].strip("/").replace("/", "_") or "home") + ".png"
                page.screenshot(path=str(out / name), full_page=args.full)
                if args.colours:
                    _palette(out / name, args.colours)
                print(out / name, f"{(out / name).stat().st_size // 1024} KB")
            context.close()
    finally:
        server.shutdown()
    print("requests outside localhost:", outside or "none")
    print("console errors:", errors or "none")


if __name__ == "__main__":
    main()
