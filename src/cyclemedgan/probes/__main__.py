"""``python -m cyclemedgan.probes NAME ...``: the same as ``cyclemedgan probe NAME ...``."""
import sys

from cyclemedgan.cli import main

main(["probe", *sys.argv[1:]])
