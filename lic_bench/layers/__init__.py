"""Layers, non-linearities first (registry kind ``nonlinearity``). Needs torch."""
