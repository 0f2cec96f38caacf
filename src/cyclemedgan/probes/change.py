"""How far has G1 moved from the identity map?

``cyclemedgan probe change RUN_DIR``: mean |G1(x) - x| (in [-1, 1] units) inside and outside the
head on 64 paired training slices of the run (``train_x`` subjects; simulated motion for
``paired.pairs: train_y``) and |G1(y) - y| on their motion-free twins, the mean |weight| of
G1's last (zero-initialised) convolution and, for a run with its training state, Adam's moments
for that layer (|m| / sqrt(v) near 0: the updates cancel from step to step).
"""
from __future__ import annotations

from pathlib import Path

import torch

from cyclemedgan.data.pools import training_pools
from cyclemedgan.probes.common import load_generators


@torch.no_grad()
def change(run_dir: str) -> None:
    """Print how far G1 moves inputs and motion-free slices, and Adam's state for its last layer."""
    cfg, meta, model = load_generators(run_dir)
    px, py = training_pools(cfg.data, True, cfg.paired)
    idx = torch.randperm(len(px), generator=torch.Generator().manual_seed(0))[:64]
    x, y = px.slices[idx], py.slices[idx]
    d = (model.translate(x, "AtoB") - x).abs()
    head = y > -0.8
    clean = (model.translate(y, "AtoB") - y).abs()  # a corrector should leave motion-free slices alone
    print(f"{run_dir} (step {meta['step']}): mean |G1(x) - x| {d[head].mean():.2e} inside the head, "
          f"{d[~head].mean():.2e} outside; largest {d.max():.2e}; on their motion-free twins y, mean "
          f"|G1(y) - y| {clean[head].mean():.2e} inside the head"
          + (f"; mean |last conv weight| {model.g1.output_conv.weight.abs().mean():.2e}" if hasattr(model, "g1") else ""))
    state = Path(run_dir) / "training_state.pt"
    if state.is_file() and hasattr(model, "g1"):
        adam_line(state, tuple(model.g1.output_conv.weight.shape))


def adam_line(state: Path, shape: tuple[int, ...]) -> None:
    """Print Adam's moments for the generator parameter of ``shape`` in a training_state.pt
    (G1's last convolution): how far one step moves it."""
    adam = torch.load(state, map_location="cpu", weights_only=True)["opt_g"]["state"]
    for v in adam.values():
        if tuple(v["exp_avg"].shape) == shape:
            rms = v["exp_avg_sq"].sqrt()
            print(f"Adam, G1's last convolution: sqrt(v) {rms.mean():.2e}, |m| / sqrt(v) "
                  f"{(v['exp_avg'].abs() / (rms + 1e-8)).mean():.4f} (1 = a full lr step each step)")
            return
