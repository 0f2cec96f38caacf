"""Adversarial losses. ``lsgan`` (least squares, Mao et al. 2017) is the default, as in
CycleGAN's own code: its gradients do not vanish for confidently rejected fakes, which
stabilises training from scratch. ``vanilla`` is the log loss of Eq. 1 (Armanious et al. 2019),
implemented with logits (binary cross-entropy with logits).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from cyclemedgan.config.schema import ModelConfig, choices

GAN_MODES = choices(ModelConfig, "gan_mode")


def gan_loss(scores: torch.Tensor, real: bool, mode: str = "lsgan") -> torch.Tensor:
    """Mean loss of discriminator ``scores`` (B, 1, H', W') against the label real/fake."""
    target = torch.full_like(scores, 1.0 if real else 0.0)
    if mode == "lsgan":
        return F.mse_loss(scores.float(), target.float())
    if mode == "vanilla":
        return F.binary_cross_entropy_with_logits(scores.float(), target.float())
    raise ValueError(f"unknown gan_mode '{mode}'; valid: {', '.join(GAN_MODES)}")
