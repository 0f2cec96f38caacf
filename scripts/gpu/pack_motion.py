"""Pack what a GPU machine needs to train the motion task without TorchIO or SimpleITK there.

The device tool takes at most 64 MiB of files, and the cached motion-corrupted IXI volumes are
float32 (about 3.8 MB each). This writes, under ``.gpu/cache/`` (git-ignored):
- the corrupted volumes of the train_x and tune subjects as int16 NIfTI with a scale slope
  (NIfTI's own scl_slope / scl_inter; nibabel applies them on load), largest error printed;
- the motion log (json) of every subject, so the trainer's motion record needs no simulation.
Only training inputs of a GPU run are affected, by at most half a quantisation step (about
1e-5 of each volume's range); every number reported is computed here, on the float32 cache.

    python scripts/gpu/pack_motion.py configs/motion-ixi.yaml
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nibabel as nib
import numpy as np

from cyclemedgan.config import load_config
from cyclemedgan.data.paths import corrupted_path, motion_log
from cyclemedgan.data.split import read_split, subjects_with_role


def main(config: str, out: str = ".gpu/cache") -> None:
    cfg = load_config(config).data
    rows = read_split(cfg.split_file)
    everyone = [s for role in ("train_x", "train_y", "tune", "val") for s in subjects_with_role(rows, role)]
    motion_log(cfg, everyone)  # simulates (here, with TorchIO) whatever is not cached yet
    worst = 0.0
    for s in subjects_with_role(rows, "train_x") + subjects_with_role(rows, "tune"):
        src = corrupted_path(cfg, s)
        dst = Path(out) / src.parent.name / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        img = nib.load(src)
        data = img.get_fdata(dtype=np.float32)
        hdr = img.header.copy()
        hdr.set_data_dtype(np.int16)
        nib.save(nib.Nifti1Image(data, img.affine, hdr), dst)
        back = nib.load(dst).get_fdata(dtype=np.float32)
        worst = max(worst, float(np.abs(back - data).max() / (data.max() - data.min())))
    for log in corrupted_path(cfg, everyone[0]).parent.glob("*.motion.json"):
        shutil.copy(log, Path(out) / log.parent.name / log.name)
    size = sum(f.stat().st_size for f in Path(out).rglob("*") if f.is_file())
    print(f"{out}: {size / 2**20:.1f} MiB; largest quantisation error {worst:.2e} of a volume's range")


if __name__ == "__main__":
    main(*sys.argv[1:])
