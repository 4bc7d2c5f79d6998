"""Entropy models, wrapping CompressAI's (registry kind ``entropy-model``). Needs torch."""
