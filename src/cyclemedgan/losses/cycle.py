"""Pixel-wise cycle-consistency loss, Eq. 2 of Armanious et al. 2019 (Zhu et al. 2017)."""
from __future__ import annotations

import torch


def cycle_loss(x: torch.Tensor, x_rec: torch.Tensor, y: torch.Tensor | None = None,
               y_rec: torch.Tensor | None = None) -> torch.Tensor:
    """||x - G2(G1(x))||_1 (+ ||y - G1(G2(y))||_1 when y is given), each a mean over pixels of
    (B, C, H, W) tensors. Eq. 2 is the sum of both directions."""
    out = (x.float() - x_rec.float()).abs().mean()
    if y is not None:
        out = out + (y.float() - y_rec.float()).abs().mean()
    return out
