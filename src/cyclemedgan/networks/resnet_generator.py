"""ResNet generator of CycleGAN (Zhu et al. 2017, after Johnson et al. 2016).

c7s1-ngf, d2ngf, d4ngf, R4ngf x n_blocks, u2ngf, ungf, c7s1-out: reflection padding, instance
norm, ReLU, tanh output. Input (B, C, H, W) in [-1, 1], any H, W (padded by reflection to a
multiple of 4 inside, cropped back), output (B, C_out, H, W) in [-1, 1].

``global_residual=True`` (not in the paper) predicts a correction: out = clamp(x + G(x), -1, 1).
The last convolution then starts at zero, so training starts from the identity map, which is the
right prior when source and target share a modality (motion correction).

``upsample="deconv"`` is CycleGAN's ConvTranspose2d(k=3, stride=2); its uneven kernel overlap
paints a 2-pixel grid (checkerboard, Odena et al. 2016). ``upsample="resize"`` doubles the size
by nearest-neighbour resampling, then applies a 3x3 convolution: same parameter count, no grid.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from cyclemedgan.config.schema import ModelConfig, choices

UPSAMPLES = choices(ModelConfig, "upsample")  # model.upsample


class ResidualBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3), nn.InstanceNorm2d(ch), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3), nn.InstanceNorm2d(ch),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    def __init__(self, in_channels: int = 1, out_channels: int = 1, ngf: int = 32,
                 n_blocks: int = 6, global_residual: bool = False, upsample: str = "deconv"):
        super().__init__()
        if global_residual and in_channels != out_channels:
            raise ValueError("global_residual needs in_channels == out_channels")
        self.global_residual = global_residual
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, ngf, 7), nn.InstanceNorm2d(ngf), nn.ReLU(True)]
        ch = ngf
        for _ in range(2):
            layers += [nn.Conv2d(ch, ch * 2, 3, stride=2, padding=1), nn.InstanceNorm2d(ch * 2), nn.ReLU(True)]
            ch *= 2
        layers += [ResidualBlock(ch) for _ in range(n_blocks)]
        if upsample not in UPSAMPLES:
            raise ValueError(f"unknown upsample '{upsample}'; valid: {', '.join(UPSAMPLES)}")
        for _ in range(2):
            if upsample == "deconv":
                layers += [nn.ConvTranspose2d(ch, ch // 2, 3, stride=2, padding=1, output_padding=1)]
            else:
                layers += [nn.Upsample(scale_factor=2, mode="nearest"), nn.ReflectionPad2d(1),
                           nn.Conv2d(ch, ch // 2, 3)]
            layers += [nn.InstanceNorm2d(ch // 2), nn.ReLU(True)]
            ch //= 2
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.ReflectionPad2d(3), nn.Conv2d(ch, out_channels, 7))
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                nn.init.zeros_(m.bias)
        if global_residual:
            nn.init.zeros_(self.head[1].weight)

    @property
    def output_conv(self) -> nn.Conv2d:
        """The last convolution (zero at the start with ``global_residual``)."""
        return self.head[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) in [-1, 1] -> (B, C_out, H, W) in [-1, 1]."""
        h, w = x.shape[-2:]
        ph, pw = (-h) % 4, (-w) % 4
        xp = F.pad(x, (0, pw, 0, ph), mode="reflect") if (ph or pw) else x
        out = torch.tanh(self.head(self.body(xp)))[..., :h, :w]
        if self.global_residual:
            return torch.clamp(x + out, -1.0, 1.0)
        return out
