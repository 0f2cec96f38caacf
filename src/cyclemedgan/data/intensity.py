"""Intensity windows: physical units <-> [-1, 1], each with its exact inverse.

A ``Window(lo, hi)`` maps ``lo -> -1`` and ``hi -> +1`` linearly and clips outside; the inverse
maps back, so values inside the window round-trip exactly (to float precision). With
``log_offset`` c > 0 the map is linear in log(x + c) instead (PET in SUV: air at SUV ~0.005, fat at
~0.05 and muscle at ~0.6 get distinct values, which a linear SUV window crushes together near -1);
its inverse is exact too. MR and PET use a
per-volume percentile window (``percentile_window``); CT uses a fixed window in Hounsfield units.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Window:
    lo: float
    hi: float
    log_offset: float = 0.0  # c > 0: linear in log(x + c) (see above); 0: linear in x

    def __post_init__(self):
        if not np.isfinite([self.lo, self.hi, self.log_offset]).all() or self.hi <= self.lo:
            raise ValueError(f"a window needs lo < hi, got ({self.lo}, {self.hi})")
        if self.log_offset < 0 or (self.log_offset > 0 and self.lo + self.log_offset <= 0):
            raise ValueError(f"a log window needs lo + log_offset > 0, got lo {self.lo}, offset {self.log_offset}")

    def _t(self, x: np.ndarray) -> np.ndarray:
        return np.log(x + self.log_offset) if self.log_offset > 0 else x

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Intensities (any units) -> float32 in [-1, 1] (clipped outside [lo, hi])."""
        x = np.clip(np.asarray(x, dtype=np.float64), self.lo, self.hi)
        lo, hi = self._t(np.float64(self.lo)), self._t(np.float64(self.hi))
        y = (self._t(x) - lo) / (hi - lo) * 2.0 - 1.0
        return np.clip(y, -1.0, 1.0).astype(np.float32)

    def inverse(self, y: np.ndarray) -> np.ndarray:
        """[-1, 1] -> intensities in the window's units, float32."""
        y = np.clip(np.asarray(y, dtype=np.float64), -1.0, 1.0)
        lo, hi = self._t(np.float64(self.lo)), self._t(np.float64(self.hi))
        t = (y + 1.0) / 2.0 * (hi - lo) + lo
        x = np.exp(t) - self.log_offset if self.log_offset > 0 else t
        return np.clip(x, self.lo, self.hi).astype(np.float32)


def percentile_window(volume: np.ndarray, percentiles: tuple[float, float]) -> Window:
    """Window between two percentiles of all voxels of one volume (robust to outliers)."""
    lo, hi = np.percentile(volume, percentiles)
    if hi <= lo:  # a constant volume: keep a valid, tiny window around it
        hi = lo + 1.0
    return Window(float(lo), float(hi))
