"""Context models (registry kind ``context-model``) and the models built on them. Needs torch."""
