"""A package: its test_cli.py and tests/test_cli.py would otherwise share one module name."""
