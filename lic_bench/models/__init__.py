"""Complete compression models (registry kind ``model``). Needs torch."""
