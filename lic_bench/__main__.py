from lic_bench.cli import console

console()
