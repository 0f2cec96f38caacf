"""Is a CycleGAN hiding its input in its output? (steganography test, Chu et al. 2017)

``python -m cyclemedgan.diagnose RUN_DIR [--sigma 0.05 0.1]``: on the tune subjects' source
slices (the training subjects' when the split has no tune role), the X -> Y -> X cycle error
||G2(G1(x) + n) - x||_1 with Gaussian noise n of each sigma added to G1(x) (in [-1, 1] units),
against sigma 0. A generator that encodes the input's exact artifacts in a faint pattern for G2
to decode loses them to the noise, and the cycle error jumps far beyond what the noise itself
adds; an honest translation degrades gently: the rise stays near or below E|n| = 0.8 sigma, what the
noise adds through an identity G2. Prints one line per sigma.
"""
from __future__ import annotations

import argparse

import torch

from cyclemedgan.data.datasets import paired_stacks, training_pools, validation_pairs
from cyclemedgan.data.slices import foreground_fraction, with_context
from cyclemedgan.models import build_model
from cyclemedgan.training.checkpoint import load_weights, read_run


@torch.no_grad()
def cycle_errors(run_dir: str, sigmas: list[float], n: int = 64, seed: int = 0) -> dict[float, float]:
    cfg, _ = read_run(run_dir)
    model = build_model(cfg, inference=True)
    load_weights(run_dir, model.generator_nets())
    model.eval()
    pairs = validation_pairs(cfg.data, role="tune")
    if pairs:
        stacks = []
        for p in pairs:
            sx, _, _ = paired_stacks(cfg.data, p.source, p.target)
            keep = foreground_fraction(sx) >= cfg.data.min_foreground
            stacks.append(torch.from_numpy(with_context(sx, cfg.data.context_slices)[keep]))
        x = torch.cat(stacks)
    else:
        x = training_pools(cfg.data)[0].slices
    g = torch.Generator().manual_seed(seed)
    x = x[torch.randperm(len(x), generator=g)[:n]]
    fake = model.translate(x, "AtoB")
    out = {}
    for s in sigmas:
        noise = s * torch.randn(fake.shape, generator=g)
        out[s] = float((model.translate(fake + noise, "BtoA") - x).abs().mean())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    ap.add_argument("--sigma", type=float, nargs="+", default=[0.05, 0.1])
    args = ap.parse_args()
    errs = cycle_errors(args.run_dir, [0.0] + args.sigma)
    for s, e in errs.items():
        alone = s * (2 / torch.pi) ** 0.5  # E|n|: what the noise adds through an identity G2
        print(f"sigma {s:.2f}: X->Y->X cycle L1 {e:.4f} ({e / errs[0.0]:.1f}x the noiseless cycle; "
              f"rise {e - errs[0.0]:.4f} against {alone:.4f} for the noise alone)")


if __name__ == "__main__":
    main()
