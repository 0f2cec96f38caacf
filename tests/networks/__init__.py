"""A package: its test_unit.py and tests/models/test_unit.py would otherwise share one module name."""
