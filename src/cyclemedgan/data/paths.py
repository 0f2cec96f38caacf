"""Where each subject's volumes are: clean, motion-corrupted (simulated once, cached by content), the
domain X / Y files of ``task: folders``, and the simulated draws of the motion bank."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from cyclemedgan.config import DataConfig, choices
from cyclemedgan.data.io import content_hash, load_volume, save_volume
from cyclemedgan.errors import UserError

TASKS = choices(DataConfig, "task")

def _check_task(cfg: DataConfig) -> None:
    if cfg.task not in TASKS:
        raise UserError(f"unknown data.task '{cfg.task}'; valid: {', '.join(TASKS)}")

def clean_path(cfg: DataConfig, subject: str) -> Path:
    path = Path(cfg.root) / cfg.file_pattern.format(subject=subject)
    if not path.is_file():
        raise UserError(f"volume of subject {subject} not found: {path}")
    return path

def motion_cache_dir(cfg: DataConfig) -> Path:
    """A cache folder keyed by the motion parameters and TorchIO's version (read from its
    package metadata: a cached volume is used without importing TorchIO)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        tio = version("torchio")
    except PackageNotFoundError:
        raise UserError("TorchIO is not installed; it simulates the motion of data.task 'motion'") from None
    motion = asdict(cfg.motion)
    motion.pop("bank_events")  # chooses a draw's num_transforms (simulated_path), which is in the key
    if motion["kspace_axis"] == 2:  # TorchIO's own axis: the key of before the option existed
        motion.pop("kspace_axis")
    key = json.dumps([motion, cfg.file_pattern, tio])
    return Path(cfg.cache_dir) / f"motion-{hashlib.sha1(key.encode()).hexdigest()[:10]}"

def corrupted_path(cfg: DataConfig, subject: str) -> Path:
    """The motion-corrupted volume of ``subject``, simulated once and cached under the clean
    file's content hash (a clone, copy or move of the data reuses it; an edited file does not).
    Same header and affine as the clean volume; float32. Its sampled motion is in
    ``<subject>-<hash>.motion.json``."""
    src = clean_path(cfg, subject)
    stem = f"{subject}-{content_hash(src)}"
    out = motion_cache_dir(cfg) / f"{stem}.nii.gz"
    if not out.is_file():
        # Imported here: TorchIO (and SimpleITK under it) is needed only to simulate motion.
        from cyclemedgan.data.motion import corrupt_volume, subject_seed

        volume, img = load_volume(src)
        corrupted, params = corrupt_volume(volume, img.affine, cfg.motion, subject_seed(cfg.motion, subject))
        out.parent.mkdir(parents=True, exist_ok=True)
        (out.parent / f"{stem}.motion.json").write_text(json.dumps(params))  # first: a volume always has its log
        save_volume(corrupted, img, out)
    return out

def motion_log(cfg: DataConfig, subjects: list[str]) -> dict[str, dict]:
    """Sampled motion parameters per subject (simulating the motion first where needed)."""
    out = {}
    for s in subjects:
        log = motion_cache_dir(cfg) / f"{s}-{content_hash(clean_path(cfg, s))}.motion.json"
        if not log.is_file():  # simulated now, which writes the log beside the volume
            corrupted_path(cfg, s)
        out[s] = json.loads(log.read_text())
    return out

def source_path(cfg: DataConfig, subject: str) -> Path:
    """The domain X volume of ``subject``."""
    _check_task(cfg)
    if cfg.task == "motion":
        return corrupted_path(cfg, subject)
    if not cfg.source_pattern:
        raise UserError("data.task 'folders' needs data.source_pattern (domain X file of a subject)")
    path = Path(cfg.root) / cfg.source_pattern.format(subject=subject)
    if not path.is_file():
        raise UserError(f"domain X volume of subject {subject} not found: {path}")
    return path

def target_path(cfg: DataConfig, subject: str) -> Path:
    """The domain Y volume of ``subject``."""
    _check_task(cfg)
    return clean_path(cfg, subject)

def simulated_path(cfg: DataConfig, subject: str, draw: int) -> Path:
    """Motion simulation number ``draw`` of ``subject``'s clean volume (draw 0 is the one
    ``source_path`` gives; each further draw has its own seed and cache folder)."""
    motion = dataclasses.replace(cfg.motion, seed=cfg.motion.seed + 1_000_003 * draw, bank_events=())
    if draw and cfg.motion.bank_events:
        from cyclemedgan.data.motion import subject_seed

        rng = np.random.default_rng([subject_seed(motion, subject), draw])
        motion = dataclasses.replace(motion, num_transforms=int(rng.choice(cfg.motion.bank_events)))
    return corrupted_path(dataclasses.replace(cfg, motion=motion), subject)

def optional_path(cfg: DataConfig, pattern: str, subject: str) -> Path | None:
    if not pattern:
        return None
    path = Path(cfg.root) / pattern.format(subject=subject)
    if not path.is_file():
        raise UserError(f"file of subject {subject} not found: {path}")
    return path
