"""Pixel-wise cycle-consistency loss, Eq. 2 of Armanious et al. 2019 (Zhu et al. 2017)."""
from __future__ import annotations

import torch


def cycle_loss(x: torch.Tensor, x_rec: torch.Tensor, y: torch.Tensor, y_rec: torch.Tensor) -> torch.Tensor:
    """||x - G2(G1(x))||_1 + ||y - G1(G2(y))||_1, each a mean over pixels (B, C, H, W)."""
    return (x.float() - x_rec.float()).abs().mean() + (y.float() - y_rec.float()).abs().mean()
