"""Command line: parse, then call one function. ``cyclemedgan --help`` lists the verbs.

Every user error (missing file, not a NIfTI, 4D volume, unknown config key, ...) ends in one
line on stderr and exit status 2; nothing half-written is left behind.
"""
from __future__ import annotations

import argparse
import shlex
import sys

from cyclemedgan.config import ConfigError
from cyclemedgan.errors import UserError
from cyclemedgan.probes.cli import add_probe_parsers


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cyclemedgan", description="Unsupervised medical image translation "
                                "with Cycle-MedGAN (Armanious et al. 2019).")
    p.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    t = sub.add_parser("train", help="train a model from a YAML config")
    t.add_argument("--config", required=True, help="YAML config, e.g. configs/motion-ixi.yaml")
    t.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set train.steps=100 (repeatable)")
    t.add_argument("--out", help="run directory (default runs/<config name>)")
    t.add_argument("--minutes", type=float, help="fit the number of steps to this wall time")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")

    x = sub.add_parser("translate", help="translate NIfTI volumes with a trained checkpoint")
    x.add_argument("--checkpoint", required=True, help="run directory or shipped checkpoint directory")
    x.add_argument("--input", required=True, help="a .nii/.nii.gz volume or a folder of them")
    x.add_argument("--output", required=True, help="output volume, or folder for a folder input")
    x.add_argument("--direction", default="AtoB", choices=["AtoB", "BtoA"],
                   help="AtoB: G1, domain X -> Y (e.g. corrupted -> clean); BtoA: G2")
    x.add_argument("--batch-size", type=int, default=8,
                   help="slices per forward pass (8: a 256x256x200 volume in 28 s on 2 CPU cores, bench/translate_time.py)")
    x.add_argument("--mu-map", action="store_true",
                   help="synthetic-CT models: write the 511 keV attenuation map (1/cm, Carney et al. 2006) instead of HU")
    x.add_argument("--kvp", type=int, help="with --mu-map: the tube voltage of the CTs the model learnt (default 120)")
    x.add_argument("--no-progress", action="store_true")

    _add_scoring_verbs(sub)
    add_probe_parsers(sub.add_parser("probe", help="a probe behind docs/experiments.md: filters, change, detect, "
                                     "hiding, outline, tissues, regions, choose"))
    return p


def _add_scoring_verbs(sub) -> None:
    """evaluate, pretrain-extractor, demo and compare."""
    e = sub.add_parser("evaluate", help="score predicted volumes against targets")
    e.add_argument("--pred", required=True, help="volume or folder of volumes")
    e.add_argument("--target", required=True, help="volume or folder, matched by file name")
    e.add_argument("--mask", help="mask volume or folder (default: a head mask computed from the target; "
                   "with --hu: the tumour mask, optional)")
    e.add_argument("--hu", action="store_true", help="synthetic CT in HU: body MAE, PSNR and SSIM on "
                   "-1000..1500 HU, bone Dice (> 250 HU), tumour MAE (see metrics_ct.py)")
    e.add_argument("--out", help="per-subject CSV (mean and std rows appended)")
    e.add_argument("--lpips-weights", help="LPIPS weights: a weights/lpips-alex-style folder or a torchvision AlexNet state dict "
                   "(.pth, its backbone with the shipped linear layers); default: the shipped weights/lpips-alex")

    b = sub.add_parser("pretrain-extractor", help="train the BiGAN feature extractor")
    b.add_argument("--config", required=True)
    b.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    b.add_argument("--out", required=True, help="output directory, e.g. weights/bigan-ixi")
    b.add_argument("--no-progress", action="store_true")

    d = sub.add_parser("demo", help="train, translate, evaluate and report on the embedded IXI data")
    d.add_argument("--minutes", type=float, help="fit the training steps to this wall time "
                   "(default: the config's fixed number of steps)")
    d.add_argument("--out", default="runs/demo")
    d.add_argument("--config", default="configs/motion-ixi.yaml")
    d.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    d.add_argument("--shipped-checkpoint", "--long-checkpoint", dest="long_checkpoint", default="weights/motion-ixi",
                   help="the shipped checkpoint, scored first ('' to skip)")
    d.add_argument("--paired-steps", type=int, default=600,
                   help="steps of the paired upper bound (supervised, about 1 min on 2 cores; 0 to skip)")
    d.add_argument("--no-progress", action="store_true")
    c = sub.add_parser("compare", help="train and score every method alike: Table I, Fig. 3, curves, report")
    c.add_argument("--config", required=True)
    c.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    c.add_argument("--methods", nargs="+", help="subset of: none, bulk and three-class (synthetic CT), "
                   "pretrained (G1 of train.init_from), unit cyclegan cyclemedgan cyclemedgan-no-style "
                   "cyclemedgan-no-perceptual paired (default: all that apply)")
    c.add_argument("--steps-per-method", type=int, help="optimizer steps of every method (default: train.steps)")
    c.add_argument("--seeds", nargs="+", type=int, help="one run per seed (default: train.seed)")
    c.add_argument("--select", default="tune", choices=["tune", "last"],
                   help="checkpoint each trained row is scored with: best on the tune subjects (default), "
                   "or the last one, chosen without paired data (report under OUT/last/)")
    c.add_argument("--out", default="runs/compare")
    c.add_argument("--no-progress", action="store_true")


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from cyclemedgan.config import load_config

    if args.verb == "train":
        from pathlib import Path

        from cyclemedgan.training.loop import train

        cfg = load_config(args.config, args.overrides)
        train(cfg, args.out or Path("runs") / cfg.name, minutes=args.minutes, progress=not args.no_progress)
    elif args.verb == "translate":
        from cyclemedgan.translate import translate_path

        if args.kvp is not None and not args.mu_map:
            raise UserError("--kvp applies to --mu-map only (the output is in HU without it)")
        translate_path(args.checkpoint, args.input, args.output, args.direction, args.batch_size,
                       progress=not args.no_progress, mu_kvp=(args.kvp or 120) if args.mu_map else 0)
    elif args.verb == "evaluate":
        from cyclemedgan.evaluate import evaluate_paths

        evaluate_paths(args.pred, args.target, args.mask, args.out, args.lpips_weights, verbose=True,
                       kind="ct" if args.hu else "image")
    elif args.verb == "pretrain-extractor":
        from cyclemedgan.training.pretrain_extractor import pretrain_extractor

        cfg = load_config(args.config, args.overrides)
        command = "cyclemedgan " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
        pretrain_extractor(cfg, args.out, command=command, progress=not args.no_progress)
    elif args.verb == "demo":
        from cyclemedgan.demo import run_demo

        run_demo(args.config, args.overrides, args.out, args.minutes, args.long_checkpoint or None,
                 progress=not args.no_progress, paired_steps=args.paired_steps)
    elif args.verb == "compare":
        from cyclemedgan.compare import run_compare

        run_compare(args.config, args.overrides, args.methods, args.steps_per_method, args.out, args.seeds,
                    progress=not args.no_progress, select=args.select)
    elif args.verb == "probe":
        from cyclemedgan.probes.cli import run_probe

        run_probe(args)
    return 0


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = run([a for a in args if a != "--debug"] if debug else args)
    except (UserError, ConfigError) as e:
        if debug:
            raise
        print(f"cyclemedgan: error: {e}", file=sys.stderr)
        code = 2
    except OSError as e:  # disk full, a path that is not a directory, permissions, ...
        if debug:
            raise
        where = f": {e.filename}" if e.filename else ""
        what = ("a file is where a folder of the output path must be" if isinstance(e, (FileExistsError, NotADirectoryError))
                else e.strerror or str(e))
        print(f"cyclemedgan: error: {what}{where}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("cyclemedgan: interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
