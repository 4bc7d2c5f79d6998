"""Variable-rate modules (registry kind ``variable-rate``). Needs torch."""
