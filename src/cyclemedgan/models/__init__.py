"""Translation models by name: each holds its networks, returns named losses from
``generator_losses(x, y)`` / ``discriminator_losses(x, y, fake_x, fake_y)``, lists its networks in
``generator_nets()`` / ``discriminator_nets()`` and maps images with ``translate(x, direction)``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from cyclemedgan.config import Config, choices, replace
from cyclemedgan.errors import UserError
from cyclemedgan.models.cyclegan import CycleGAN, build_generator
from cyclemedgan.models.paired import Paired
from cyclemedgan.models.unit import UNIT

METHODS = choices(Config, "method")


def build_model(cfg: Config, inference: bool = False):
    """The model of ``cfg.method``. ``inference=True`` skips the feature extractor (only the
    training losses need it)."""
    if cfg.method not in METHODS:
        raise UserError(f"unknown method '{cfg.method}'; valid: {', '.join(METHODS)}")
    if cfg.method == "unit":
        return UNIT(cfg.model, cfg.unit)
    if cfg.method == "paired":
        return Paired(cfg.model, cfg.paired, _weight_above(cfg))
    loss = cfg.loss
    if cfg.method == "cyclegan" and (loss.lambda_cp or loss.lambda_cs):
        raise UserError("method 'cyclegan' is Cycle-MedGAN without its feature losses: "
                        "set loss.lambda_cp=0 and loss.lambda_cs=0 (or method cyclemedgan)")
    if inference:
        loss = replace(cfg, loss={"lambda_cp": 0.0, "lambda_cs": 0.0}).loss
    extractor = None
    if loss.lambda_cp > 0 or loss.lambda_cs > 0:
        from cyclemedgan.checkpoint import load_extractor

        if not Path(loss.extractor).is_dir():
            raise UserError(f"feature extractor not found: {loss.extractor} "
                            "(train one with 'cyclemedgan pretrain-extractor' or set loss.extractor)")
        extractor = load_extractor(loss.extractor)
    return CycleGAN(cfg.model, loss, extractor)


class OneGenerator(nn.Module):
    """The one generator a translation uses (G1 for AtoB, G2 for BtoA), under its checkpoint name."""

    def __init__(self, net: nn.Module, name: str):
        super().__init__()
        self.net, self.name = net, name

    def generator_nets(self) -> dict[str, nn.Module]:
        return {self.name: self.net}

    def translate(self, x: torch.Tensor, direction: str = "AtoB") -> torch.Tensor:
        return self.net(x)


def build_for_translation(cfg: Config, direction: str, stored: set[str]) -> nn.Module:
    """What ``translate`` runs: the generator of ``direction`` alone (no discriminator, no other
    generator, no feature extractor), or UNIT's encoders and decoders. ``stored``: the network
    names in the checkpoint (a paired run without ``paired.g2`` has no G2)."""
    if cfg.method == "unit":
        return build_model(cfg, inference=True)
    name = "g1" if direction == "AtoB" else "g2"
    if name not in stored:
        if cfg.method == "paired":
            raise UserError("a 'paired' model was trained for X -> Y (AtoB) only")
        raise UserError(f"the checkpoint holds no {name} (networks: {', '.join(sorted(stored))})")
    return OneGenerator(build_generator(cfg.model), name)


def _weight_above(cfg: Config) -> float | None:
    """``paired.weight_above`` in the [-1, 1] units of the target window; None = plain L1."""
    if cfg.paired.target_weight == 1:
        return None
    from cyclemedgan.data.units import fixed_window
    return float(fixed_window(cfg.data, "y").forward(np.float64(cfg.paired.weight_above)))
