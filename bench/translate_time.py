"""Seconds to translate one full-size volume (target: 256x256x200 in at most 30 s on 2 CPU cores).

Builds the demo generator (``configs/motion-ixi.yaml``: U-Net, ngf 16, depth 4) for 256x256 slices, randomly initialised (a trained one costs the same), saves it as a
checkpoint, writes a synthetic 256x256x200 volume as uncompressed NIfTI and times ``translate``
end to end (read, window, 200 slices through G1, write) for a few batch sizes.

    .venv/bin/python bench/translate_time.py [--shape 256 256 200] [--batch-sizes 8 16 32]
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np
import torch

from cyclemedgan.config import load_config
from cyclemedgan.models import build_model
from cyclemedgan.checkpoint import save_checkpoint
from cyclemedgan.translate import translate_path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/motion-ixi.yaml")
    ap.add_argument("--shape", type=int, nargs=3, default=[256, 256, 200])
    ap.add_argument("--batch-sizes", type=int, nargs="+", default=[8, 16, 32])
    ap.add_argument("--limit", type=float, default=30.0, help="seconds allowed per volume")
    args = ap.parse_args()
    size = max(args.shape[:2])
    cfg = load_config(args.config, [f"data.image_size={size}"])
    tmp = Path(tempfile.mkdtemp(prefix="cyclemedgan-translate-"))
    try:
        torch.manual_seed(0)
        model = build_model(cfg, inference=True)
        save_checkpoint(tmp / "ckpt", cfg, model.generator_nets(), {"step": 0, "done": True})
        i, j, k = np.ogrid[[slice(-1, 1, n * 1j) for n in args.shape]]
        vol = np.where((i / 0.8) ** 2 + (j / 0.75) ** 2 + (k / 0.9) ** 2 < 1, 500.0, 0.0)
        vol = (vol + np.random.default_rng(0).normal(0, 20, args.shape)).astype(np.float32)
        nib.save(nib.Nifti1Image(vol, np.diag([1.0, 1.0, 1.0, 1.0])), str(tmp / "in.nii"))
        shape = "x".join(map(str, args.shape))
        m = cfg.model
        net = f"U-Net depth {m.unet_depth}" if m.generator == "unet" else f"ResNet {m.n_blocks} blocks"
        print(f"translate: {shape} volume, generator {net}, ngf {m.ngf}, at {size}x{size}, "
              f"torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
        for b in args.batch_sizes:
            t = time.perf_counter()
            translate_path(tmp / "ckpt", tmp / "in.nii", tmp / f"out{b}.nii", batch_size=b, progress=False)
            s = time.perf_counter() - t
            print(f"translate --batch-size {b:3d}: {s:6.1f} s for the volume (limit {args.limit:.0f} s: "
                  f"{'within' if s <= args.limit else 'OVER'})", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
