"""Can the discriminator see the artifact at all?

``cyclemedgan probe detect CONFIG [--steps 300]``: the config's PatchGAN D1, trained alone (LSGAN
targets: clean 1, corrupted 0) on the unpaired training pools with the config's crops, batch and
lr_d, then asked about the tune subjects' own corrupted and clean slices (same heads, so only the
artifact differs): mean D output of each, the share of slice pairs where the clean slice scores
higher (0.5 = blind), the AUC of D's score for clean against corrupted slices within each tune
subject (averaged), and the cosine between -dL_adv/dG1(x) with G1 at the identity (the direction
the adversarial term moves an output) and the true correction y - x, per slice.
If D cannot tell them apart, the adversarial term, the only one that pushes G1 away from the
identity, has nothing to push with.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cyclemedgan.config import Config, load_config
from cyclemedgan.data.pools import training_pools
from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.data.loader import augment
from cyclemedgan.errors import UserError
from cyclemedgan.losses.adversarial import gan_loss
from cyclemedgan.networks.patch_discriminator import PatchDiscriminator
from cyclemedgan.probes.common import subject_slices
from cyclemedgan.training.trainer import set_threads


def train_detector(cfg: Config, steps: int, seed: int = 0) -> tuple[nn.Module, float]:
    """D1 of ``cfg`` trained alone for ``steps`` steps (clean slices real, corrupted fake) ->
    (D in eval mode, its last loss; nan after 0 steps)."""
    set_threads(cfg.train.threads)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    m, tc = cfg.model, cfg.train
    d = PatchDiscriminator(m.in_channels, m.ndf, m.n_layers_d, m.d_norm)
    opt = torch.optim.Adam(d.parameters(), lr=tc.lr_d or tc.lr, betas=(tc.beta1, tc.beta2))
    pool_x, pool_y = training_pools(cfg.data, pairing=cfg.paired)
    loss = torch.tensor(float("nan"))
    for _ in range(steps):
        (x,) = augment([pool_x.slices[torch.randint(len(pool_x), (tc.batch_size,), generator=g)]],
                       cfg.data.crop, cfg.data.flip, g)
        (y,) = augment([pool_y.slices[torch.randint(len(pool_y), (tc.batch_size,), generator=g)]],
                       cfg.data.crop, cfg.data.flip, g)
        loss = 0.5 * (gan_loss(d(y), True, m.gan_mode) + gan_loss(d(x), False, m.gan_mode))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return d.eval(), float(loss.detach())


def auc(pos: torch.Tensor, neg: torch.Tensor) -> float:
    """P(score of a positive > score of a negative), ties counted half (the Mann-Whitney AUC)."""
    greater = (pos[:, None] > neg[None, :]).float().mean()
    return float(greater + 0.5 * (pos[:, None] == neg[None, :]).float().mean())


def separation(d: nn.Module, xs: list[torch.Tensor], ys: list[torch.Tensor], gan_mode: str = "lsgan") -> dict:
    """How ``d`` ((B, C, H, W) -> (B, 1, H', W') scores) scores each subject's corrupted slices
    ``xs[i]`` against its clean ones ``ys[i]`` (each (N_i, C, H, W) in [-1, 1]; row k of both: one
    slice of one head), and where its gradient would move G1(x) = x."""
    with torch.no_grad():
        dx = torch.cat([d(t).mean(dim=(1, 2, 3)) for t in torch.cat(xs).split(32)])
        dy = torch.cat([d(t).mean(dim=(1, 2, 3)) for t in torch.cat(ys).split(32)])
    # AUC within each subject (clean against corrupted slices of the same head: the anatomy is the
    # same, only the artifact differs), averaged over subjects
    bounds = torch.tensor([0] + [len(t) for t in xs]).cumsum(0).tolist()
    aucs = [auc(dy[a:b], dx[a:b]) for a, b in zip(bounds, bounds[1:])]
    # with G1 at the identity, the direction the adversarial loss moves G1(x) = x, against the true
    # correction y - x: cosine per slice, over the whole slice
    cosines = []
    for x, y in zip(torch.cat(xs).split(32), torch.cat(ys).split(32)):
        x = x.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(gan_loss(d(x), True, gan_mode), x)
        cosines.append(F.cosine_similarity((-grad).flatten(1), (y - x.detach()).flatten(1), dim=1))
    cos = torch.cat(cosines)
    return {"d_corrupted": float(dx.mean()), "d_clean": float(dy.mean()),
            "clean_scored_higher": float((dy > dx).float().mean()), "auc_same_subject": float(sum(aucs) / len(aucs)),
            "grad_cosine": float(cos.mean()), "grad_cosine_positive": float((cos > 0).float().mean()),
            "slices": len(dx)}


def detect(config: str, steps: int = 300, seed: int = 0) -> dict[str, float]:
    """Train D alone, score the tune pairs with it (``separation``), print one line; returns the
    scores and ``final_loss``."""
    cfg = load_config(config)
    if not validation_pairs(cfg.data, role="tune"):
        raise UserError(f"{config}: the split has no tune subjects to ask D about")
    d, final_loss = train_detector(cfg, steps, seed)
    out = {**separation(d, *subject_slices(cfg, role="tune"), cfg.model.gan_mode), "final_loss": final_loss}
    print(f"D after {steps} steps (loss {out['final_loss']:.3f}): mean output on the tune subjects' corrupted slices "
          f"{out['d_corrupted']:.3f}, on their clean slices {out['d_clean']:.3f}; the clean slice scores higher in "
          f"{100 * out['clean_scored_higher']:.0f}% of {out['slices']} pairs (50% = blind); AUC clean vs corrupted "
          f"within a subject {out['auc_same_subject']:.3f}; cosine of -dL_adv/dG1(x) at the identity with y - x: "
          f"mean {out['grad_cosine']:.4f}, positive on {100 * out['grad_cosine_positive']:.0f}% of slices")
    return out

