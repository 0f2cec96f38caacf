"""Pack trained runs for the way back from a GPU machine (at most 8 files of 16 MiB each, 64 MiB in
all): per run one RUN.tgz with meta.json, config.json, metrics.csv (the tune curve), its log and
the last weights, of G1 alone (what translate uses for X -> Y; UNIT: its encoders and decoders), cut
into RUN.tgz.00, .01, ... of 15 MiB. No optimizer state and no best/: a width-32 U-Net G1 is 17 MiB,
UNIT's encoders and decoders 25 MiB, so three runs fit once and not twice; home, compare scores them with
``--select last`` (a choice made without pairs).

    python scripts/gpu/pack_runs.py gpu-runs OUTDIR cyclemedgan cyclegan unit
    cat OUTDIR/cyclegan.tgz.* | tar xz -C runs/cold        # back home
"""
from __future__ import annotations

import shutil
import sys
import tarfile
from pathlib import Path

from safetensors.torch import load_file, save_file

from cyclemedgan.checkpoint import read_run, stored_nets
from cyclemedgan.models import build_for_translation

PART = 15 * 2**20  # bytes per file brought back (the device returns files of at most 16 MiB)


def pack(runs: Path, out: Path, name: str) -> list[Path]:
    """OUT/NAME.tgz.00, .01, ...: the run RUNS/NAME as the module docstring says; returns the parts."""
    run = runs / name
    keep = Path("/tmp/pack") / name
    shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir(parents=True)
    for f in ("meta.json", "config.json", "metrics.csv"):
        shutil.copy(run / f, keep / f)
    # the networks translate X -> Y loads (G1; UNIT: its encoders and decoders), and their ema_ averages
    keep_nets = set(build_for_translation(read_run(run)[0], "AtoB", stored_nets(run)).generator_nets())
    tensors = load_file(str(run / "model.safetensors"))
    tensors = {k: v for k, v in tensors.items() if k.split(".", 1)[0].removeprefix("ema_") in keep_nets}
    save_file(tensors, str(keep / "model.safetensors"))
    tgz = out / f"{name}.tgz"
    with tarfile.open(tgz, "w:gz") as t:
        t.add(keep, arcname=name)
        if (runs / f"{name}.log").is_file():
            t.add(runs / f"{name}.log", arcname=f"{name}.log")
    data = tgz.read_bytes()
    tgz.unlink()
    parts = [out / f"{name}.tgz.{i // PART:02d}" for i in range(0, len(data), PART)]
    for k, part in enumerate(parts):
        part.write_bytes(data[k * PART:(k + 1) * PART])
    print(f"{name}: {len(data) / 2**20:.1f} MiB in {len(parts)} part(s)")
    return parts


if __name__ == "__main__":
    runs, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for n in sys.argv[3:]:
        if (runs / n / "model.safetensors").is_file():
            pack(runs, out, n)
        else:
            print(f"{runs / n}: no checkpoint; not packed")
    parts = sorted(out.glob("*.tgz.*"))
    total = sum(f.stat().st_size for f in parts)
    print(f"{out}: {len(parts)} files, {total / 2**20:.1f} MiB"
          + ("" if len(parts) <= 8 and total <= 64 * 2**20 else "; more than the device brings back (8 files, 64 MiB)"))
