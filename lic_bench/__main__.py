from lic_bench.cli import main

main()
