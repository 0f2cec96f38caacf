"""Seconds per training step on this machine, printed as ratios against a plain CycleGAN step.

Compares: plain CycleGAN (lambda_cP = lambda_cS = 0, no identity loss), + identity loss,
Cycle-MedGAN (the demo config: + feature extractor losses), the same in bf16 autocast, and the
paper-sized generator (ngf 32). Random tensors, batch and size of the demo config.

    .venv/bin/python bench/step_time.py [--steps 4] [--config configs/motion-ixi.yaml]
"""
from __future__ import annotations

import argparse
import time

import torch

from cyclemedgan.config import load_config, replace
from cyclemedgan.models.cyclegan import CycleGAN
from cyclemedgan.networks.bigan import BiGAN
from cyclemedgan.networks.feature_extractor import FeatureExtractor


def step_time(cfg, steps: int) -> float:
    torch.manual_seed(0)
    ext = FeatureExtractor(BiGAN(cfg.data.image_size, cfg.extractor.latent_dim, cfg.extractor.width).discriminator)
    model = CycleGAN(cfg.model, cfg.loss, ext)
    gp = [p for n in model.generators() for p in n.parameters()]
    dp = [p for n in model.discriminators() for p in n.parameters()]
    og, od = torch.optim.Adam(gp), torch.optim.Adam(dp)
    s, b = cfg.data.image_size, cfg.train.batch_size
    x, y = torch.rand(b, 1, s, s) * 2 - 1, torch.rand(b, 1, s, s) * 2 - 1
    times = []
    for i in range(steps + 1):
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.train.bf16):
            lg, im = model.generator_losses(x, y)
        og.zero_grad()
        lg["total"].backward()
        og.step()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg.train.bf16):
            ld = model.discriminator_losses(x, y, im["fake_x"].detach(), im["fake_y"].detach())
        od.zero_grad()
        ld["total"].backward()
        od.step()
        if i:  # the first step warms up
            times.append(time.perf_counter() - t)
    return sum(times) / len(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/motion-ixi.yaml")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--no-bf16", action="store_true", help="skip the (slow on AVX2-only CPUs) bf16 rows")
    args = ap.parse_args()
    cfg = load_config(args.config)
    variants = {
        "plain CycleGAN": replace(cfg, loss={"lambda_cp": 0.0, "lambda_cs": 0.0, "lambda_id": 0.0}),
        "CycleGAN + identity": replace(cfg, loss={"lambda_cp": 0.0, "lambda_cs": 0.0}),
        "Cycle-MedGAN (config)": cfg,
    }
    if not args.no_bf16:
        variants["Cycle-MedGAN, bf16 autocast"] = replace(cfg, train={"bf16": True})
    variants["Cycle-MedGAN, ngf 32"] = replace(cfg, model={"ngf": 32})
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {cfg.train.batch_size}, "
          f"{cfg.data.image_size}x{cfg.data.image_size}, ngf {cfg.model.ngf}, {cfg.model.n_blocks} blocks")
    base = None
    for name, c in variants.items():
        t = step_time(c, args.steps)
        base = base or t
        print(f"{name:32s} {t:7.3f} s/step  {t / base:5.2f}x plain  {c.train.batch_size / t:6.2f} img/s")


if __name__ == "__main__":
    main()
