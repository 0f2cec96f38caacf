"""Is a CycleGAN hiding its input in its output? (steganography test, Chu et al. 2017)

``cyclemedgan probe hiding RUN_DIR [--sigma 0.05 0.1]``: on the tune subjects' source slices
(the training subjects' when the split has no tune role), the X -> Y -> X cycle error
||G2(G1(x) + n) - x||_1 with Gaussian noise n of each sigma added to G1(x) (in [-1, 1] units),
against sigma 0. A generator that encodes the input's exact artifacts in a faint pattern for G2
to decode loses them to the noise, and the cycle error jumps far beyond what the noise itself
adds; an honest translation degrades gently: the rise stays near or below E|n| = 0.8 sigma, what
the noise adds through an identity G2. Prints one line per sigma.
"""
from __future__ import annotations

import torch

from cyclemedgan.data.pools import training_pools
from cyclemedgan.probes.common import load_generators, subject_slices


@torch.no_grad()
def cycle_errors(run_dir: str, sigmas: list[float], n: int = 64, seed: int = 0) -> dict[float, float]:
    """{sigma: mean |G2(G1(x) + n) - x|} over ``n`` source slices x drawn with ``seed``."""
    cfg, _, model = load_generators(run_dir)
    xs, _ = subject_slices(cfg, role="tune")
    x = torch.cat(xs) if xs else training_pools(cfg.data, pairing=cfg.paired)[0].slices
    g = torch.Generator().manual_seed(seed)
    x = x[torch.randperm(len(x), generator=g)[:n]]
    fake = model.translate(x, "AtoB")
    out = {}
    for s in sigmas:
        noise = s * torch.randn(fake.shape, generator=g)
        out[s] = float((model.translate(fake + noise, "BtoA") - x).abs().mean())
    return out


def hiding(run_dir: str, sigmas: list[float] = (0.05, 0.1)) -> dict[float, float]:
    """``cycle_errors`` at sigma 0 and each of ``sigmas``, one printed line each; returns them."""
    errs = cycle_errors(run_dir, [0.0] + list(sigmas))
    for s, e in errs.items():
        alone = s * (2 / torch.pi) ** 0.5  # E|n|: what the noise adds through an identity G2
        print(f"sigma {s:.2f}: X->Y->X cycle L1 {e:.4f}; rise {e - errs[0.0]:.4f} against {alone:.4f} "
              f"for the noise alone" + (" (hiding?)" if e - errs[0.0] > 2 * alone else ""))
    return errs
