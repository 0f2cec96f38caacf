"""Steps per second of the motion corrector's U-Net G1 (L1 step, Adam), fp32 against bf16 autocast.

Batch 4 of 128x64 crops, as ``configs/motion-ixi-sim.yaml`` trains; widths 16, 24, 32; 1 or 3
input channels (2.5D); mean over 6 steps after 2 warm-up steps, on the CPU, at
``--threads`` threads. Whether bf16 is native here is printed (``device.native_bf16``): where it
is, ``train.bf16: auto`` turns it on.

    .venv/bin/python bench/unet_step.py [--threads 1]
"""
from __future__ import annotations

import argparse
import platform
import time

import torch

from cyclemedgan.device import native_bf16
from cyclemedgan.networks.unet_generator import UnetGenerator


def steps_per_s(ngf: int, channels: int, bf16: bool, steps: int = 6, warmup: int = 2) -> float:
    torch.manual_seed(0)
    g = UnetGenerator(in_channels=channels, ngf=ngf, depth=4)
    opt = torch.optim.Adam(g.parameters(), 1e-3)
    x, y = torch.randn(4, channels, 128, 64), torch.randn(4, 1, 128, 64)
    times = []
    for i in range(warmup + steps):
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = g(x)
        loss = (out.float() - y).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - t)
    return len(times) / sum(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {args.threads} thread(s), "
          f"native bf16: {native_bf16(torch.device('cpu'))}")
    for ngf in (16, 24, 32):
        for ch in (1, 3):
            fp32, bf16 = steps_per_s(ngf, ch, False), steps_per_s(ngf, ch, True)
            print(f"ngf {ngf:2d}, {ch} channel(s): fp32 {fp32:5.1f} steps/s, bf16 {bf16:5.1f} steps/s ({bf16 / fp32:.2f}x)")


if __name__ == "__main__":
    main()
