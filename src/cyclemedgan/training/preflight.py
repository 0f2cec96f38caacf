"""Checks before a run trains a step: the run directory, the split, the extractor, the start."""
from __future__ import annotations

from pathlib import Path

from cyclemedgan.checkpoint import read_run
from cyclemedgan.config import Config, learns_train_x_targets, to_dict
from cyclemedgan.errors import UserError


def _first_difference(a: dict, b: dict, prefix: str = "") -> str | None:
    for k in sorted(set(a) | set(b)):
        if isinstance(a.get(k), dict) and isinstance(b.get(k), dict):
            diff = _first_difference(a[k], b[k], f"{prefix}{k}.")
            if diff:
                return diff
        elif a.get(k) != b.get(k):
            return f"{prefix}{k}: {b.get(k)!r} in the run, {a.get(k)!r} now"
    return None


def check_same_config(cfg: Config, run_dir: Path, ignore_steps: bool) -> None:
    """A run directory is resumed or reused only for the config it was trained with."""
    old, _ = read_run(run_dir)
    a, b = to_dict(cfg), to_dict(old)
    for t in (a, b):
        t["train"]["note"] = ""
        t["train"]["workers"] = 0  # how batches are fetched does not change them
        if ignore_steps:
            t["train"]["steps"] = 0
    diff = _first_difference(a, b)
    if diff:
        raise UserError(f"{run_dir} holds a run with another config ({diff}); "
                        "choose another output directory or delete it")


def check_no_held_out(held_out: set[str], trained_on: set[str]) -> None:
    """No validation or tune subject among the training pools' subjects."""
    leaked = held_out & trained_on
    if leaked:  # cannot happen with a valid split file; checked anyway
        raise UserError(f"validation or tune subjects in the training pools: {sorted(leaked)}")


def check_extractor_split(cfg: Config, val_subjects: set[str]) -> None:
    """The feature extractor must not have seen a validation subject of this split."""
    if not (cfg.method != "unit" and (cfg.loss.lambda_cp > 0 or cfg.loss.lambda_cs > 0)):
        return
    if not Path(cfg.loss.extractor).is_dir():
        return  # build_model says so
    _, meta = read_run(cfg.loss.extractor)
    seen = meta.get("train_subjects")
    if seen is None:
        raise UserError(f"{cfg.loss.extractor}/meta.json does not list the subjects it was trained on "
                        "(train_subjects); cannot rule out that it saw a validation subject")
    overlap = val_subjects & set(seen)
    if overlap:
        raise UserError(f"the feature extractor {cfg.loss.extractor} was trained on validation subject(s) "
                        f"{sorted(overlap)}; train one on this split's training subjects")


def check_start_for_tune_roles(cfg: Config) -> None:
    """With ``train_x`` among the tune roles, refuse a start (``train.init_from``, and the start's
    own start) that learnt from the ``train_x`` subjects' targets: they would score their own pairs."""
    if "train_x" not in cfg.train.tune_roles:
        return
    source, seen = cfg.train.init_from, set()
    while source and source not in seen:
        seen.add(source)
        src_cfg, _ = read_run(source)
        if learns_train_x_targets(src_cfg):
            raise UserError(f"train.tune_roles holds train_x, but the start {source} was trained on the train_x "
                            "subjects' own targets: score on tune only")
        parent = src_cfg.train.init_from  # the start's own start, where it is still on disk
        source = parent if parent and Path(parent).exists() else ""
