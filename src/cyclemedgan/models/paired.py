"""The supervised upper bound: the same generator G1 (X -> Y), trained with L1 on co-registered pairs.

Not an unpaired method: it needs each source slice's own target slice (for motion correction,
the training subjects' corrupted slices beside their clean ones). In ``compare`` it tells how
much this network, data and budget allow at all; the unpaired methods are measured against it.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from cyclemedgan.config import ModelConfig, PairedConfig
from cyclemedgan.errors import UserError
from cyclemedgan.models.cyclegan import build_generator


class Paired(nn.Module):
    """G1 (and with ``paired.g2`` also G2: Y -> X) trained with L1 on co-registered pairs."""

    def __init__(self, model_cfg: ModelConfig, pairing: PairedConfig):
        super().__init__()
        self.model_cfg, self.pairing = model_cfg, pairing
        self.g1 = build_generator(model_cfg)
        self.g2 = build_generator(model_cfg) if pairing.g2 else None

    def generator_nets(self) -> dict[str, nn.Module]:
        return {"g1": self.g1} if self.g2 is None else {"g1": self.g1, "g2": self.g2}

    def discriminator_nets(self) -> dict[str, nn.Module]:
        return {}

    def translate(self, x: torch.Tensor, direction: str = "AtoB") -> torch.Tensor:
        """(B, 1, H, W) in [-1, 1] -> G1(x); only X -> Y was trained."""
        if direction == "BtoA" and self.g2 is not None:
            return self.g2(x)
        if direction != "AtoB":
            raise UserError("a 'paired' model was trained for X -> Y (AtoB) only")
        return self.g1(x)

    def generator_losses(self, x: torch.Tensor, y: torch.Tensor) -> tuple[dict, dict]:
        """x (B, 1, H, W) and its co-registered target y, in [-1, 1] -> L1 ||G1(x) - y||_1
        (+ ||G2(y) - x||_1 with ``paired.g2``)."""
        fake_y = self.g1(x)
        l1 = (fake_y.float() - y.float()).abs().mean()
        if self.g2 is None:
            return {"l1": l1, "total": l1}, {"fake_y": fake_y}
        fake_x = self.g2(y)
        l1_g2 = (fake_x.float() - x.float()).abs().mean()
        return {"l1": l1, "l1_g2": l1_g2, "total": l1 + l1_g2}, {"fake_y": fake_y, "fake_x": fake_x}
