"""BiGAN (Donahue et al. 2017): encoder E: x -> z, generator G: z -> x, discriminator D(x, z).

Its discriminator's x-path is the frozen feature extractor of Cycle-MedGAN (Armanious et al.
2019, Sec. III): ``BiGANDiscriminator.features(x)`` returns the intermediate feature maps F_i(x)
used by the cycle-perceptual (Eq. 3) and cycle-style (Eqs. 4-5) losses. The x-path is fully
convolutional, so features exist for any input size; the joint head that needs a fixed size is
used only while the BiGAN is trained.
"""
from __future__ import annotations

import torch
import torch.nn as nn


def _down(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 4, 2, 1), nn.LeakyReLU(0.2, True)]


class BiGANEncoder(nn.Module):
    """(B, 1, S, S) in [-1, 1] -> (B, latent_dim)."""

    def __init__(self, image_size: int, latent_dim: int, width: int):
        super().__init__()
        layers, ch = [], 1
        for i in range(4):
            layers += [nn.Conv2d(ch, width * 2**i, 4, 2, 1), nn.BatchNorm2d(width * 2**i), nn.LeakyReLU(0.2, True)]
            ch = width * 2**i
        self.conv = nn.Sequential(*layers)
        self.fc = nn.Linear(ch * (image_size // 16) ** 2, latent_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.conv(x).flatten(1))


class BiGANGenerator(nn.Module):
    """(B, latent_dim) -> (B, 1, S, S) in [-1, 1]."""

    def __init__(self, image_size: int, latent_dim: int, width: int):
        super().__init__()
        self.s0, self.c0 = image_size // 16, width * 8
        self.fc = nn.Sequential(nn.Linear(latent_dim, self.c0 * self.s0**2), nn.ReLU(True))
        layers, ch = [], self.c0
        for _ in range(3):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1), nn.BatchNorm2d(ch // 2), nn.ReLU(True)]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, 1, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(self.fc(z).view(-1, self.c0, self.s0, self.s0))


class BiGANDiscriminator(nn.Module):
    """D(x, z) -> logit. x-path: four 4x4 stride-2 convs (width, 2w, 4w, 8w channels) with
    LeakyReLU; ``features(x)`` returns their four outputs, (B, w*2^i, H/2^(i+1), W/2^(i+1))."""

    def __init__(self, image_size: int, latent_dim: int, width: int):
        super().__init__()
        chans = [1] + [width * 2**i for i in range(4)]
        self.x_path = nn.ModuleList(nn.Sequential(*_down(a, b)) for a, b in zip(chans[:-1], chans[1:]))
        self.z_path = nn.Sequential(nn.Linear(latent_dim, 256), nn.LeakyReLU(0.2, True))
        self.joint = nn.Sequential(
            nn.Dropout(0.2), nn.Linear(chans[-1] * (image_size // 16) ** 2 + 256, 512),
            nn.LeakyReLU(0.2, True), nn.Linear(512, 1),
        )

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """(B, 1, H, W) in [-1, 1] -> [F_1(x), ..., F_4(x)] (see class docstring)."""
        feats = []
        for layer in self.x_path:
            x = layer(x)
            feats.append(x)
        return feats

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        hx = self.features(x)[-1].flatten(1)
        return self.joint(torch.cat([hx, self.z_path(z)], dim=1))


class BiGAN(nn.Module):
    def __init__(self, image_size: int = 128, latent_dim: int = 64, width: int = 32):
        super().__init__()
        if image_size % 16:
            raise ValueError(f"BiGAN image_size must be a multiple of 16, got {image_size}")
        self.encoder = BiGANEncoder(image_size, latent_dim, width)
        self.generator = BiGANGenerator(image_size, latent_dim, width)
        self.discriminator = BiGANDiscriminator(image_size, latent_dim, width)
