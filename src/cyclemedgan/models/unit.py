"""UNIT objective (Liu, Breuel & Kautz 2017), a baseline of Armanious et al. 2019.

Domains X and Y share a latent space: E_x, E_y encode (last blocks shared), G_x, G_y decode (first
blocks shared). Generator objective with the UNIT paper's weights (``UNITLossConfig``):

  gan (1):          LS-GAN on G_y(E_x(x)) by D_y and on G_x(E_y(y)) by D_x
  recon (10):       ||G_x(E_x(x)) - x||_1 + ||G_y(E_y(y)) - y||_1           (VAE reconstruction)
  kl (0.01):        mean(mu^2): KL(q(z|x) || N(0, I)) for unit-variance posteriors, up to a
                    constant and a factor 1/2 (as in UNIT's code), both domains
  cycle recon (10): ||G_x(E_y(G_y(E_x(x)))) - x||_1 + the same for y
  cycle kl (0.01):  KL of the re-encoded translations

With ``model.global_residual`` every decoding adds the image that was encoded (``UNITDecoder``):
translation starts at the identity map, as the other methods' residual generators do.

With ``unit.paired`` (UNIT's own start, trained on co-registered pairs, e.g. simulated motion):
  recon (10) and kl (0.01) as above, plus paired (10): ||G_y(E_x(x)) - y||_1 + ||G_x(E_y(y)) - x||_1
  on each x and its own y; no discriminators.

No VGG term (nothing may download weights). Holds networks and returns named losses; the trainer
owns the optimizers (Adam lr 1e-4, betas 0.5/0.999, weight decay 1e-4 in the UNIT config).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from cyclemedgan.config import ModelConfig, UNITLossConfig
from cyclemedgan.losses.adversarial import gan_loss
from cyclemedgan.networks.unit import (
    MultiScaleDiscriminator,
    SharedBlocks,
    UNITDecoder,
    UNITEncoder,
    pad_to_multiple,
)


def _kl(mu: torch.Tensor) -> torch.Tensor:
    """KL term of a unit-variance Gaussian posterior up to constants, as UNIT's code: mean(mu^2)."""
    return mu.float().pow(2).mean()


class UNIT(nn.Module):
    def __init__(self, model_cfg: ModelConfig, loss_cfg: UNITLossConfig):
        super().__init__()
        self.model_cfg, self.loss_cfg = model_cfg, loss_cfg
        c, ngf = model_cfg.in_channels, model_cfg.ngf
        n_shared = model_cfg.unit_shared_blocks
        n_private = model_cfg.n_blocks - n_shared
        if n_shared < 1 or n_private < 0:
            raise ValueError(f"UNIT needs 1 <= unit_shared_blocks <= n_blocks, got {n_shared}, {model_cfg.n_blocks}")
        self.enc_shared = SharedBlocks(ngf * 4, n_shared)
        self.dec_shared = SharedBlocks(ngf * 4, n_shared)
        self.enc_x = UNITEncoder(c, ngf, n_private, self.enc_shared)
        self.enc_y = UNITEncoder(c, ngf, n_private, self.enc_shared)
        res = model_cfg.global_residual
        self.dec_x = UNITDecoder(c, ngf, n_private, self.dec_shared, res)
        self.dec_y = UNITDecoder(c, ngf, n_private, self.dec_shared, res)
        self.d_x = MultiScaleDiscriminator(c, model_cfg.ndf, model_cfg.n_layers_d, model_cfg.n_scales_d)
        self.d_y = MultiScaleDiscriminator(c, model_cfg.ndf, model_cfg.n_layers_d, model_cfg.n_scales_d)

    def generator_nets(self) -> dict[str, nn.Module]:
        """Every parameter once: the shared blocks are saved under their own names."""
        return {"enc_x": self.enc_x.private, "enc_y": self.enc_y.private, "enc_shared": self.enc_shared,
                "dec_x": self.dec_x.private, "dec_y": self.dec_y.private, "dec_shared": self.dec_shared}

    def discriminator_nets(self) -> dict[str, nn.Module]:
        return {} if self.loss_cfg.paired else {"d_x": self.d_x, "d_y": self.d_y}

    def _noise(self, mu: torch.Tensor) -> torch.Tensor:
        return mu + torch.randn_like(mu) if self.training else mu

    def translate(self, x: torch.Tensor, direction: str = "AtoB") -> torch.Tensor:
        """(B, 1, H, W) in [-1, 1]: AtoB = G_y(E_x(x)) (X -> Y), BtoA = G_x(E_y(x))."""
        xp, (h, w) = pad_to_multiple(x)
        enc, dec = (self.enc_x, self.dec_y) if direction == "AtoB" else (self.enc_y, self.dec_x)
        return dec(enc(xp), xp)[..., :h, :w]

    def generator_losses(self, x: torch.Tensor, y: torch.Tensor) -> tuple[dict, dict]:
        """x (B, 1, H, W) from X, y from Y (H, W multiples of 4), unpaired, in [-1, 1]."""
        lc, mode = self.loss_cfg, self.model_cfg.gan_mode
        mu_x, mu_y = self.enc_x(x), self.enc_y(y)
        z_x, z_y = self._noise(mu_x), self._noise(mu_y)
        rec_x, rec_y = self.dec_x(z_x, x), self.dec_y(z_y, y)
        fake_y, fake_x = self.dec_y(z_x, x), self.dec_x(z_y, y)
        if lc.paired:  # y is x's own co-registered target
            losses = {
                "recon": lc.recon * ((rec_x - x).abs().mean() + (rec_y - y).abs().mean()).float(),
                "kl": lc.kl * (_kl(mu_x) + _kl(mu_y)),
                "paired": lc.recon * ((fake_y - y).abs().mean() + (fake_x - x).abs().mean()).float(),
            }
            losses["total"] = sum(losses.values())
            return losses, {"fake_y": fake_y, "fake_x": fake_x}
        mu_x2, mu_y2 = self.enc_y(fake_y), self.enc_x(fake_x)
        cyc_x, cyc_y = self.dec_x(self._noise(mu_x2), fake_y), self.dec_y(self._noise(mu_y2), fake_x)
        adv = sum(gan_loss(s, True, mode) for s in self.d_y(fake_y)) + \
            sum(gan_loss(s, True, mode) for s in self.d_x(fake_x))
        losses = {
            "adv": lc.gan * adv,
            "recon": lc.recon * ((rec_x - x).abs().mean() + (rec_y - y).abs().mean()).float(),
            "kl": lc.kl * (_kl(mu_x) + _kl(mu_y)),
            "cycle_recon": lc.cycle_recon * ((cyc_x - x).abs().mean() + (cyc_y - y).abs().mean()).float(),
            "cycle_kl": lc.cycle_kl * (_kl(mu_x2) + _kl(mu_y2)),
        }
        losses["total"] = sum(losses.values())
        return losses, {"fake_y": fake_y, "fake_x": fake_x, "rec_x": cyc_x, "rec_y": cyc_y}

    def discriminator_losses(self, x: torch.Tensor, y: torch.Tensor,
                             fake_x: torch.Tensor, fake_y: torch.Tensor) -> dict:
        if self.loss_cfg.paired:
            raise RuntimeError("a paired UNIT start has no discriminators")
        mode = self.model_cfg.gan_mode
        dx = sum(gan_loss(s, True, mode) for s in self.d_x(x)) + \
            sum(gan_loss(s, False, mode) for s in self.d_x(fake_x.detach()))
        dy = sum(gan_loss(s, True, mode) for s in self.d_y(y)) + \
            sum(gan_loss(s, False, mode) for s in self.d_y(fake_y.detach()))
        return {"d_x": dx, "d_y": dy, "total": self.loss_cfg.gan * (dx + dy)}
