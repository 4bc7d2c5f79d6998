"""A plugin whose import fails: lic-bench must say so in one line and carry on."""

import lic_bench_plugin_dependency_that_is_not_installed  # noqa: F401
