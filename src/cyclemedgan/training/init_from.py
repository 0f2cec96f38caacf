"""``train.init_from``: a run starts its generators from another run's (or an export's)."""
from __future__ import annotations

from pathlib import Path

import torch.nn as nn

from cyclemedgan.checkpoint import load_weights, read_run
from cyclemedgan.config import Config
from cyclemedgan.errors import UserError
from cyclemedgan.models import build_model
from cyclemedgan.models.cyclegan import generator_mismatch


def init_generators(cfg: Config, source: str | Path, nets: dict[str, nn.Module]) -> list[str]:
    """Start ``nets`` from the generators stored in ``source`` (a run, best/ or export folder)
    that have the same names (g1 of a ``paired`` run starts G1 of a CycleGAN). The generator
    settings must agree; returns the names loaded."""
    src_cfg, _ = read_run(source)
    mismatch = generator_mismatch(cfg.model, src_cfg.model, unit=cfg.method == "unit")
    if mismatch:
        raise UserError(f"train.init_from {source}: {mismatch}")
    src_nets = build_model(src_cfg, inference=True).generator_nets()
    shared = {k: v for k, v in nets.items() if k in src_nets}
    if not shared:
        raise UserError(f"train.init_from {source}: no generator of this model ({', '.join(nets)}) in it")
    load_weights(source, shared)
    print(f"generators {', '.join(shared)} start from {source}")
    return list(shared)
