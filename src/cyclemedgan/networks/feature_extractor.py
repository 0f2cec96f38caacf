"""The frozen feature extractor of Cycle-MedGAN: a pre-trained BiGAN discriminator's x-path.

Parameters never train (requires_grad False, eval mode), but the graph is kept, so the
cycle-perceptual and cycle-style losses send gradients through it to the generators.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from cyclemedgan.networks.bigan import BiGANDiscriminator


class FeatureExtractor(nn.Module):
    def __init__(self, discriminator: BiGANDiscriminator):
        super().__init__()
        self.x_path = discriminator.x_path
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> "FeatureExtractor":
        return super().train(False)  # always frozen

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """(B, 1, H, W) in [-1, 1] -> four maps (B, d_i, H/2^i, W/2^i), i = 1..4."""
        feats = []
        for layer in self.x_path:
            x = layer(x)
            feats.append(x)
        return feats
