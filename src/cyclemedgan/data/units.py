"""A volume into the model's units and back: magnitude, windows, [-1, 1] slices, the output-window rule,
and the paired stacks (source and target slices of one co-registered pair)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cyclemedgan.config import DataConfig, choices
from cyclemedgan.data.intensity import Window, percentile_window
from cyclemedgan.data.io import load_volume, to_canonical
from cyclemedgan.data.slices import SliceFitter, volume_to_slices
from cyclemedgan.errors import UserError

BACKGROUNDS = choices(DataConfig, "background")
WINDOW_KINDS = choices(DataConfig, "window_x")  # window_y has the same choices

def background_of(volume: np.ndarray, cfg: DataConfig) -> np.ndarray | None:
    """Boolean background mask under ``cfg.background`` ("min": voxels at the volume's minimum),
    or None for "none"."""
    if cfg.background == "none":
        return None
    if cfg.background == "min":
        return volume <= volume.min()
    raise UserError(f"unknown data.background '{cfg.background}'; valid: {', '.join(BACKGROUNDS)}")

def magnitude(volume: np.ndarray, cfg: DataConfig) -> np.ndarray:
    """The volume as this task reads it: with ``data.clip_negative`` negatives set to 0 (magnitude
    MR), else unchanged (the same array)."""
    return np.maximum(volume, 0, dtype=np.float32) if cfg.clip_negative and volume.min() < 0 else volume

def to_unit(volume: np.ndarray, window: Window, cfg: DataConfig) -> np.ndarray:
    """A volume in its own units -> float32 in [-1, 1]: ``window.forward``, background at -1."""
    out = window.forward(volume)
    bg = background_of(volume, cfg)
    if bg is not None:
        out[bg] = -1.0
    return out

def volume_slices(volume: np.ndarray, affine: np.ndarray, window: Window, cfg: DataConfig) -> np.ndarray:
    """A volume in its own units -> (Z, S, S) axial slices in [-1, 1] (canonical orientation)."""
    stack = volume_to_slices(to_canonical(to_unit(volume, window, cfg), affine))
    return SliceFitter(stack.shape[1:], cfg.image_size, cfg.fit_mode).fit(stack)

def fixed_window(cfg: DataConfig, domain: str) -> Window | None:
    """The domain's window when it does not depend on the volume ("fixed", "log"), else None."""
    kind, rng = (cfg.window_x, cfg.range_x) if domain == "x" else (cfg.window_y, cfg.range_y)
    if kind == "fixed":
        return Window(*rng)
    if kind == "log":
        return Window(*rng, log_offset=cfg.log_offset)
    return None

def volume_window(cfg: DataConfig, domain: str, volume: np.ndarray) -> Window:
    """The [-1, 1] window of a volume of domain "x" or "y" (see ``DataConfig``)."""
    kind = cfg.window_x if domain == "x" else cfg.window_y
    fixed = fixed_window(cfg, domain)
    if fixed is not None:
        return fixed
    if kind == "percentile":
        bg = background_of(volume, cfg)
        return percentile_window(volume if bg is None or bg.all() else volume[~bg], cfg.percentiles)
    raise UserError(f"unknown window kind '{kind}' for domain {domain}; valid: {', '.join(WINDOW_KINDS)}")

def output_window(cfg: DataConfig, source_window: Window, domain_window) -> Window:
    """The window a model's output is mapped back with (the one definition of the rule): the
    source's own window for ``data.output_window: input`` (same modality, e.g. motion correction),
    else ``domain_window()``, the target domain's (fixed, or fitted on its training volumes)."""
    return source_window if cfg.output_window == "input" else domain_window()

def target_window(cfg: DataConfig, source_window: Window, target: np.ndarray) -> Window:
    """The window that puts a paired target on the scale ``translate`` maps outputs back with:
    the source's own window for ``output_window: input``, else the target domain's window."""
    return output_window(cfg, source_window, lambda: volume_window(cfg, "y", target))

def bulk_from_source(source: np.ndarray, threshold: float) -> np.ndarray:
    """A two-class pseudo-CT from the source volume itself (float32 HU): 0 HU (water) where the
    source is above ``threshold`` (in its own units, e.g. SUV), -1000 HU (air) elsewhere: the
    bulk-density map a PET body outline gives, without any CT."""
    from cyclemedgan.metrics_ct import two_class

    return two_class(source > threshold)

def paired_stacks(cfg: DataConfig, source: Path, target: Path,
                  bulk_threshold: float | None = None) -> tuple[np.ndarray, np.ndarray, Window]:
    """A co-registered pair -> (source slices, target slices), each (Z, S, S) in [-1, 1], and the
    source window; the target is windowed by ``target_window``. With ``bulk_threshold`` (that of
    ``paired.pairs: bulk``) the target is ``bulk_from_source`` of the source (``target`` is ignored)."""
    xv, ximg = load_volume(source)
    if bulk_threshold is not None:
        yv, yimg = bulk_from_source(xv, bulk_threshold), ximg
    else:
        yv, yimg = load_volume(target)
    if xv.shape != yv.shape or not np.allclose(ximg.affine, yimg.affine, atol=1e-3):
        raise UserError(f"{source} and {target} are not on one grid (shape or affine differ)")
    return paired_arrays(cfg, xv, yv, ximg.affine)

def paired_arrays(cfg: DataConfig, xv: np.ndarray, yv: np.ndarray,
                  affine: np.ndarray) -> tuple[np.ndarray, np.ndarray, Window]:
    """``paired_stacks`` of two volumes in memory on one grid (``affine``)."""
    xv, yv = magnitude(xv, cfg), magnitude(yv, cfg)
    wx = volume_window(cfg, "x", xv)
    return (volume_slices(xv, affine, wx, cfg),
            volume_slices(yv, affine, target_window(cfg, wx, yv), cfg), wx)
