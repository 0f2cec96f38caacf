"""UNIT networks (Liu, Breuel & Kautz 2017): coupled VAE-GANs with a shared latent space.

Weight sharing as the UNIT paper describes it (its public code dropped it): the *last* residual
blocks of the two encoders are one module (``SharedBlocks``) used by both domains, and so are the
*first* residual blocks of the two decoders. Encoder: c7s1-ngf, d2ngf, d4ngf, private residual
blocks, shared residual blocks -> latent mean (B, 4 ngf, H/4, W/4); the latent is mu + N(0, I)
(unit variance, as in UNIT). Decoder: shared residual blocks, private residual blocks, u2ngf,
ungf, c7s1-1, tanh; with ``residual`` the decoder of an image u's latent predicts a correction,
clamp(u + tanh(.), -1, 1), its last convolution starting at zero (as ``global_residual`` in the
other generators: translation starts at the identity map). Discriminators: multi-scale
(``n_scales`` PatchGANs on 1x, 1/2x, 1/4x input).
Any input size: padded by reflection to a multiple of 4 inside, cropped back.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from cyclemedgan.networks.resnet_generator import ResidualBlock


def _init(module: nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)


class SharedBlocks(nn.Module):
    """Residual blocks whose one set of parameters serves both domains."""

    def __init__(self, ch: int, n: int):
        super().__init__()
        self.blocks = nn.Sequential(*[ResidualBlock(ch) for _ in range(n)])

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.blocks(h)


class UNITEncoder(nn.Module):
    """(B, C, H, W) in [-1, 1] -> latent mean (B, 4 ngf, H/4, W/4), through ``shared`` last."""

    def __init__(self, in_channels: int, ngf: int, n_private: int, shared: SharedBlocks):
        super().__init__()
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, ngf, 7), nn.InstanceNorm2d(ngf), nn.ReLU(True)]
        ch = ngf
        for _ in range(2):
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1), nn.InstanceNorm2d(ch * 2), nn.ReLU(True)]
            ch *= 2
        layers += [ResidualBlock(ch) for _ in range(n_private)]
        self.private = nn.Sequential(*layers)
        self.shared = shared
        _init(self.private)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shared(self.private(x))


class UNITDecoder(nn.Module):
    """Latent (B, 4 ngf, H/4, W/4) -> (B, C, H, W) in [-1, 1], through ``shared`` first; with
    ``residual``, ``forward(z, base)`` returns clamp(base + tanh(.), -1, 1), base the image that
    was encoded (B, C, H, W)."""

    def __init__(self, out_channels: int, ngf: int, n_private: int, shared: SharedBlocks,
                 residual: bool = False):
        super().__init__()
        self.shared = shared
        ch = ngf * 4
        layers: list[nn.Module] = [ResidualBlock(ch) for _ in range(n_private)]
        for _ in range(2):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1), nn.InstanceNorm2d(ch // 2), nn.ReLU(True)]
            ch //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ch, out_channels, 7), nn.Tanh()]
        self.private = nn.Sequential(*layers)
        self.residual = residual
        _init(self.private)
        if residual:
            last = layers[-2]
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)

    def forward(self, z: torch.Tensor, base: torch.Tensor | None = None) -> torch.Tensor:
        out = self.private(self.shared(z))
        if not self.residual:
            return out
        if base is None:
            raise ValueError("a residual UNIT decoder needs the encoded image as base")
        return torch.clamp(base + out, -1.0, 1.0)


class MultiScaleDiscriminator(nn.Module):
    """``n_scales`` PatchGANs (4x4 convs, LeakyReLU 0.2) on the image at 1, 1/2, 1/4 ... scale.
    (B, C, H, W) -> list of (B, 1, h_s, w_s) raw scores."""

    def __init__(self, in_channels: int = 1, ndf: int = 64, n_layers: int = 3, n_scales: int = 3):
        super().__init__()
        nets = []
        for _ in range(n_scales):
            layers, ch = [nn.Conv2d(in_channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)], ndf
            for _ in range(n_layers - 1):
                layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1), nn.LeakyReLU(0.2, True)]
                ch *= 2
            layers += [nn.Conv2d(ch, 1, 1)]
            nets.append(nn.Sequential(*layers))
        self.nets = nn.ModuleList(nets)
        _init(self)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        out = []
        for i, net in enumerate(self.nets):
            if i:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            out.append(net(x))
        return out


def pad_to_multiple(x: torch.Tensor, m: int = 4) -> tuple[torch.Tensor, tuple[int, int]]:
    h, w = x.shape[-2:]
    ph, pw = (-h) % m, (-w) % m
    return (F.pad(x, (0, pw, 0, ph), mode="reflect") if (ph or pw) else x), (h, w)
