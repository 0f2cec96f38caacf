"""Score checkpoints on the tune subjects only (never val), each on K motion draws, to choose one.

    .venv/bin/python scripts/score_tune.py --config configs/motion-ixi-sim.yaml --draws 3 RUN/best RUN ...

``--set data.motion.KEY=VALUE`` scores under another motion model (issue 18's model B).

Prints per checkpoint the mean tune SSIM / PSNR, the input's, and the selection score of
``training/tune.py`` (PSNR gain + 30 x SSIM gain). Used in session 7 to choose the shipped
corrector among the best and last checkpoints of two runs.
"""
from __future__ import annotations

import argparse

from cyclemedgan.config import load_config, replace
from cyclemedgan.training.tune import TuneSet, selection_score
from cyclemedgan.translate import Translator


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--draws", type=int, default=3)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="config override, e.g. --set data.motion.degrees=10 (another motion model)")
    ap.add_argument("checkpoints", nargs="+")
    args = ap.parse_args()
    cfg = load_config(args.config, args.set)
    tune = TuneSet(replace(cfg, train={"tune_draws": args.draws}))
    print(f"{len(tune)} tune volumes ({args.draws} draws of each tune subject); input SSIM "
          f"{tune.base_scores['ssim']:.4f} PSNR {tune.base_scores['psnr']:.2f}")
    for ckpt in args.checkpoints:
        tr = Translator(ckpt)
        s = tune.scores([tr(v.source, v.affine) for v in tune.subjects])
        s.update(ssim_input=tune.base_scores["ssim"], psnr_input=tune.base_scores["psnr"])
        print(f"{ckpt}: SSIM {s['ssim']:.4f} PSNR {s['psnr']:.2f} score {selection_score(s):+.3f}")


if __name__ == "__main__":
    main()
