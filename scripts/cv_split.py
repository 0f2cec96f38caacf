"""Write the split files of a k-fold cross-validation over a split's training subjects
(``data.split.cv_fold``), for paired runs that choose settings on more than 4 tune subjects.

    python scripts/cv_split.py data/ibsi-sts-petct/split.csv --folds 4 --out runs/cv
    cyclemedgan train --config configs/pet2ct-sts.yaml --set data.split_file=runs/cv/fold0.csv ...

Each fold's file holds the same subjects: the fold's share of train_x + train_y as ``tune``, the
rest as ``train_x``, the original tune subjects as ``train_y`` (unused by a paired run), ``val``
as it was.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cyclemedgan.data.split import cv_fold, read_split, write_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("split", help="the split CSV (subject,age,sex,role)")
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--out", required=True, help="folder for fold0.csv, fold1.csv, ...")
    a = ap.parse_args()
    rows = read_split(a.split)
    Path(a.out).mkdir(parents=True, exist_ok=True)
    for k in range(a.folds):
        write_split(cv_fold(rows, a.folds, k), Path(a.out) / f"fold{k}.csv")
        print(f"{a.out}/fold{k}.csv")


if __name__ == "__main__":
    main()
