"""``python -m cyclemedgan`` (and ``torchrun ... -m cyclemedgan train ...``): the command line."""
from cyclemedgan.cli import main

main()
