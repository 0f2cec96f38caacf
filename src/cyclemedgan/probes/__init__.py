"""Probes behind docs/experiments.md: small measurements that explain a result, one file each.

``cyclemedgan probe NAME ...`` (or ``python -m cyclemedgan.probes NAME ...``) runs one; the
arguments of each are in ``probes/cli.py`` and docs/cli.md.

    filters   what fixed filters do to the tune subjects' inputs        filters.py
    change    how far G1 has moved from the identity map                change.py
    detect    whether a discriminator trained alone sees the artifact   detect.py
    hiding    whether a CycleGAN hides its input in its output          hiding.py
    outline   how hard the bulk-density reference is (PET -> CT)        outline.py
    tissues   whether bone can be told from the PET (PET -> CT)         tissues.py
    regions   where a synthetic CT loses SSIM to the reference          regions.py
    choose    which checkpoint the tune rule chooses, run by run        choose.py

This package imports nothing at import time, so the command line stays fast; each probe's
module imports what it needs.
"""
