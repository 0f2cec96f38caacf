"""Task data: unpaired training slice pools and paired validation volumes.

For the motion task (``DataConfig.task == "motion"``) domain X is motion-corrupted and domain Y
motion-free; for ``task: folders`` both domains are files under ``root``. Training subjects of role ``train_x`` give X slices (corrupted), those of role
``train_y`` give Y slices (clean): no subject is in both, so no X slice has a partner in Y.
Validation subjects (role ``val``) never reach the pools; their corrupted volume is paired with
their own clean volume for evaluation.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from cyclemedgan.config import DataConfig
from cyclemedgan.data.intensity import Window, percentile_window
from cyclemedgan.data.io import content_hash, load_volume, save_volume, to_canonical
from cyclemedgan.data.slices import SliceFitter, foreground_fraction, volume_to_slices
from cyclemedgan.data.split import read_split, subjects_with_role
from cyclemedgan.data.store import SliceStore, SliceWriter, open_store, prepare, store_key
from cyclemedgan.errors import UserError

TASKS = ("motion", "folders")


@dataclass
class SlicePool:
    """Training slices of one domain: ``slices`` (N, C, S, S) float32 in [-1, 1] (C = 1, or
    2k + 1 neighbouring slices with ``data.context_slices`` = k, the centre one at channel k) and
    the subject each slice came from (``subjects[i]``)."""

    slices: torch.Tensor
    subjects: list[str]
    windows: list[Window]  # the window of each volume, in pool order

    def fitted_window(self) -> Window:
        """Median of the volumes' windows: a domain window for ``output_window: domain``."""
        return Window(float(np.median([w.lo for w in self.windows])),
                      float(np.median([w.hi for w in self.windows])))

    def __len__(self) -> int:
        return self.slices.shape[0]


@dataclass(frozen=True)
class PairedVolume:
    """A validation subject: its source-domain volume and its co-registered target volume."""

    subject: str
    source: Path
    target: Path
    mask: Path | None = None
    labels: Path | None = None


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


def background_of(volume: np.ndarray, cfg: DataConfig) -> np.ndarray | None:
    """Boolean background mask under ``cfg.background`` ("min": voxels at the volume's minimum),
    or None for "none"."""
    if cfg.background == "none":
        return None
    if cfg.background == "min":
        return volume <= volume.min()
    raise UserError(f"unknown data.background '{cfg.background}'; valid: none, min")


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


WINDOW_KINDS = ("percentile", "fixed", "log")


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


def _fill_unpaired(folder: Path, cfg: DataConfig, volumes: dict[str, list[tuple[str, Path]]]) -> dict:
    meta = {}
    for domain, vols in volumes.items():
        w = SliceWriter(folder, domain)
        for subject, path in vols:
            volume, img = load_volume(path)
            volume = magnitude(volume, cfg)
            window = volume_window(cfg, domain, volume)
            stack = volume_slices(volume, img.affine, window, cfg)
            w.add(subject, stack, foreground_fraction(stack) >= cfg.min_foreground, window)
        meta[domain] = w.close()
    return meta


def _fill_paired(folder: Path, cfg: DataConfig, sources: list[tuple[str, Path]]) -> dict:
    """(subject, its source volume) pairs -> aligned source and target slices (with ``paired_from:
    bulk`` the target is the source's own pseudo-CT, ``bulk_from_source``)."""
    wx, wy = SliceWriter(folder, "x"), SliceWriter(folder, "y")
    for s, source in sources:
        target = source if cfg.paired_from == "bulk" else target_path(cfg, s)
        sx, sy, win = paired_stacks(cfg, source, target, pseudo_ct=cfg.paired_from == "bulk")
        keep = foreground_fraction(sx) >= cfg.min_foreground
        wx.add(s, sx, keep, win)
        wy.add(s, sy, keep, win)  # the source window, as the in-memory pools recorded it
    return {"x": wx.close(), "y": wy.close()}


def training_stores(cfg: DataConfig, paired: bool = False) -> tuple[SliceStore, SliceStore]:
    """Unpaired training data on disk (``store.py``): X slices from ``train_x`` subjects, Y from
    ``train_y``; prepared on first use under ``cfg.cache_dir``, memory-mapped after that.

    ``paired=True`` (method ``paired`` only) gives instead source slices and, at the same indices,
    their own co-registered target slices, windowed as ``translate`` maps outputs back
    (``target_window``): of the ``train_x`` subjects (the supervised bound), or with
    ``data.paired_from: train_y`` of the clean ``train_y`` subjects and their simulated motion
    (``simulated_draws`` simulations each; with ``simulated_clean_pairs`` also each clean slice
    paired with itself)."""
    rows = read_split(cfg.split_file)
    xs, ys = subjects_with_role(rows, "train_x"), subjects_with_role(rows, "train_y")
    if not xs or not ys:
        raise UserError(f"{cfg.split_file} needs subjects of role train_x and train_y")
    if paired:
        if cfg.paired_from == "train_y":
            sources = [(s, simulated_path(cfg, s, d)) for d in range(cfg.simulated_draws) for s in ys]
            if cfg.simulated_clean_pairs:
                sources += [(s, target_path(cfg, s)) for s in ys]
        else:
            sources = [(s, source_path(cfg, s)) for s in xs]
        targets = sources if cfg.paired_from == "bulk" else [(s, target_path(cfg, s)) for s, _ in sources]
        volumes = {"x": sources, "y": targets}
        fill = lambda folder: _fill_paired(folder, cfg, sources)  # noqa: E731
    else:
        volumes = {"x": [(s, source_path(cfg, s)) for s in xs], "y": [(s, target_path(cfg, s)) for s in ys]}
        fill = lambda folder: _fill_unpaired(folder, cfg, volumes)  # noqa: E731
    folder = Path(cfg.cache_dir) / f"slices-{store_key(cfg, paired, volumes)}"
    prepare(folder, fill)
    return open_store(folder, "x", cfg.context_slices), open_store(folder, "y", cfg.context_slices)


def training_pools(cfg: DataConfig, paired: bool = False) -> tuple[SlicePool, SlicePool]:
    """``training_stores`` read into memory whole: for small data only (diagnostics, BiGAN
    pre-training); the trainer samples from the stores."""
    return tuple(SlicePool(s.load_all(), s.subjects, s.windows) for s in training_stores(cfg, paired))


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
                  pseudo_ct: bool = False) -> tuple[np.ndarray, np.ndarray, Window]:
    """A co-registered pair -> (source slices, target slices), each (Z, S, S) in [-1, 1], and the
    source window; the target is windowed by ``target_window``. ``pseudo_ct``: the target is
    ``bulk_from_source`` of the source (``target`` is ignored)."""
    xv, ximg = load_volume(source)
    if pseudo_ct:
        yv, yimg = bulk_from_source(xv, cfg.bulk_threshold), ximg
    else:
        yv, yimg = load_volume(target)
    if xv.shape != yv.shape or not np.allclose(ximg.affine, yimg.affine, atol=1e-3):
        raise UserError(f"{source} and {target} are not on one grid (shape or affine differ)")
    xv, yv = magnitude(xv, cfg), magnitude(yv, cfg)
    wx = volume_window(cfg, "x", xv)
    return (volume_slices(xv, ximg.affine, wx, cfg),
            volume_slices(yv, yimg.affine, target_window(cfg, wx, yv), cfg), wx)


def simulated_path(cfg: DataConfig, subject: str, draw: int) -> Path:
    """Motion simulation number ``draw`` of ``subject``'s clean volume (draw 0 is the one
    ``source_path`` gives; each further draw has its own seed and cache folder)."""
    motion = dataclasses.replace(cfg.motion, seed=cfg.motion.seed + 1_000_003 * draw, bank_events=())
    if draw and cfg.motion.bank_events:
        from cyclemedgan.data.motion import subject_seed

        rng = np.random.default_rng([subject_seed(motion, subject), draw])
        motion = dataclasses.replace(motion, num_transforms=int(rng.choice(cfg.motion.bank_events)))
    return corrupted_path(dataclasses.replace(cfg, motion=motion), subject)


def _optional(cfg: DataConfig, pattern: str, subject: str) -> Path | None:
    if not pattern:
        return None
    path = Path(cfg.root) / pattern.format(subject=subject)
    if not path.is_file():
        raise UserError(f"file of subject {subject} not found: {path}")
    return path


def validation_pairs(cfg: DataConfig, role: str = "val") -> list[PairedVolume]:
    """Paired subjects of ``role`` ("val", or "tune" for choosing settings): source and target
    volumes, and mask / labels where configured."""
    rows = read_split(cfg.split_file)
    return [PairedVolume(s, source_path(cfg, s), target_path(cfg, s), _optional(cfg, cfg.mask_pattern, s),
                         _optional(cfg, cfg.label_pattern, s)) for s in subjects_with_role(rows, role)]

