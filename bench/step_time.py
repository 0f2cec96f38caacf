"""Seconds per training step, printed as ratios against a plain CycleGAN step.

Compares: plain CycleGAN (lambda_cP = lambda_cS = 0, no identity loss), + identity loss,
Cycle-MedGAN as configured (+ feature extractor losses), the same on whole slices or on 128x64
crops (``data.crop``, whichever the config does not use), with the other upsampling and the other
discriminator norm, with bf16 autocast toggled, in channels_last memory format
(``train.channels_last``), with fused Adam (``train.fused_adam``), with the real inputs' extractor
features computed *with* grad in one pass with the reconstructions (the older path; the default
computes them without grad), with ``torch.compile`` (``--compile`` only: compiling takes minutes
on a CPU; its time is printed apart), UNIT, and (for small configs) the ngf 32 generator.
Throughput in images (crops) per second. Random tensors, batch and size of the config;
a randomly initialised BiGAN stands in for the extractor (same cost as a trained one). Runs on
CUDA when available (``--device cpu`` to force the CPU), timing with a synchronised wall clock.

    .venv/bin/python bench/step_time.py [--steps 4] [--config configs/motion-ixi.yaml] [--no-bf16] [--compile]
"""
from __future__ import annotations

import argparse
import time

import torch

from cyclemedgan.config import load_config, replace
from cyclemedgan.device import default_device, native_bf16, use_bf16
from cyclemedgan.models.cyclegan import CycleGAN
from cyclemedgan.models.unit import UNIT
from cyclemedgan.networks.bigan import BiGAN
from cyclemedgan.networks.feature_extractor import FeatureExtractor
from cyclemedgan.training.pretrain_extractor import bigan_step
from cyclemedgan.training.trainer import compile_networks


def build(cfg):
    if cfg.method == "unit":
        return UNIT(cfg.model, cfg.unit)
    ext = FeatureExtractor(BiGAN(cfg.data.image_size, cfg.extractor.latent_dim, cfg.extractor.width).discriminator)
    return CycleGAN(cfg.model, cfg.loss, ext)


WARMUP: dict[str, float] = {}  # seconds of the last timed() call's warm-up call (compilation, for torch.compile)


def timed(update, steps: int, device: torch.device) -> float:
    """Mean wall time of ``update()`` over ``steps`` calls after one warm-up call (CUDA synchronised)."""
    times = []
    for i in range(steps + 1):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        update()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if i:
            times.append(time.perf_counter() - t)
        else:
            WARMUP["s"] = time.perf_counter() - t
    return sum(times) / len(times)


def step_time(cfg, steps: int, device: torch.device, real_features_grad: bool = False) -> float:
    """Seconds per generator + discriminator update of the model of ``cfg``."""
    torch.manual_seed(0)
    model = build(cfg).to(device)
    if real_features_grad:
        model.real_features_no_grad = False
    fmt = torch.channels_last if cfg.train.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    if cfg.train.compile:
        compile_networks(model, cfg.train.compile_backend)
    gp = [p for n in model.generator_nets().values() for p in n.parameters()]
    dp = [p for n in model.discriminator_nets().values() for p in n.parameters()]
    fused = True if cfg.train.fused_adam else None
    og, od = torch.optim.Adam(gp, fused=fused), torch.optim.Adam(dp, fused=fused)
    s, b, c = cfg.data.image_size, cfg.train.batch_size, cfg.model.in_channels
    h, w = cfg.data.crop if cfg.data.crop != (0, 0) else (s, s)
    x = (torch.rand(b, c, h, w, device=device) * 2 - 1).contiguous(memory_format=fmt)
    y = (torch.rand(b, c, h, w, device=device) * 2 - 1).contiguous(memory_format=fmt)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16(cfg.train.bf16, device))

    def update():
        with autocast:
            lg, im = model.generator_losses(x, y)
        og.zero_grad()
        lg["total"].backward()
        og.step()
        with autocast:
            ld = model.discriminator_losses(x, y, im["fake_x"].detach().float(), im["fake_y"].detach().float())
        od.zero_grad()
        ld["total"].backward()
        od.step()

    return timed(update, steps, device)


def bigan_step_time(cfg, steps: int, device: torch.device) -> float:
    """Seconds per BiGAN pre-training step (``bigan_step``: D update + E/G update), fp32."""
    e = cfg.extractor
    torch.manual_seed(0)
    bigan = BiGAN(e.image_size, e.latent_dim, e.width).to(device)
    od = torch.optim.Adam(bigan.discriminator.parameters())
    oeg = torch.optim.Adam(list(bigan.encoder.parameters()) + list(bigan.generator.parameters()))
    x = torch.rand(e.batch_size, 1, e.image_size, e.image_size, device=device) * 2 - 1
    z = torch.randn(e.batch_size, e.latent_dim, device=device)
    return timed(lambda: bigan_step(bigan, od, oeg, x, z), steps, device)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/motion-ixi.yaml")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--device", default=str(default_device()))
    ap.add_argument("--no-bf16", action="store_true", help="skip the bf16-toggled row (slow on AVX2-only CPUs)")
    ap.add_argument("--compile", action="store_true", help="add the torch.compile row (minutes of compiling on a CPU)")
    args = ap.parse_args()
    device = torch.device(args.device)
    cfg = load_config(args.config)
    cfg = replace(cfg, method="cyclemedgan")
    variants = {
        "plain CycleGAN": replace(cfg, loss={"lambda_cp": 0.0, "lambda_cs": 0.0, "lambda_id": 0.0}),
        "CycleGAN + identity": replace(cfg, loss={"lambda_cp": 0.0, "lambda_cs": 0.0}),
        "Cycle-MedGAN (config)": cfg,
    }
    if cfg.data.crop == (0, 0):
        variants["Cycle-MedGAN, crops 128x64"] = replace(cfg, data={"crop": [min(128, cfg.data.image_size), 64]})
    else:
        variants["Cycle-MedGAN, whole slices"] = replace(cfg, data={"crop": [0, 0]})
    other_up = "resize" if cfg.model.upsample == "deconv" else "deconv"
    other_norm = "spectral" if cfg.model.d_norm == "instance" else "instance"
    variants[f"Cycle-MedGAN, upsample {other_up}"] = replace(cfg, model={"upsample": other_up})
    variants[f"Cycle-MedGAN, D norm {other_norm}"] = replace(cfg, model={"d_norm": other_norm})
    if not args.no_bf16:
        flip = "false" if use_bf16(cfg.train.bf16, default_device()) else "true"
        variants[f"Cycle-MedGAN, bf16 {'on' if flip == 'true' else 'off'}"] = replace(cfg, train={"bf16": flip})
    variants["Cycle-MedGAN, channels_last"] = replace(cfg, train={"channels_last": True})
    variants["Cycle-MedGAN, fused Adam"] = replace(cfg, train={"fused_adam": True})
    variants["Cycle-MedGAN, real features w/ grad"] = cfg  # the older extractor path (see the docstring)
    if args.compile:
        variants["Cycle-MedGAN, torch.compile"] = replace(cfg, train={"compile": True})
    other = "resnet" if cfg.model.generator == "unet" else "unet"
    variants[f"Cycle-MedGAN, {other} generators"] = replace(cfg, model={"generator": other})
    variants["UNIT"] = replace(cfg, method="unit")
    if cfg.model.ngf < 32:
        variants["Cycle-MedGAN, ngf 32"] = replace(cfg, model={"ngf": 32})
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    crop = "whole slices" if cfg.data.crop == (0, 0) else f"crops {cfg.data.crop[0]}x{cfg.data.crop[1]}"
    print(f"torch {torch.__version__}, {name}, batch {cfg.train.batch_size}, "
          f"{cfg.data.image_size}x{cfg.data.image_size} ({crop}), {cfg.model.generator} generators, ngf {cfg.model.ngf}, "
          f"bf16 {cfg.train.bf16} (native bf16: {native_bf16(default_device())})")
    base, measured = None, {}
    for label, c in variants.items():
        try:
            t = step_time(c, args.steps, device, real_features_grad=label.endswith("w/ grad"))
        except torch.OutOfMemoryError:
            print(f"{label:36s} out of memory", flush=True)
            torch.cuda.empty_cache()
            continue
        base = base or t
        measured[label] = t
        extra = f"  (compiling: {WARMUP['s']:.0f} s)" if c.train.compile else ""
        print(f"{label:36s} {t:7.3f} s/step  {t / base:5.2f}x plain  {c.train.batch_size / t:7.2f} img/s{extra}", flush=True)
    t = bigan_step_time(cfg, args.steps, device)
    print(f"{'BiGAN pre-training (extractor)':36s} {t:7.3f} s/step  batch {cfg.extractor.batch_size}: "
          f"{cfg.extractor.steps} steps = {cfg.extractor.steps * t / 60:.1f} min", flush=True)
    if device.type == "cpu":
        print("GPU options (channels_last, fused Adam, torch.compile and the no-grad real features on CUDA): "
              "unmeasured here (a CPU run); CUDA graphs are not implemented"
              + ("" if args.compile else "; add --compile for the torch.compile row"))
    if "Cycle-MedGAN (config)" in measured:
        print(f"config's {cfg.train.steps} training steps: "
              f"{cfg.train.steps * measured['Cycle-MedGAN (config)'] / 60:.1f} min (optimizer steps only)")


if __name__ == "__main__":
    main()
