"""What several probes share: a trained run's generators and the tune subjects' slices."""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from cyclemedgan.checkpoint import load_weights, read_run
from cyclemedgan.config import Config
from cyclemedgan.data.units import paired_stacks
from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.data.slices import foreground_fraction, with_context
from cyclemedgan.models import build_model


def load_generators(run_dir: str | Path) -> tuple[Config, dict, nn.Module]:
    """(config, meta, model) of a run directory: the generators loaded, in eval mode."""
    cfg, meta = read_run(run_dir)
    model = build_model(cfg, inference=True)
    load_weights(run_dir, model.generator_nets())
    model.eval()
    return cfg, meta, model


def subject_slices(cfg: Config, role: str = "tune") -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Per subject of ``role``, its source and target slices (N, C, H, W) in [-1, 1] with the
    config's context slices, only those with ``data.min_foreground`` of foreground in the source
    (the same slices of both: row i of one is row i of the other)."""
    xs, ys = [], []
    for p in validation_pairs(cfg.data, role=role):
        sx, sy, _ = paired_stacks(cfg.data, p.source, p.target)
        keep = foreground_fraction(sx) >= cfg.data.min_foreground
        xs.append(torch.from_numpy(with_context(sx, cfg.data.context_slices)[keep]))
        ys.append(torch.from_numpy(with_context(sy, cfg.data.context_slices)[keep]))
    return xs, ys
