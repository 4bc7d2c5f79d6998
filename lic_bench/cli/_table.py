"""Plain-text tables that fit the terminal (80 columns when output is not a terminal).

Rendering 200 rows through rich took over a second; this takes milliseconds. Columns
come in priority order: when even their narrowest layout does not fit, the last ones
are dropped (named on stderr, with ``--format json`` for everything). The first column
holds ids, which are copied into other commands, so it is never wrapped; the others
wrap at spaces.
"""

from __future__ import annotations

import shutil
import textwrap

#: a wrapped column is never narrower than this (or than its widest cell, if smaller)
MIN_WIDTH = 10
_GAP = "  "


def terminal_width() -> int:
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def layout(rows: list[list[str]], headers: list[str], width: int,
           mins: dict[str, int] | None = None) -> tuple[list[int], int]:
    """Column widths and how many columns fit in ``width`` characters; ``mins`` gives
    some columns a larger narrowest width (a title wrapped to 10 characters reads badly)."""
    natural = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    # never narrower than the column's longest word (up to 24): words are not split
    words = [min(24, max([0, *(len(w) for r in rows for w in r[i].split())])) for i in range(len(headers))]
    floor = [min(n, max((mins or {}).get(h, MIN_WIDTH), len(h), w)) for h, n, w in zip(headers, natural, words, strict=True)]
    keep = len(headers)
    while keep > 1:
        least = [natural[0]] + floor[1:keep]
        if sum(least) + len(_GAP) * (keep - 1) <= width:
            break
        keep -= 1
    widths = natural[:keep]
    room = width - len(_GAP) * (keep - 1)
    while sum(widths) > room:  # shave the widest wrapping column, one character at a time
        i = max(range(1, keep), key=lambda k: widths[k] - floor[k], default=0)
        if i == 0 or widths[i] <= floor[i]:
            break
        widths[i] -= 1
    return widths, keep


def _cut(text: str, width: int) -> list[str]:
    return [text if len(text) <= width else text[: max(0, width - 1)] + "…"]


def render(rows: list[list[str]], headers: list[str], width: int | None = None,
           mins: dict[str, int] | None = None, wrap: bool = True) -> tuple[str, list[str]]:
    """The table as text, and the headers of the columns dropped to fit ``width``.

    ``wrap=False``: one line per row, long cells cut with "…" instead of wrapped."""
    width = width or terminal_width()
    widths, keep = layout(rows, headers, width, mins)
    lines = [_GAP.join(h.ljust(w) for h, w in zip(headers[:keep], widths, strict=True)).rstrip(),
             _GAP.join("-" * w for w in widths)]
    for row in rows:
        cells = [[row[0]]] + [(textwrap.wrap(c, w, break_on_hyphens=False) or [""]) if wrap else _cut(c, w)
                              for c, w in zip(row[1:keep], widths[1:], strict=True)]
        for k in range(max(len(c) for c in cells)):
            lines.append(_GAP.join((c[k] if k < len(c) else "").ljust(w)
                                   for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(lines), headers[keep:]
