"""Export a training run as a shippable checkpoint: generator-side networks only, fp16 weights, config and
meta; no discriminators, no optimizer state. ``python -m cyclemedgan.export RUN_DIR OUT_DIR``.
The result is a directory that ``cyclemedgan translate --checkpoint`` takes."""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from cyclemedgan.models import build_model
from cyclemedgan.checkpoint import load_weights, read_run, save_checkpoint, stored_nets


def export(run_dir: str | Path, out_dir: str | Path) -> Path:
    cfg, meta = read_run(run_dir)
    if not meta.get("done"):
        raise SystemExit(f"{run_dir} has not finished training")
    nets = build_model(cfg, inference=True).generator_nets()
    ema = {f"ema_{k}": v for k, v in nets.items()}
    if set(ema) <= stored_nets(run_dir):  # a run directory trained with train.ema: ship the average
        load_weights(run_dir, ema)
    else:  # best/ (which holds the EMA weights under the generators' names) or a run without EMA
        load_weights(run_dir, nets)
    out_dir = Path(out_dir)
    save_checkpoint(out_dir, cfg, nets, {**meta, "exported_from": str(run_dir)}, dtype=torch.float16)
    size = (out_dir / "model.safetensors").stat().st_size / 2**20
    print(f"exported {run_dir} -> {out_dir} ({size:.1f} MiB)")
    return out_dir


if __name__ == "__main__":
    export(sys.argv[1], sys.argv[2])
