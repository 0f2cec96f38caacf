"""The supervised upper bound: the same generator G1 (X -> Y), trained with L1 on co-registered pairs.

Not an unpaired method: it needs each source slice's own target slice (for motion correction,
the training subjects' corrupted slices beside their clean ones). In ``compare`` it tells how
much this network, data and budget allow at all; the unpaired methods are measured against it.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from cyclemedgan.config import LossConfig, ModelConfig
from cyclemedgan.errors import UserError
from cyclemedgan.models.cyclegan import build_generator


class Paired(nn.Module):
    def __init__(self, model_cfg: ModelConfig, loss_cfg: LossConfig):
        super().__init__()
        self.model_cfg, self.loss_cfg = model_cfg, loss_cfg
        self.g1 = build_generator(model_cfg)

    def generator_nets(self) -> dict[str, nn.Module]:
        return {"g1": self.g1}

    def discriminator_nets(self) -> dict[str, nn.Module]:
        return {}

    def translate(self, x: torch.Tensor, direction: str = "AtoB") -> torch.Tensor:
        """(B, 1, H, W) in [-1, 1] -> G1(x); only X -> Y was trained."""
        if direction != "AtoB":
            raise UserError("a 'paired' model was trained for X -> Y (AtoB) only")
        return self.g1(x)

    def generator_losses(self, x: torch.Tensor, y: torch.Tensor) -> tuple[dict, dict]:
        """x (B, 1, H, W) and its co-registered target y, in [-1, 1] -> L1 ||G1(x) - y||_1."""
        fake_y = self.g1(x)
        l1 = (fake_y.float() - y.float()).abs().mean()
        return {"l1": l1, "total": l1}, {"fake_y": fake_y}
