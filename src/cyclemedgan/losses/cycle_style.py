"""Cycle-style loss on Gram matrices, Eqs. 4-5 of Armanious et al. 2019.

Gr_i(x)_{m,n} = 1 / (h_i w_i d_i) * sum_{h,w} F_i(x)_{h,w,m} F_i(x)_{h,w,n}       (Eq. 4)
L_cStyle = sum_i lambda_cs,i / (4 d_i^2) * ( ||Gr_i(x) - Gr_i(x_rec)||_F^2
                                           + ||Gr_i(y) - Gr_i(y_rec)||_F^2 )      (Eq. 5)
The squared Frobenius norm is taken per image and averaged over the batch.
"""
from __future__ import annotations

import torch


def gram_matrix(f: torch.Tensor) -> torch.Tensor:
    """(B, d, h, w) feature map -> (B, d, d) Gram matrix normalised by h*w*d (Eq. 4), float32."""
    b, d, h, w = f.shape
    with torch.autocast(device_type=f.device.type, enabled=False):  # never in bf16
        flat = f.float().reshape(b, d, h * w)
        return flat @ flat.transpose(1, 2) / (h * w * d)


def _frob2(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a - b).pow(2).sum(dim=(1, 2)).mean()


def cycle_style_loss(
    feats_x: list[torch.Tensor], feats_x_rec: list[torch.Tensor],
    feats_y: list[torch.Tensor], feats_y_rec: list[torch.Tensor],
    weights: tuple[float, ...], direction_weights: tuple[float, float] = (1.0, 1.0),
) -> torch.Tensor:
    """Each list holds one (B, d_i, h_i, w_i) map per layer; ``weights`` one lambda_cs,i each;
    ``direction_weights`` scale the x (X -> Y -> X) and y (Y -> X -> Y) terms (1, 1 in the paper)."""
    if len(weights) != len(feats_x):
        raise ValueError(f"{len(weights)} layer weights for {len(feats_x)} feature layers")
    total = feats_x[0].new_zeros((), dtype=torch.float32)
    for w, fx, fxr, fy, fyr in zip(weights, feats_x, feats_x_rec, feats_y, feats_y_rec):
        if w:
            d = fx.shape[1]
            term = (direction_weights[0] * _frob2(gram_matrix(fx), gram_matrix(fxr))
                    + direction_weights[1] * _frob2(gram_matrix(fy), gram_matrix(fyr)))
            total = total + w / (4.0 * d * d) * term
    return total
