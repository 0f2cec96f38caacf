"""An exponential moving average of the generators' weights (``train.ema``, the decay; 0 = off).

After every generator update each EMA weight moves towards the trained one:
``w_ema <- decay * w_ema + (1 - decay) * w`` (Polyak averaging, as in progressive GANs and most
image-to-image trainers since). The average is smoother than the last iterate, so its tune curve
swings less and its best checkpoint is often better. The EMA copies are checkpointed beside the
generators (``ema_g1``, ``ema_g2``: a run resumes with them), scored on the tune subjects in
place of the trained weights, and written to ``best/`` under the generators' own names, so
``export`` and ``translate`` use them without knowing.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager

import torch
import torch.nn as nn


class EMA:
    """EMA copies of ``nets`` (name -> generator); ``update()`` after each optimizer step."""

    def __init__(self, nets: dict[str, nn.Module], decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        self.nets, self.decay = nets, decay
        self.copies = {name: copy.deepcopy(net).requires_grad_(False) for name, net in nets.items()}

    def named(self) -> dict[str, nn.Module]:
        """The EMA copies under checkpoint names ``ema_<name>``."""
        return {f"ema_{name}": net for name, net in self.copies.items()}

    @torch.no_grad()
    def update(self) -> None:
        for name, net in self.nets.items():
            ema = self.copies[name]
            live = [p.detach() for p in net.parameters()]
            avg = list(ema.parameters())
            torch._foreach_lerp_(avg, live, 1.0 - self.decay)
            for b_ema, b in zip(ema.buffers(), net.buffers()):
                b_ema.copy_(b)

    @contextmanager
    def swapped(self):
        """Within the block the trained nets hold the EMA weights (their tensors swapped, no copy)."""
        self._swap()
        try:
            yield
        finally:
            self._swap()

    def _swap(self) -> None:
        for name, net in self.nets.items():
            for p, q in zip(net.parameters(), self.copies[name].parameters()):
                p.data, q.data = q.data, p.data
            for b, c in zip(net.buffers(), self.copies[name].buffers()):
                b.data, c.data = c.data, b.data
