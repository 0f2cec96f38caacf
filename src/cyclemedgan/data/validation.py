"""Paired volumes of the subjects of a role (``val``, ``tune``): a source volume beside its own target,
for scoring; never training data."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cyclemedgan.config import DataConfig
from cyclemedgan.data.paths import optional_path, source_path, target_path
from cyclemedgan.data.split import read_split, subjects_with_role

@dataclass(frozen=True)
class PairedVolume:
    """A validation subject: its source-domain volume and its co-registered target volume."""

    subject: str
    source: Path
    target: Path
    mask: Path | None = None
    labels: Path | None = None

def validation_pairs(cfg: DataConfig, role: str = "val") -> list[PairedVolume]:
    """Paired subjects of ``role`` ("val", or "tune" for choosing settings): source and target
    volumes, and mask / labels where configured."""
    rows = read_split(cfg.split_file)
    return [PairedVolume(s, source_path(cfg, s), target_path(cfg, s), optional_path(cfg, cfg.mask_pattern, s),
                         optional_path(cfg, cfg.label_pattern, s)) for s in subjects_with_role(rows, role)]
