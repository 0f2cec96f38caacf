"""70x70 PatchGAN discriminator (Isola et al. 2017; used by CycleGAN).

C64-C128-C256-C512 (4x4 convs, stride 2 but the last, instance norm from the second, LeakyReLU
0.2), then a 1-channel 4x4 conv: (B, C, H, W) -> (B, 1, H', W') raw scores, each judging a 70x70
patch with n_layers=3 (n_layers=2: 34x34). No sigmoid: the loss decides (least squares or log loss).

``norm="spectral"`` replaces instance norm by spectral normalisation of every convolution
(Miyato et al. 2018): each layer 1-Lipschitz, so the discriminator cannot grow arbitrarily sharp
and keeps giving the generators useful gradients.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from cyclemedgan.config.schema import ModelConfig, choices

NORMS = choices(ModelConfig, "d_norm")  # model.d_norm


class PatchDiscriminator(nn.Module):
    def __init__(self, in_channels: int = 1, ndf: int = 64, n_layers: int = 3, norm: str = "instance"):
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"unknown norm '{norm}'; valid: {', '.join(NORMS)}")
        convs = [nn.Conv2d(in_channels, ndf, 4, 2, 1)]
        layers = [convs[-1], nn.LeakyReLU(0.2, True)]
        ch = ndf
        for i in range(1, n_layers + 1):
            nxt = ndf * min(2**i, 8)
            stride = 2 if i < n_layers else 1
            convs.append(nn.Conv2d(ch, nxt, 4, stride, 1))
            layers += [convs[-1]] + ([nn.InstanceNorm2d(nxt)] if norm == "instance" else []) + [nn.LeakyReLU(0.2, True)]
            ch = nxt
        convs.append(nn.Conv2d(ch, 1, 4, 1, 1))
        layers.append(convs[-1])
        for m in convs:
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)
        if norm == "spectral":
            layers = [nn.utils.spectral_norm(m) if isinstance(m, nn.Conv2d) else m for m in layers]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) in [-1, 1] -> (B, 1, H', W') patch scores (logits)."""
        return self.net(x)

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The activations after each LeakyReLU, (B, C_i, H_i, W_i): what feature matching
        (Salimans et al. 2016) compares between real and generated images."""
        out = []
        for m in self.net:
            x = m(x)
            if isinstance(m, nn.LeakyReLU):
                out.append(x)
        return out
