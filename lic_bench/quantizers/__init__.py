"""Quantizers (registry kind ``quantizer``). Needs torch."""
