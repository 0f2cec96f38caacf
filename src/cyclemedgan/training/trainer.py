"""The trainer: the only place that owns optimizers, lr schedules, image pools and autocast.

One step (Zhu et al. 2017): update G1 and G2 on the generator objective (Eq. 6), then D1 and D2
on real images against fakes drawn from the image pools (``Trainer.step``). Adam for both, lr
constant for the first ``decay_start`` fraction of steps, then linearly to zero. With
``train.ema`` an exponential moving average of the generators follows each update (``ema.py``).

The run around the step (data, logs, tune curve, best/, checkpoints, resume, ``--minutes``) is
``loop.train``. Under torchrun (``distributed.py``) DDP averages the gradients and the image pools
stay per rank; ``rank_state`` / ``load_rank_state`` carry each rank's pools and RNGs.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import torch
import torch.nn as nn

from cyclemedgan.checkpoint import load_weights, stored_nets
from cyclemedgan.config import Config
from cyclemedgan.device import use_bf16
from cyclemedgan.errors import UserError
from cyclemedgan.training.distributed import Dist, averaged
from cyclemedgan.training.ema import EMA
from cyclemedgan.training.image_pool import ImagePool
from cyclemedgan.training.state import TrainState


def lr_factor(step: int, total: int, decay_start: float) -> float:
    """1 until ``decay_start * total`` steps, then linear to 0 at ``total``."""
    start = int(decay_start * total)
    if step < start:
        return 1.0
    return max(0.0, (total - step) / max(1, total - start))


def set_threads(n: int) -> None:
    if n > 0:
        torch.set_num_threads(n)


def compile_networks(model: nn.Module, backend: str = "inductor") -> list[str]:
    """``torch.compile`` each generator, discriminator and the feature extractor in place
    (``nn.Module.compile``: parameters and checkpoint names unchanged); returns their names."""
    nets = {**model.generator_nets(), **model.discriminator_nets()}
    if getattr(model, "extractor", None) is not None:
        nets["extractor"] = model.extractor
    for net in nets.values():
        net.compile(backend=backend)
    return list(nets)


@contextmanager
def frozen(params: list[nn.Parameter]):
    """The discriminators' parameters without gradients while the generators learn through them."""
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


class Trainer:
    """Optimizers, schedules, pools, autocast and EMA of ``model``; the lr follows
    ``state.total_steps`` (which ``--minutes`` may change as the run goes)."""

    def __init__(self, cfg: Config, model: nn.Module, d: Dist, state: TrainState, run_dir: str | Path = ""):
        tc, self.cfg, self.model, self.d, self.state = cfg.train, cfg, model, d, state
        self.run_dir, self.skipped = run_dir, 0
        self.g = torch.Generator().manual_seed(tc.seed + d.rank)  # the image pools' draws, per rank
        self.gens, self.discs = model.generator_nets(), model.discriminator_nets()
        self.params_d = [p for net in self.discs.values() for p in net.parameters()]
        fused = True if tc.fused_adam else None
        adam = dict(betas=(tc.beta1, tc.beta2), weight_decay=tc.weight_decay, fused=fused)
        self.lr_g, self.lr_d = tc.lr, tc.lr_d or tc.lr
        self.opt_g = torch.optim.Adam([p for n in self.gens.values() for p in n.parameters()], lr=self.lr_g, **adam)
        self.opt_d = torch.optim.Adam(self.params_d, lr=self.lr_d, **adam) if self.params_d else None
        self.scheds = [torch.optim.lr_scheduler.LambdaLR(o, self.lr_factor) for o in self.optimizers()]
        self.pool_x, self.pool_y = ImagePool(tc.pool_size, self.g), ImagePool(tc.pool_size, self.g)
        self.ema: EMA | None = None  # made by start(), from the final starting weights
        self.autocast = torch.autocast(d.device.type, dtype=torch.bfloat16, enabled=use_bf16(tc.bf16, d.device))
        self.gen_losses = self.disc_losses = None

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [o for o in (self.opt_g, self.opt_d) if o is not None]

    def lr_factor(self, step: int) -> float:
        return lr_factor(step, self.state.total_steps, self.cfg.train.decay_start)

    def nets(self) -> dict[str, nn.Module]:
        """Every network a checkpoint holds: generators, discriminators and the EMA copies."""
        return {**self.gens, **self.discs, **(self.ema.named() if self.ema else {})}

    def start(self, resumed_from: Path | None = None) -> None:
        """Once the weights are final (loaded or initialised): the EMA copies (restored from
        ``resumed_from``'s checkpoint where it holds them; a checkpoint from before train.ema
        starts the average here) and the loss functions wrapped for DDP."""
        if self.cfg.train.ema > 0:
            self.ema = EMA(self.gens, self.cfg.train.ema)
            if resumed_from is not None and set(self.ema.named()) <= stored_nets(resumed_from):
                load_weights(resumed_from, self.ema.named())
        self.gen_losses = averaged(self.gens, self.model.generator_losses, self.d)
        self.disc_losses = averaged(self.discs, self.model.discriminator_losses, self.d) if self.opt_d else None

    def step(self, x: torch.Tensor, y: torch.Tensor, n: int) -> dict[str, torch.Tensor] | None:
        """Step ``n`` (1-based, for messages): one update on batches x, y ((B, C, h, w) in [-1, 1]): the generators on Eq. 6 (D frozen),
        the EMA, then the discriminators on the pooled fakes; the losses named "G/..." and "D/...",
        or None when a non-finite loss skipped the step (``train.skip_nonfinite``)."""
        with frozen(self.params_d):
            with self.autocast:
                losses_g, images = self.gen_losses(x, y)
            if self.nonfinite(losses_g, "generator", n):
                return None
            self.opt_g.zero_grad(set_to_none=True)
            losses_g["total"].backward()
            self.opt_g.step()
        if self.ema is not None:
            self.ema.update()
        losses_d = {}
        if self.opt_d is not None:
            fake_x = self.pool_x.query(images["fake_x"].float())
            fake_y = self.pool_y.query(images["fake_y"].float())
            with self.autocast:
                losses_d = self.disc_losses(x, y, fake_x, fake_y)
            if self.nonfinite(losses_d, "discriminator", n):
                return None
            self.opt_d.zero_grad(set_to_none=True)
            losses_d["total"].backward()
            self.opt_d.step()
        for sched in self.scheds:
            sched.step()
        return {**{f"G/{k}": v for k, v in losses_g.items()}, **{f"D/{k}": v for k, v in losses_d.items()}}

    def nonfinite(self, losses: dict, who: str, n: int) -> bool:
        """True (skip this step) for a NaN / Inf loss while skips remain; else stop with one line."""
        bad = [k for k, v in losses.items() if not torch.isfinite(v.detach()).all()]
        if not self.d.any(bool(bad)):  # all ranks skip or stop together
            return False
        what = f"{who} loss {bad[0]} is {losses[bad[0]].item()}" if bad else f"a {who} loss of another rank is not finite"
        self.skipped += 1
        allowed = self.cfg.train.skip_nonfinite
        if self.skipped <= allowed:
            print(f"step {n}: {what}; step skipped ({self.skipped} of {allowed} allowed)")
            return True
        raise UserError(f"step {n}: {what}; training stopped, the last good checkpoint in {self.run_dir} "
                        "is kept (train.skip_nonfinite allows skipping)")

    def lr(self) -> float:
        return self.opt_g.param_groups[0]["lr"]

    def state_dict(self) -> dict:
        """Optimizer states (this rank's pools and RNGs: ``rank_state``)."""
        return {"opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict() if self.opt_d else None}

    def rank_state(self) -> dict:
        return {"rng": self.g.get_state(), "torch_rng": torch.get_rng_state(),
                "pool_x": [t.cpu() for t in self.pool_x.images], "pool_y": [t.cpu() for t in self.pool_y.images]}

    def load_state_dict(self, state: dict, step: int) -> None:
        """Optimizers, this rank's pools and RNGs, and the lr schedules at ``step``."""
        self.opt_g.load_state_dict(state["opt_g"])
        if self.opt_d is not None:
            self.opt_d.load_state_dict(state["opt_d"])
        ranks = state.get("ranks", [state])
        if len(ranks) != self.d.world:
            raise UserError(f"{self.run_dir} was trained on {len(ranks)} rank(s); resume it with torchrun --nproc_per_node "
                            f"{len(ranks)} (now {self.d.world})")
        mine, device = ranks[self.d.rank], self.d.device
        self.g.set_state(mine["rng"])
        torch.set_rng_state(mine["torch_rng"])
        self.pool_x.images = [t.to(device) for t in mine["pool_x"]]
        self.pool_y.images = [t.to(device) for t in mine["pool_y"]]
        for sched, opt, base in zip(self.scheds, self.optimizers(), (self.lr_g, self.lr_d)):
            sched.last_epoch = step
            for group in opt.param_groups:
                group["lr"] = base * self.lr_factor(step)
