"""lic-bench."""
