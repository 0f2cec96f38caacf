"""Volumes -> square 2D axial slices and back, subject splits and unpaired sampling.

``SliceFitter`` brings an (H, W) slice to (S, S) by centred padding and/or cropping, and inverts
it exactly (``mode="pad_crop"``); ``mode="resize"`` resamples bilinearly both ways (geometry exact,
values interpolated). Slices are taken along axis 2 of a canonical (RAS+) volume.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from cyclemedgan.config.schema import DataConfig, choices

FIT_MODES = choices(DataConfig, "fit_mode")  # data.fit_mode


@dataclass(frozen=True)
class SliceFitter:
    """Maps (N, H, W) slice stacks to (N, S, S) and back."""

    in_shape: tuple[int, int]
    size: int
    mode: str = "pad_crop"

    def __post_init__(self):
        if self.mode not in FIT_MODES:
            raise ValueError(f"unknown fit mode '{self.mode}'; valid: {', '.join(FIT_MODES)}")

    def _boxes(self, n: int):
        """For one axis of length n: (src_start, dst_start, length) of the copied block."""
        s = self.size
        if n <= s:
            return 0, (s - n) // 2, n
        return (n - s) // 2, 0, s

    def fit(self, x: np.ndarray, fill: float = -1.0) -> np.ndarray:
        """(N, H, W) float32 -> (N, S, S); pads with ``fill`` (the background, -1)."""
        if self.mode == "resize":
            t = torch.from_numpy(np.ascontiguousarray(x))[:, None]
            t = F.interpolate(t, size=(self.size, self.size), mode="bilinear", align_corners=False)
            return t[:, 0].numpy()
        out = np.full((x.shape[0], self.size, self.size), fill, dtype=np.float32)
        (si, di, li), (sj, dj, lj) = self._boxes(x.shape[1]), self._boxes(x.shape[2])
        out[:, di : di + li, dj : dj + lj] = x[:, si : si + li, sj : sj + lj]
        return out

    def unfit(self, y: np.ndarray, fill: np.ndarray | float = -1.0) -> np.ndarray:
        """(N, S, S) -> (N, H, W). Parts cropped away by ``fit`` are taken from ``fill``
        (an (N, H, W) array, e.g. the input passed through, or a constant)."""
        h, w = self.in_shape
        if self.mode == "resize":
            t = torch.from_numpy(np.ascontiguousarray(y))[:, None]
            t = F.interpolate(t, size=(h, w), mode="bilinear", align_corners=False)
            return t[:, 0].numpy()
        out = np.empty((y.shape[0], h, w), dtype=np.float32)
        out[...] = fill
        (si, di, li), (sj, dj, lj) = self._boxes(h), self._boxes(w)
        out[:, si : si + li, sj : sj + lj] = y[:, di : di + li, dj : dj + lj]
        return out


def with_context(stack: np.ndarray, k: int) -> np.ndarray:
    """(Z, H, W) -> (Z, 2k + 1, H, W): each slice with its k neighbours on either side as
    channels, in order (the centre slice is channel k); beyond the ends the edge slice repeats."""
    idx = np.clip(np.arange(len(stack))[:, None] + np.arange(-k, k + 1)[None], 0, len(stack) - 1)
    return np.ascontiguousarray(stack[idx])


def volume_to_slices(vol_canonical: np.ndarray) -> np.ndarray:
    """(X, Y, Z) canonical volume -> (Z, X, Y) stack of axial slices."""
    return np.ascontiguousarray(np.moveaxis(vol_canonical, 2, 0))


def slices_to_volume(stack: np.ndarray) -> np.ndarray:
    """(Z, X, Y) -> (X, Y, Z); inverse of ``volume_to_slices``."""
    return np.ascontiguousarray(np.moveaxis(stack, 0, 2))


def foreground_fraction(stack: np.ndarray, threshold: float = -0.8) -> np.ndarray:
    """(N, H, W) in [-1, 1] -> (N,) fraction of pixels brighter than ``threshold``."""
    return (stack > threshold).reshape(stack.shape[0], -1).mean(axis=1)
