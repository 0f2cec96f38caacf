"""Pre-train the BiGAN (Donahue et al. 2017) whose discriminator becomes the feature extractor.

The paper pre-trained its BiGAN on a separate whole-body CT set; none exists here, so it is
trained on the task's *training* slices only (both domains: the ``train_x`` and ``train_y``
pools, never a validation subject). Objective: D(x, E(x)) is real, D(G(z), z) is fake
(binary cross-entropy); E and G are trained jointly on the swapped labels. Only the
discriminator's x-path is kept (fp16), since that is all the losses need.
"""
from __future__ import annotations

import time
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from cyclemedgan.config import Config
from cyclemedgan.data.pools import training_pools
from cyclemedgan.device import default_device
from cyclemedgan.networks.bigan import BiGAN
from cyclemedgan.networks.feature_extractor import FeatureExtractor
from cyclemedgan.checkpoint import save_checkpoint
from cyclemedgan.training.trainer import set_threads


def bigan_step(bigan: BiGAN, opt_d: torch.optim.Optimizer, opt_eg: torch.optim.Optimizer,
               x: torch.Tensor, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One BiGAN update on images x (B, 1, S, S) in [-1, 1] and latents z (B, latent_dim):
    D learns D(x, E(x)) real / D(G(z), z) fake, then E and G learn the swapped labels.
    Returns the two losses (D, E/G)."""
    ex, gz = bigan.encoder(x), bigan.generator(z)
    real, fake = bigan.discriminator(x, ex.detach()), bigan.discriminator(gz.detach(), z)
    loss_d = F.binary_cross_entropy_with_logits(real, torch.ones_like(real)) + \
        F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    real, fake = bigan.discriminator(x, ex), bigan.discriminator(gz, z)
    loss_eg = F.binary_cross_entropy_with_logits(real, torch.zeros_like(real)) + \
        F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
    opt_eg.zero_grad(set_to_none=True)
    loss_eg.backward()
    opt_eg.step()
    return loss_d, loss_eg


def pretrain_extractor(cfg: Config, out_dir: str | Path, command: str = "", progress: bool = True) -> Path:
    e = cfg.extractor
    set_threads(cfg.train.threads)
    torch.manual_seed(e.seed)
    g = torch.Generator().manual_seed(e.seed)
    pool_x, pool_y = training_pools(cfg.data, pairing=cfg.paired)
    c = cfg.data.context_slices  # 2.5D stacks: the extractor learns on their centre slices
    slices = torch.cat([pool_x.slices, pool_y.slices])[:, c:c + 1]
    if slices.shape[-1] != e.image_size:
        raise ValueError(f"extractor.image_size {e.image_size} != data.image_size {slices.shape[-1]}")
    device = default_device()
    bigan = BiGAN(e.image_size, e.latent_dim, e.width).to(device)
    opt_d = torch.optim.Adam(bigan.discriminator.parameters(), lr=e.lr, betas=(0.5, 0.999))
    opt_eg = torch.optim.Adam(list(bigan.encoder.parameters()) + list(bigan.generator.parameters()),
                              lr=e.lr, betas=(0.5, 0.999))
    t0 = time.time()
    bar = tqdm(range(e.steps), disable=not progress, desc="bigan", unit="step")
    for step in bar:
        x = slices[torch.randint(len(slices), (e.batch_size,), generator=g)].to(device)
        z = torch.randn(e.batch_size, e.latent_dim, generator=g).to(device)
        loss_d, loss_eg = bigan_step(bigan, opt_d, opt_eg, x, z)
        if step % 20 == 0:
            bar.set_postfix(D=f"{loss_d.item():.3f}", EG=f"{loss_eg.item():.3f}")
    out_dir = Path(out_dir)
    meta = {"step": e.steps, "steps": e.steps, "done": True, "elapsed_s": round(time.time() - t0, 1),
            "final_loss_d": round(loss_d.item(), 4), "final_loss_eg": round(loss_eg.item(), 4),
            "train_slices": len(slices), "command": command, "device": str(device),
            "train_subjects": sorted(set(pool_x.subjects) | set(pool_y.subjects)),
            "trained_on": "training subjects only (roles train_x and train_y of data.split_file)"}
    save_checkpoint(out_dir, cfg, {"extractor": FeatureExtractor(bigan.discriminator)}, meta,
                    dtype=torch.float16)
    print(f"BiGAN trained {e.steps} steps in {meta['elapsed_s'] / 60:.1f} min -> {out_dir}")
    return out_dir
