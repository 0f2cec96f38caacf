"""Probe (docs/experiments.md, session 3): can a generator learn motion correction at all when
trained on the ground truth? G1 alone, L1 on the train_x subjects' own pairs (128x64 crops,
left-right flips, Adam 0.9/0.999, lr constant for half the steps then linear to 0); prints the
training L1 as a fraction of the identity map's L1 on the same batches every 200 steps and the
tune score every 1000 steps.

    python scripts/probe_generators.py ARCH LR STEPS BATCH
    ARCH: resnet (the config's ResNet, ngf 16) or unetN (the U-Net at ngf N, depth 4)

Session 3 ran: resnet 2e-4 3000 4, unet32 1e-3 3000 4 (stopped after 1000), unet16 1e-3 2000 4,
each at OMP_NUM_THREADS=1 beside another job.
"""
import sys
import time

import numpy as np
import torch

from cyclemedgan.config import load_config
from cyclemedgan.data.pools import training_pools
from cyclemedgan.training.tune import TuneSet
from cyclemedgan.models.paired import Paired

arch, lr, steps, bs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(1); torch.manual_seed(0)
net = ["model.generator=unet", f"model.ngf={int(arch[4:] or 32)}"] if arch.startswith("unet") else \
    ["model.generator=resnet", "model.ngf=16"]
cfg = load_config("configs/motion-ixi.yaml", ["method=paired", "train.init_from=", *net])
px, py = training_pools(cfg.data, True, cfg.paired)
X, Y = px.slices, py.slices
print("pool", X.shape, "identity L1", (X - Y).abs().mean().item(), flush=True)

model = Paired(cfg.model, cfg.paired)  # the session-3 runs used a copy of the U-Net without its tanh
print("params", sum(p.numel() for p in model.g1.parameters()), flush=True)
opt = torch.optim.Adam(model.g1.parameters(), lr=lr, betas=(0.9, 0.999))
tune = TuneSet(cfg)
print("tune input", tune.base_scores, flush=True)
g = torch.Generator().manual_seed(0)
t0 = time.time(); run = []
crop = cfg.data.crop
for step in range(1, steps + 1):
    idx = torch.randint(len(X), (bs,), generator=g)
    x, y = X[idx], Y[idx]
    j = torch.randint(0, x.shape[-1] - crop[1] + 1, (1,), generator=g).item()
    x, y = x[..., j:j + crop[1]], y[..., j:j + crop[1]]
    if torch.rand(1, generator=g) < 0.5: x, y = x.flip(-2), y.flip(-2)
    out = model.g1(x)
    loss = (out - y).abs().mean(); ident = (x - y).abs().mean()
    opt.zero_grad(); loss.backward(); opt.step()
    for gp in opt.param_groups: gp["lr"] = lr * min(1.0, 2 * (1 - step / steps))
    run.append((loss.item(), ident.item()))
    if step % 200 == 0:
        a = np.array(run[-200:]); print(f"{step} {time.time()-t0:.0f}s L1 {a[:,0].mean():.5f} id {a[:,1].mean():.5f} ratio {a[:,0].mean()/a[:,1].mean():.3f}", flush=True)
    if step % 1000 == 0 or step == steps:
        s = tune.score(model, {}); print("TUNE", step, {k: round(v, 4) for k, v in s.items()}, flush=True)
