"""Cycle-perceptual loss, Eq. 3 of Armanious et al. 2019.

L_cPercep = sum_i lambda_cp,i ( ||F_i(x) - F_i(x_rec)||_1 + ||F_i(y) - F_i(y_rec)||_1 ),
with F_i the i-th feature map of the frozen extractor and ||.||_1 the mean absolute error.
"""
from __future__ import annotations

import torch


def cycle_perceptual_loss(
    feats_x: list[torch.Tensor], feats_x_rec: list[torch.Tensor],
    feats_y: list[torch.Tensor], feats_y_rec: list[torch.Tensor],
    weights: tuple[float, ...], direction_weights: tuple[float, float] = (1.0, 1.0),
) -> torch.Tensor:
    """Each list holds one (B, d_i, h_i, w_i) map per layer; ``weights`` one lambda_cp,i each;
    ``direction_weights`` scale the x (X -> Y -> X) and y (Y -> X -> Y) terms (1, 1 in the paper)."""
    if len(weights) != len(feats_x):
        raise ValueError(f"{len(weights)} layer weights for {len(feats_x)} feature layers")
    total = feats_x[0].new_zeros((), dtype=torch.float32)
    for w, fx, fxr, fy, fyr in zip(weights, feats_x, feats_x_rec, feats_y, feats_y_rec):
        if w:
            total = total + w * (direction_weights[0] * (fx.float() - fxr.float()).abs().mean()
                                 + direction_weights[1] * (fy.float() - fyr.float()).abs().mean())
    return total
