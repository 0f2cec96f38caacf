"""The probes' command line: ``cyclemedgan probe NAME ...`` (``python -m cyclemedgan.probes NAME
...`` is the same). Parses, then calls the probe's one function; light to import (argparse only),
so ``cyclemedgan --help`` loads no probe. Errors follow the main command line's contract
(``cyclemedgan.cli``): one line on stderr, exit status 2.
"""
from __future__ import annotations

import argparse
import importlib

from cyclemedgan.errors import UserError


def add_probe_parsers(parser: argparse.ArgumentParser) -> None:
    """One subcommand of ``parser`` per probe, with its arguments."""
    sub = parser.add_subparsers(dest="probe", required=True, metavar="PROBE")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help)

    p = add("filters", help="fixed filters (clipping, unsharp masks, smoothing) on the tune "
            "subjects' inputs, scored like the tune curve")
    p.add_argument("config", help="YAML config")
    p = add("change", help="how far G1 has moved from the identity map, and Adam's moments "
            "of its last convolution")
    p.add_argument("run_dir", help="run directory (or its best/)")
    p = add("detect", help="train the config's D1 alone, then ask it about the tune subjects' "
            "corrupted and clean slices")
    p.add_argument("config", help="YAML config")
    p.add_argument("--steps", type=int, default=300, help="D's optimizer steps (default 300)")
    p = add("hiding", help="steganography test: the X -> Y -> X cycle error with noise added "
            "between G1 and G2")
    p.add_argument("run_dir", help="run directory (or its best/)")
    p.add_argument("--sigma", type=float, nargs="+", default=[0.05, 0.1],
                   help="noise levels in [-1, 1] units (default 0.05 0.1)")
    p = add("outline", help="PET -> CT: the body's outer ring, a PET-drawn body's Dice, two-class "
            "maps from the CT and from the PET")
    p.add_argument("config", help="YAML config")
    p.add_argument("--role", default="tune", help="split role of the patients (default tune)")
    p.add_argument("--suv", type=float, default=0.05, help="the PET-drawn body is SUV > this (default 0.05)")
    p = add("tissues", help="PET -> CT: SUV percentiles per CT tissue class, AUC of SUV for bone")
    p.add_argument("config", help="YAML config")
    p.add_argument("--roles", nargs="+", default=["train_x", "train_y"],
                   help="split roles of the patients (default train_x train_y)")
    p = add("regions", help="PET -> CT: SSIM in the body's interior and outer band, beside the "
            "bulk-density reference")
    p.add_argument("config", help="YAML config")
    p.add_argument("pred_dir", help="folder of <subject>.nii.gz synthetic CTs (from translate)")
    p.add_argument("--role", default="tune", help="split role of the patients (default tune)")
    p = add("choose", help="the tune point the tune rule picks in each run's metrics.csv, "
            "averaged over NAME_sK seeds")
    p.add_argument("run_dirs", nargs="+", help="run directories")


# probe -> how its function is called with the parsed arguments (its module is cyclemedgan.probes.<probe>)
CALLS = {
    "filters": lambda m, a: m.filters(a.config),
    "change": lambda m, a: m.change(a.run_dir),
    "detect": lambda m, a: m.detect(a.config, a.steps),
    "hiding": lambda m, a: m.hiding(a.run_dir, a.sigma),
    "outline": lambda m, a: m.outline(a.config, a.role, a.suv),
    "tissues": lambda m, a: m.tissues(a.config, tuple(a.roles)),
    "regions": lambda m, a: m.regions(a.config, a.pred_dir, a.role),
    "choose": lambda m, a: m.choose(a.run_dirs),
}


def run_probe(args: argparse.Namespace) -> None:
    """Run the probe ``args.probe``. A ValueError from the code it calls (volumes of different
    shapes, a config that does not fit the probe, ...) is bad input here: it becomes a UserError."""
    module = importlib.import_module(f"cyclemedgan.probes.{args.probe}")
    try:
        CALLS[args.probe](module, args)
    except ValueError as e:
        raise UserError(str(e)) from e
