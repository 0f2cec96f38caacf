"""The supervised upper bound: the same generator G1 (X -> Y), trained with L1 on co-registered pairs.

Not an unpaired method: it needs each source slice's own target slice (for motion correction,
the training subjects' corrupted slices beside their clean ones). In ``compare`` it tells how
much this network, data and budget allow at all; the unpaired methods are measured against it.
"""
from __future__ import annotations

import torch
import torch.nn as nn
from torchmetrics.functional.image import structural_similarity_index_measure

from cyclemedgan.config import ModelConfig, PairedConfig
from cyclemedgan.errors import UserError
from cyclemedgan.models.cyclegan import build_generator


class Paired(nn.Module):
    """G1 (and with ``paired.g2`` also G2: Y -> X) trained with L1 on co-registered pairs."""

    def __init__(self, model_cfg: ModelConfig, pairing: PairedConfig, weight_above: float | None = None):
        """``weight_above``: ``pairing.weight_above`` in the target's [-1, 1] units (None: plain L1)."""
        super().__init__()
        self.model_cfg, self.pairing, self.weight_above = model_cfg, pairing, weight_above
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

    def _l1(self, fake_y: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean |G1(x) - y|; with ``paired.target_weight`` w > 1, target voxels at or above the
        threshold weigh w: sum(w_i |d_i|) / sum(w_i), so a target without them gives plain L1."""
        d = (fake_y.float() - y.float()).abs()
        if self.weight_above is None:
            return d.mean()
        w = 1.0 + (self.pairing.target_weight - 1.0) * (y.float() >= self.weight_above).float()
        return (w * d).sum() / w.sum()

    def _structure(self, fake_y: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """1 - SSIM(G1(x), y) on (B, C, H, W) slices in [-1, 1] (data range 2), in [0, 2]; 0 when equal."""
        with torch.autocast(fake_y.device.type, enabled=False):  # E[x^2] - E[x]^2 cancels in bf16
            return 1.0 - structural_similarity_index_measure(fake_y.float(), y.float(), data_range=2.0)

    def generator_losses(self, x: torch.Tensor, y: torch.Tensor) -> tuple[dict, dict]:
        """x (B, 1, H, W) and its co-registered target y, in [-1, 1] -> L1 ||G1(x) - y||_1 (weighted
        by ``paired.target_weight`` where y is at or above the threshold), or with ``paired.ssim_weight``
        alpha > 0 (1 - alpha) L1 + alpha (1 - SSIM) (+ ||G2(y) - x||_1 with ``paired.g2``)."""
        fake_y = self.g1(x)
        l1 = self._l1(fake_y, y)
        losses = {"l1": l1}
        g1 = l1
        if self.pairing.ssim_weight > 0:
            a = self.pairing.ssim_weight
            losses["ssim"] = self._structure(fake_y, y)
            g1 = (1.0 - a) * l1 + a * losses["ssim"]
        if self.g2 is None:
            return {**losses, "total": g1}, {"fake_y": fake_y}
        fake_x = self.g2(y)
        l1_g2 = (fake_x.float() - x.float()).abs().mean()
        return {**losses, "l1_g2": l1_g2, "total": g1 + l1_g2}, {"fake_y": fake_y, "fake_x": fake_x}
