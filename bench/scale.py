"""Scale benchmark: many full-size volumes through the on-disk slice store, peak memory and data stall.

Writes ``--volumes`` (default 300) synthetic head-like volumes of 256x256x150 (int16, uncompressed
NIfTI: fast to write) into a temporary folder, half of them domain X (role train_x), half domain Y
(train_y), and trains the demo recipe (``configs/motion-ixi.yaml``: Cycle-MedGAN, 128x64 crops,
batch 4) on 256x256 slices of them for ``--steps`` steps, twice: with ``train.workers`` 1 (the
default: batches prepared in a loader process) and 0 (in the training process). Prints

- the time to write the volumes and to prepare the slice store (the first run), and its size;
- the peak resident memory (``getrusage``: this process, i.e. volume writing, store preparation
  and training together; and the largest loader worker);
- seconds per step with the data path (from the run's metrics.csv, first logged steps left out)
  and the time per step the step waited for its batch after the first (``meta.json``
  ``data_wait_s``; the first batch, which starts the loader, is ``data_wait_first_s``);
- seconds per step of the same model on random tensors already in memory (no data path).

    .venv/bin/python bench/scale.py [--volumes 300] [--steps 12] [--keep DIR]
"""
from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from step_time import step_time  # noqa: E402

from cyclemedgan.config import load_config, replace  # noqa: E402
from cyclemedgan.data.split import SubjectRow, write_split  # noqa: E402
from cyclemedgan.training.loop import train  # noqa: E402

SHAPE = (256, 256, 150)


def write_volumes(root: Path, n: int) -> float:
    """n int16 volumes V000.. (an ellipsoid head with a brighter 'brain' and noise, shifted per
    volume) and split.csv; returns the GB written."""
    i, j, k = np.ogrid[-1:1:SHAPE[0] * 1j, -1:1:SHAPE[1] * 1j, -1:1:SHAPE[2] * 1j]
    r = (i / 0.8) ** 2 + (j / 0.75) ** 2 + (k / 0.9) ** 2
    base = (np.where(r < 1, 400, 0) + np.where(r < 0.6, 300, 0)).astype(np.int16)
    noise = np.random.default_rng(0).integers(0, 40, SHAPE, dtype=np.int16)
    affine = np.diag([1.0, 1.0, 1.2, 1.0])
    rows = []
    for v in range(n):
        s, domain = f"V{v:03d}", "x" if v % 2 == 0 else "y"
        vol = np.roll(base, v % 17 - 8, axis=0) + np.roll(noise, v, axis=2)
        if domain == "x":  # a different 'contrast' for domain X
            vol = np.where(vol > 300, 1000 - vol, vol)
        nib.save(nib.Nifti1Image(vol.astype(np.int16), affine), str(root / f"{s}_{domain}.nii"))
        rows.append(SubjectRow(s, None, "", f"train_{domain}"))
    write_split(rows, root / "split.csv")
    return sum(p.stat().st_size for p in root.glob("*.nii")) / 1e9


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def step_seconds(run: Path) -> float:
    """Seconds per step between the first and last logged steps of metrics.csv."""
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    a, b = rows[0], rows[-1]
    return (float(b["time_s"]) - float(a["time_s"])) / (int(b["step"]) - int(a["step"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--volumes", type=int, default=300)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--config", default="configs/motion-ixi.yaml")
    ap.add_argument("--keep", help="write the volumes and store here and keep them (default: a temp dir, removed)")
    args = ap.parse_args()
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="cyclemedgan-scale-"))
    (tmp / "vols").mkdir(parents=True, exist_ok=True)
    try:
        t = time.time()
        gb = write_volumes(tmp / "vols", args.volumes)
        print(f"scale: {args.volumes} volumes {'x'.join(map(str, SHAPE))} int16 .nii ({gb:.1f} GB) written in "
              f"{time.time() - t:.0f} s", flush=True)
        log = max(1, args.steps // 3)
        cfg = load_config(args.config, [
            "data.task=folders", f"data.root={tmp / 'vols'}", f"data.split_file={tmp / 'vols' / 'split.csv'}",
            "data.file_pattern='{subject}_y.nii'", "data.source_pattern='{subject}_x.nii'", "data.image_size=256",
            f"data.cache_dir={tmp / 'cache'}", f"train.steps={args.steps}", f"train.log_every={log}",
            "train.sample_every=100000", "train.checkpoint_every=100000", "train.tune_every=0"])
        print(f"model: {cfg.method}, batch {cfg.train.batch_size}, crops {cfg.data.crop[0]}x{cfg.data.crop[1]} of "
              f"{cfg.data.image_size}x{cfg.data.image_size} slices, {cfg.model.generator} generators, ngf {cfg.model.ngf}, "
              f"{torch.get_num_threads()} threads", flush=True)
        results = {}
        for workers in (1, 0):
            run = train(replace(cfg, train={"workers": workers}), tmp / f"run-w{workers}", progress=False)
            meta = json.loads((run / "meta.json").read_text())
            results[workers] = (step_seconds(run), meta["data_wait_s"] / (meta["step"] - 1), meta["data_wait_first_s"])
            if workers == 1:
                store = next((tmp / "cache").glob("slices-*"))
                size = sum(p.stat().st_size for p in store.glob("*.f32")) / 1e9
                slices = meta["train_slices"]
                print(f"slice store: {slices['x']} + {slices['y']} training slices of 256x256 ({size:.1f} GB on disk), "
                      f"prepared in {meta['data_prep_s']:.0f} s", flush=True)
                print(f"peak RSS: this process {peak_mb(resource.RUSAGE_SELF):.0f} MB (writing, preparing and "
                      f"training), largest loader worker {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB", flush=True)
            print(f"train.workers {workers}: {results[workers][0]:.3f} s/step with the data path; the step waited "
                  f"{results[workers][1] * 1000:.1f} ms/step for data after the first batch (first batch "
                  f"{results[workers][2] * 1000:.0f} ms, loader start included)", flush=True)
        bare = step_time(replace(cfg, train={"workers": 0}), 3, torch.device("cpu"))
        print(f"same step on random tensors in memory (no data path): {bare:.3f} s/step; with data path / "
              f"without: {results[1][0] / bare:.2f}x (workers 1), {results[0][0] / bare:.2f}x (workers 0)")
        print(f"peak RSS at the end: this process {peak_mb(resource.RUSAGE_SELF):.0f} MB, largest child "
              f"{peak_mb(resource.RUSAGE_CHILDREN):.0f} MB (limit 2048 MB)")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
