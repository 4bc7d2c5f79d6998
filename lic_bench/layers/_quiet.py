"""Silence one known-harmless warning: CompressAI 1.2.8 calls ``torch.jit.script`` at
import time and torch 2.14 reports it as deprecated on every run."""

import warnings

warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*deprecated", category=FutureWarning)
