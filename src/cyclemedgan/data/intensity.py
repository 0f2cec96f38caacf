"""Intensity windows: physical units <-> [-1, 1], each with its exact inverse.

A ``Window(lo, hi)`` maps ``lo -> -1`` and ``hi -> +1`` linearly and clips outside; the inverse
maps back, so values inside the window round-trip exactly (to float precision). MR and PET use a
per-volume percentile window (``percentile_window``); CT uses a fixed window in Hounsfield units.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Window:
    lo: float
    hi: float

    def __post_init__(self):
        if not np.isfinite([self.lo, self.hi]).all() or self.hi <= self.lo:
            raise ValueError(f"a window needs lo < hi, got ({self.lo}, {self.hi})")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Intensities (any units) -> float32 in [-1, 1] (clipped outside [lo, hi])."""
        y = (np.asarray(x, dtype=np.float64) - self.lo) / (self.hi - self.lo) * 2.0 - 1.0
        return np.clip(y, -1.0, 1.0).astype(np.float32)

    def inverse(self, y: np.ndarray) -> np.ndarray:
        """[-1, 1] -> intensities in the window's units, float32."""
        y = np.clip(np.asarray(y, dtype=np.float64), -1.0, 1.0)
        return ((y + 1.0) / 2.0 * (self.hi - self.lo) + self.lo).astype(np.float32)


def percentile_window(volume: np.ndarray, percentiles: tuple[float, float]) -> Window:
    """Window between two percentiles of all voxels of one volume (robust to outliers)."""
    lo, hi = np.percentile(volume, percentiles)
    if hi <= lo:  # a constant volume: keep a valid, tiny window around it
        hi = lo + 1.0
    return Window(float(lo), float(hi))
