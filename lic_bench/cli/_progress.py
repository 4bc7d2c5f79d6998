"""A small progress bar for multi-step commands (stderr, so stdout stays parseable)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def step_progress(total: int, desc: str) -> Iterator[Callable[[str], None]]:
    """Yields ``advance(label)``: call it as each step starts."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="step", leave=False, dynamic_ncols=True)
    started = False

    def advance(label: str) -> None:
        nonlocal started
        if started:
            bar.update(1)
        started = True
        bar.set_postfix_str(label)

    try:
        yield advance
    finally:
        if started:
            bar.update(1)
        bar.close()
