"""Export a training run as a shippable checkpoint: generator-side networks only, fp16 weights, config and
meta; no discriminators, no optimizer state. ``python -m cyclemedgan.export RUN_DIR OUT_DIR``.
The result is a directory that ``cyclemedgan translate --checkpoint`` takes.

``--g2-from OTHER`` (a ``paired`` run trained without G2): G2 from another finished paired run
with the same generator settings and ``paired.g2`` (G1 and G2 of a paired run learn from separate
losses, so a G2 trained beside another G1 is the G2 it would have had); the export then holds both,
as the start of an unpaired fine-tune (``train.init_from``)."""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from cyclemedgan.checkpoint import load_weights, read_run, save_checkpoint, stored_nets
from cyclemedgan.config import replace
from cyclemedgan.models import build_model
from cyclemedgan.models.cyclegan import generator_mismatch


def _finished(run_dir: str | Path):
    cfg, meta = read_run(run_dir)
    if not meta.get("done"):
        raise SystemExit(f"{run_dir} has not finished training")
    return cfg, meta


def _load(run_dir: str | Path, nets: dict) -> None:
    ema = {f"ema_{k}": v for k, v in nets.items()}
    if set(ema) <= stored_nets(run_dir):  # a run directory trained with train.ema: ship the average
        load_weights(run_dir, ema)
    else:  # best/ (which holds the EMA weights under the generators' names) or a run without EMA
        load_weights(run_dir, nets)


def export(run_dir: str | Path, out_dir: str | Path, g2_from: str | Path | None = None) -> Path:
    cfg, meta = _finished(run_dir)
    if g2_from is not None:
        other, _ = _finished(g2_from)
        if (cfg.method != "paired" or other.method != "paired" or not other.paired.g2
                or generator_mismatch(cfg.model, other.model)):
            raise SystemExit(f"--g2-from {g2_from}: needs two paired runs of the same generators, "
                             "the other trained with paired.g2")
        cfg = replace(cfg, paired={"g2": True})
        meta = {**meta, "g2_from": str(g2_from)}
    nets = build_model(cfg, inference=True).generator_nets()
    _load(run_dir, {k: v for k, v in nets.items() if g2_from is None or k != "g2"})
    if g2_from is not None:
        _load(g2_from, {"g2": nets["g2"]})
    out_dir = Path(out_dir)
    save_checkpoint(out_dir, cfg, nets, {**meta, "exported_from": str(run_dir)}, dtype=torch.float16)
    size = (out_dir / "model.safetensors").stat().st_size / 2**20
    print(f"exported {run_dir} -> {out_dir} ({size:.1f} MiB)")
    return out_dir


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m cyclemedgan.export", description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", help="a finished run directory or its best/")
    ap.add_argument("out_dir")
    ap.add_argument("--g2-from", help="take G2 from this finished paired run (trained with paired.g2)")
    a = ap.parse_args()
    export(a.run_dir, a.out_dir, a.g2_from)


if __name__ == "__main__":
    main()
