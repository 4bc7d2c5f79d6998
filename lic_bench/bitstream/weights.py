"""Where a model's weights came from: the refusal of silent random weights, and the
header's ``weights`` record in words (``lic-bench inspect``).

A model without trained weights is initialised from its config with a fixed seed: real
entropy coding, but a flat, meaningless picture. Commands that a user runs to compress
an image refuse that unless asked for (``--random-weights``); benchmarks and tests,
which measure the pipeline rather than a codec, ask for it and say so.
This module imports no torch.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NO_WEIGHTS", "describe_weights", "no_weights_message"]

#: One line: what to give instead of nothing.
NO_WEIGHTS = (
    "model {model!r} has no trained weights: give --pretrained compressai --quality N "
    "(CompressAI's published weights{published}), --checkpoint FILE, or --random-weights "
    "(a test of the coding pipeline, not a codec: the picture comes out flat)"
)


def no_weights_message(model: str) -> str:
    from lic_bench.models.pretrained import pretrained_models

    levels = pretrained_models().get(model, {}).get("mse")
    published = f", qualities {levels[0]}..{levels[-1]}" if levels else f"; none for {model}"
    return NO_WEIGHTS.format(model=model, published=published)


def describe_weights(info: Any, weights_hash: Any = None) -> str:
    """``info`` (a header's ``weights``) in words; the file's values are only shown."""
    info = info if isinstance(info, dict) else {}
    init = info.get("init")
    digest = f" (weights hash {''.join(c for c in str(weights_hash)[:16] if c.isalnum())})" if weights_hash else ""

    def show(key: str) -> str:  # a file's text: short, and no terminal control characters
        return "".join(c if c.isprintable() else "?" for c in str(info.get(key, "?"))[:80])

    if init == "pretrained":
        return (f"published by {show('source')}: {show('model')} quality {show('quality')}, "
                f"trained for {show('metric')} (file {show('file')}){digest}")
    if init == "checkpoint":
        return f"trained, from checkpoint {show('file')}{digest}"
    if init == "seed":
        return f"RANDOM (seed {show('seed')}): not a trained codec{digest}"
    return f"unknown origin{digest}"
