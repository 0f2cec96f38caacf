"""What a config may hold beyond its types: choices, ranges, and settings that go together."""
from __future__ import annotations

import dataclasses
import typing
from typing import Any, Literal

from cyclemedgan.config.schema import Config, ConfigError


def learns_train_x_targets(cfg: Config) -> bool:
    """True for a run trained on the ``train_x`` subjects' own targets (the supervised bound, UNIT's
    paired start): their targets then cannot score its choices."""
    paired = cfg.method == "paired" or (cfg.method == "unit" and cfg.unit.paired)
    return paired and cfg.paired.pairs == "train_x"


def _check_choices(node: Any, prefix: str = "") -> None:
    """Every ``Literal[...]`` field holds one of its values (fields declare their choices)."""
    hints = typing.get_type_hints(type(node))
    for f in dataclasses.fields(node):
        value, tp = getattr(node, f.name), hints[f.name]
        if dataclasses.is_dataclass(value):
            _check_choices(value, f"{prefix}{f.name}.")
        elif typing.get_origin(tp) is Literal and value not in typing.get_args(tp):
            raise ConfigError(f"{prefix}{f.name} is '{value}'; valid: {', '.join(map(str, typing.get_args(tp)))}")


def validate(cfg: Config) -> Config:
    """Check values, not only types, so a bad config fails before anything is written."""
    _check_choices(cfg)
    d, m, t, e, p = cfg.data, cfg.model, cfg.train, cfg.extractor, cfg.paired
    checks = [
        (d.image_size >= 16 and d.image_size % 4 == 0, "data.image_size must be a multiple of 4, at least 16"),
        (0 <= d.percentiles[0] < d.percentiles[1] <= 100, "data.percentiles must satisfy 0 <= lo < hi <= 100"),
        (d.range_x[0] < d.range_x[1] and d.range_y[0] < d.range_y[1], "data.range_x / range_y need lo < hi"),
        (d.log_offset > 0 and all(w != "log" or r[0] + d.log_offset > 0 for w, r in
                                  ((d.window_x, d.range_x), (d.window_y, d.range_y))),
         "data.log_offset must be > 0, and above minus the low end of a log window's range"),
        (0 <= d.min_foreground < 1, "data.min_foreground must be in [0, 1)"),
        (d.crop == (0, 0) or (16 <= min(d.crop) and max(d.crop) <= d.image_size and d.crop[0] % 4 == 0
                              and d.crop[1] % 4 == 0),
         "data.crop is (0, 0) or two multiples of 4 between 16 and data.image_size"),
        (d.context_slices >= 0 and m.in_channels == 2 * d.context_slices + 1,
         "model.in_channels must be 2 * data.context_slices + 1 (one channel per slice of the 2.5D stack)"),
        (cfg.loss.cycle_noise_std >= 0 and t.lr_d >= 0 and t.tune_every >= 0 and t.skip_nonfinite >= 0
         and t.workers >= 0,
         "loss.cycle_noise_std, train.lr_d, train.tune_every, train.skip_nonfinite and train.workers must not be negative"),
        (m.ngf > 0 and m.ndf > 0 and m.n_blocks >= 0 and m.n_layers_d >= 1, "model sizes must be positive"),
        (1 <= m.unet_depth <= 6, "model.unet_depth must be between 1 and 6"),
        (p.draws >= 1, "paired.draws must be at least 1"),
        (0 <= p.ssim_weight < 1, "paired.ssim_weight (the SSIM term's share of G1's loss) must be in [0, 1)"),
        (p.target_weight >= 1 and (p.target_weight == 1 or d.window_y in ("fixed", "log")),
         "paired.target_weight is at least 1, and above 1 it needs a fixed or log data.window_y"),
        (p.pairs != "train_y" or d.task == "motion",
         "paired.pairs 'train_y' simulates the source from clean volumes: it needs data.task 'motion'"),
        (p.pairs != "bulk" or d.evaluation == "ct",
         "paired.pairs 'bulk' makes pseudo-CT targets: it needs data.evaluation 'ct'"),
        (p.pairs != "ct_sim" or d.evaluation == "ct",
         "paired.pairs 'ct_sim' simulates PET from CT: it needs data.evaluation 'ct'"),
        (cfg.method != "unit" or 1 <= m.unit_shared_blocks <= m.n_blocks,
         "UNIT needs 1 <= model.unit_shared_blocks <= model.n_blocks"),
        (t.steps >= 1 and t.batch_size >= 1 and t.lr > 0 and t.pool_size >= 0, "train.steps, batch_size, lr must be positive"),
        (min(t.log_every, t.sample_every, t.checkpoint_every) >= 1,
         "train.log_every, sample_every and checkpoint_every must be positive (steps between them)"),
        (t.tune_draws >= 1, "train.tune_draws must be at least 1"),
        (not d.rot90 or d.task != "motion",
         "data.rot90 turns the phase-encode axis of the simulated motion in-plane: not for data.task motion"),
        (not d.rot90 or d.crop == (0, 0) or d.crop[0] == d.crop[1], "data.rot90 needs square data.crop (or none)"),
        (0 < d.source_scale[0] <= d.source_scale[1], "data.source_scale is (a, b) with 0 < a <= b"),
        (d.source_scale == (1.0, 1.0) or (d.task != "motion" and d.window_x in ("fixed", "log")),
         "data.source_scale scales the source in its own units: it needs a fixed or log data.window_x, not data.task motion"),
        (0 <= t.decay_start <= 1, "train.decay_start is a fraction in [0, 1]"),
        (0 <= t.ema < 1, "train.ema is a decay in [0, 1) (0 = no EMA of the generators)"),
        (e.image_size % 16 == 0 and e.steps >= 1 and e.batch_size >= 1,
         "extractor.image_size must be a multiple of 16; extractor.steps and batch_size positive"),
        (len(t.tune_roles) >= 1 and len(set(t.tune_roles)) == len(t.tune_roles)
         and set(t.tune_roles) <= {"tune", "train_x"},
         "train.tune_roles is one or both of tune, train_x (validation and train_y subjects are never scored for choices)"),
        ("train_x" not in t.tune_roles or not learns_train_x_targets(cfg),
         "train.tune_roles may not hold train_x here: this run learns from train_x's own targets (paired)"),
        (len(cfg.loss.layer_weights_cp) == 4 and len(cfg.loss.layer_weights_cs) == 4,
         "loss.layer_weights_cp / layer_weights_cs need one weight per extractor layer (4)"),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(message)
    return cfg
