"""Download one file over HTTP(S) with resume and a SHA-256 check.

Shared by ``lic-bench data fetch`` (datasets) and the published-weights loader
(``lic_bench.models.pretrained``): a download goes to ``<file>.part`` and is renamed
when complete; a later call asks the server for the missing bytes only (HTTP
``Range``) and starts over when the server ignores the range. A file whose checksum
does not match is deleted, never left looking valid. No torch, no dataset code.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from lic_bench.errors import LicBenchError
from lic_bench.results.meta import file_sha256

__all__ = ["DownloadError", "download"]

_CHUNK = 1 << 16
_USER_AGENT = "lic-bench-data-fetch"


class DownloadError(LicBenchError):
    """The server could not be reached or the data did not match its checksum."""


def download(
    url: str, dest: Path, *, sha256: str | None = None, progress: bool = True, timeout: float = 30
) -> Path:
    """Download ``url`` to ``dest``, resuming ``dest.part`` if present; verify ``sha256``."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the part file is already complete
            response = None
        else:
            raise DownloadError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot download {url}: {reason} (no connection to the server?)"
        ) from None
    if response is not None:
        with response:
            resumed = response.status == 206
            if not resumed:
                have = 0
            length = response.headers.get("Content-Length")
            total = have + int(length) if length is not None else None
            _stream(response, part, append=resumed, start=have, total=total,
                    label=dest.name, progress=progress, url=url)
    if sha256 is not None:
        actual = file_sha256(part)
        if actual != sha256:
            part.unlink()
            raise DownloadError(
                f"{dest.name}: checksum mismatch (expected {sha256[:12]}..., got {actual[:12]}...); "
                "the file was deleted, run the command again"
            )
    part.replace(dest)
    return dest


def _stream(response, part: Path, *, append: bool, start: int, total: int | None,
            label: str, progress: bool, url: str) -> None:
    from tqdm import tqdm

    bar = tqdm(total=total, initial=start, unit="B", unit_scale=True, desc=label,
               disable=not progress, leave=False)
    try:
        with open(part, "ab" if append else "wb") as out:
            while True:
                try:
                    block = response.read(_CHUNK)
                except OSError as exc:
                    raise DownloadError(
                        f"download of {url} interrupted ({exc}); run the command again to resume"
                    ) from None
                if not block:
                    break
                out.write(block)
                bar.update(len(block))
    finally:
        bar.close()
    if total is not None and part.stat().st_size < total:
        raise DownloadError(
            f"download of {url} stopped at {part.stat().st_size} of {total} bytes; "
            "run the command again to resume"
        )
