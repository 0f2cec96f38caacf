"""CycleGAN and Cycle-MedGAN objectives (Armanious et al. 2019, Sec. II).

``CycleGAN`` holds G1: X -> Y, G2: Y -> X, D1 (judges Y) and D2 (judges X), and optionally the
frozen feature extractor. It computes named losses; it owns no optimizer. With lambda_cp =
lambda_cs = 0 it is plain CycleGAN; otherwise the generator objective is Eq. 6:

  L = L_adv(G1, D1) + L_adv(G2, D2) + lambda_cP L_cPercep + lambda_cyc L_cyc + lambda_cS L_cStyle

plus the optional identity term lambda_id (||G1(y) - y||_1 + ||G2(x) - x||_1) of Zhu et al. and
the optional feature-matching term lambda_fm (``feature_matching``; off by default).

The cycle terms can weigh their two directions apart (``lambda_cyc_x`` for X -> Y -> X,
``lambda_cyc_y`` for Y -> X -> Y; the perceptual and style terms of each direction are scaled by
the same ratio to lambda_cyc: asking G2 to re-create the exact random ghosts of a corrupted input
is what ties G1 to the identity, in every cycle term), and ``cycle_noise_std`` adds Gaussian noise to G1(x) and G2(y)
before they enter the cycle (Bashkirova et al. 2019): a generator can then no longer hide the
input's exact artifacts in a faint pattern for the other generator to decode (Chu et al. 2017).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from cyclemedgan.config import LossConfig, ModelConfig, choices
from cyclemedgan.errors import UserError
from cyclemedgan.losses.adversarial import gan_loss
from cyclemedgan.losses.cycle import cycle_loss
from cyclemedgan.losses.cycle_perceptual import cycle_perceptual_loss
from cyclemedgan.losses.cycle_style import cycle_style_loss
from cyclemedgan.networks.feature_extractor import FeatureExtractor
from cyclemedgan.networks.patch_discriminator import PatchDiscriminator
from cyclemedgan.networks.resnet_generator import ResnetGenerator
from cyclemedgan.networks.unet_generator import UnetGenerator

GENERATORS = choices(ModelConfig, "generator")
# The ModelConfig fields that fix each generator's weights (what a checkpoint must share to start one).
GENERATOR_FIELDS = {"resnet": ("generator", "in_channels", "ngf", "global_residual", "n_blocks", "upsample"),
                    "unet": ("generator", "in_channels", "ngf", "global_residual", "unet_depth")}
UNIT_FIELDS = ("in_channels", "ngf", "n_blocks", "unit_shared_blocks", "global_residual")  # UNIT's encoders/decoders


def generator_mismatch(here: ModelConfig, there: ModelConfig, unit: bool = False) -> str | None:
    """The first field that fixes the generators' weights (``GENERATOR_FIELDS``, or UNIT's) and
    differs between two model configs, as "model.<field> is <there> there, <here> here"; None if
    a checkpoint of ``there`` can start or join the generators of ``here``."""
    for k in UNIT_FIELDS if unit else GENERATOR_FIELDS[here.generator]:
        if getattr(there, k) != getattr(here, k):
            return f"model.{k} is {getattr(there, k)!r} there, {getattr(here, k)!r} here"
    return None


def build_generator(cfg: ModelConfig) -> nn.Module:
    """The generator of ``cfg.generator`` (see ``GENERATORS``), C -> C channels."""
    if cfg.generator == "unet":
        return UnetGenerator(cfg.in_channels, cfg.in_channels, cfg.ngf, cfg.unet_depth, cfg.global_residual)
    if cfg.generator == "resnet":
        return ResnetGenerator(cfg.in_channels, cfg.in_channels, cfg.ngf, cfg.n_blocks, cfg.global_residual,
                               cfg.upsample)
    raise UserError(f"unknown model.generator '{cfg.generator}'; valid: {', '.join(GENERATORS)}")


def feature_matching(d: PatchDiscriminator, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Mean over D's layers of |channel means of D's features on ``fake`` - those on ``real``|
    (Salimans et al. 2016): a batch statistic, so its gradient keeps one direction from batch to
    batch where the per-patch adversarial gradient may not. The real side is a fixed target."""
    fs, rs = d.features(fake), d.features(real)
    return sum((f.mean(dim=(0, 2, 3)) - r.detach().mean(dim=(0, 2, 3))).abs().mean() for f, r in zip(fs, rs)) / len(fs)


def cycle_weights(lc: LossConfig) -> tuple[float, float]:
    """(weight of X -> Y -> X, weight of Y -> X -> Y): each lambda_cyc unless set (>= 0)."""
    return (lc.lambda_cyc if lc.lambda_cyc_x < 0 else lc.lambda_cyc_x,
            lc.lambda_cyc if lc.lambda_cyc_y < 0 else lc.lambda_cyc_y)


class CycleGAN(nn.Module):
    def __init__(self, model_cfg: ModelConfig, loss_cfg: LossConfig, extractor: FeatureExtractor | None = None):
        super().__init__()
        self.model_cfg, self.loss_cfg = model_cfg, loss_cfg
        self.g1, self.g2 = build_generator(model_cfg), build_generator(model_cfg)
        self.d1 = PatchDiscriminator(model_cfg.in_channels, model_cfg.ndf, model_cfg.n_layers_d, model_cfg.d_norm)
        self.d2 = PatchDiscriminator(model_cfg.in_channels, model_cfg.ndf, model_cfg.n_layers_d, model_cfg.d_norm)
        if self.uses_features and extractor is None:
            raise ValueError("lambda_cp or lambda_cs > 0 needs a feature extractor")
        self.extractor = extractor if self.uses_features else None
        self.real_features_no_grad = True

    @property
    def uses_features(self) -> bool:
        return self.loss_cfg.lambda_cp > 0 or self.loss_cfg.lambda_cs > 0

    def generator_nets(self) -> dict[str, nn.Module]:
        return {"g1": self.g1, "g2": self.g2}

    def discriminator_nets(self) -> dict[str, nn.Module]:
        return {"d1": self.d1, "d2": self.d2}

    def translate(self, x: torch.Tensor, direction: str = "AtoB") -> torch.Tensor:
        """(B, 1, H, W) in [-1, 1]: AtoB applies G1 (X -> Y), BtoA applies G2 (Y -> X)."""
        return (self.g1 if direction == "AtoB" else self.g2)(x)

    def generator_losses(self, x: torch.Tensor, y: torch.Tensor) -> tuple[dict, dict]:
        """x (B, 1, H, W) from X, y (B, 1, H, W) from Y, unpaired, in [-1, 1].

        Returns (losses, images): losses holds each weighted term and ``total``; images holds
        fake_y = G1(x), fake_x = G2(y), rec_x = G2(G1(x)), rec_y = G1(G2(y))."""
        lc, mode = self.loss_cfg, self.model_cfg.gan_mode
        fake_y, fake_x = self.g1(x), self.g2(y)
        if lc.cycle_noise_std > 0:
            rec_x = self.g2(fake_y + lc.cycle_noise_std * torch.randn_like(fake_y))
            rec_y = self.g1(fake_x + lc.cycle_noise_std * torch.randn_like(fake_x))
        else:
            rec_x, rec_y = self.g2(fake_y), self.g1(fake_x)
        wx, wy = cycle_weights(lc)
        losses = {
            "adv_g1": gan_loss(self.d1(fake_y), True, mode),
            "adv_g2": gan_loss(self.d2(fake_x), True, mode),
            "cycle": (wx * cycle_loss(x, rec_x) + wy * cycle_loss(y, rec_y)).float(),
        }
        if lc.lambda_fm > 0:
            losses["feature_matching"] = lc.lambda_fm * (feature_matching(self.d1, fake_y, y)
                                                         + feature_matching(self.d2, fake_x, x)).float()
        if lc.lambda_id > 0:
            losses["identity"] = lc.lambda_id * ((self.g1(y) - y).abs().mean() + (self.g2(x) - x).abs().mean()).float()
        if self.uses_features:
            b, c = x.shape[0], x.shape[1] // 2  # 2.5D stacks: the extractor sees the centre slice
            if self.real_features_no_grad:  # the real inputs' features are constants: no backward through them
                with torch.no_grad():
                    fx, fy = zip(*(f.split(b) for f in self.extractor(torch.cat([x, y])[:, c:c + 1])))
                fxr, fyr = zip(*(f.split(b) for f in self.extractor(torch.cat([rec_x, rec_y])[:, c:c + 1])))
            else:  # one pass over all four (the older path; bench/step_time.py compares the two)
                feats = self.extractor(torch.cat([x, rec_x, y, rec_y])[:, c:c + 1])
                fx, fxr, fy, fyr = zip(*(f.split(b) for f in feats))
            dirs = (wx / lc.lambda_cyc, wy / lc.lambda_cyc) if lc.lambda_cyc > 0 else (1.0, 1.0)
            if lc.lambda_cp > 0:
                losses["cycle_perceptual"] = lc.lambda_cp * cycle_perceptual_loss(
                    list(fx), list(fxr), list(fy), list(fyr), lc.layer_weights_cp, dirs)
            if lc.lambda_cs > 0:
                losses["cycle_style"] = lc.lambda_cs * cycle_style_loss(
                    list(fx), list(fxr), list(fy), list(fyr), lc.layer_weights_cs, dirs)
        losses["total"] = sum(losses.values())
        images = {"fake_y": fake_y, "fake_x": fake_x, "rec_x": rec_x, "rec_y": rec_y}
        return losses, images

    def discriminator_losses(self, x: torch.Tensor, y: torch.Tensor,
                             fake_x: torch.Tensor, fake_y: torch.Tensor) -> dict:
        """Real x, y and (pooled, detached) fakes -> D1 and D2 losses, each halved as in Zhu et al."""
        mode = self.model_cfg.gan_mode
        d1 = 0.5 * (gan_loss(self.d1(y), True, mode) + gan_loss(self.d1(fake_y.detach()), False, mode))
        d2 = 0.5 * (gan_loss(self.d2(x), True, mode) + gan_loss(self.d2(fake_x.detach()), False, mode))
        return {"d1": d1, "d2": d2, "total": d1 + d2}
