"""Training slices: the on-disk stores of both domains (``training_stores``), filled from the train_x /
train_y subjects (unpaired) or from co-registered pairs (``paired.pairs``), and in-memory pools.

For the motion task domain X is motion-corrupted and domain Y motion-free; for ``task: folders``
both domains are files under ``root``. Subjects of role ``train_x`` give X slices, those of role
``train_y`` Y slices: no subject is in both, so no X slice has a partner in Y. Validation and tune
subjects never reach the pools."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from cyclemedgan.config import DataConfig, PairedConfig
from cyclemedgan.data.intensity import Window
from cyclemedgan.data.io import load_volume
from cyclemedgan.data.paths import simulated_path, source_path, target_path
from cyclemedgan.data.units import magnitude, paired_arrays, paired_stacks, volume_slices, volume_window
from cyclemedgan.data.slices import foreground_fraction
from cyclemedgan.data.split import read_split, subjects_with_role
from cyclemedgan.data.store import SliceStore, SliceWriter, open_store, prepare, store_key
from cyclemedgan.errors import UserError

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

def _fill_paired(folder: Path, cfg: DataConfig, pairing: PairedConfig,
                 sources: list[tuple[str, Path]]) -> dict:
    """(subject, its source volume) pairs -> aligned source and target slices (with ``paired.pairs:
    bulk`` the target is the source's own pseudo-CT, ``bulk_from_source``)."""
    wx, wy = SliceWriter(folder, "x"), SliceWriter(folder, "y")
    bulk = pairing.bulk_threshold if pairing.pairs == "bulk" else None
    for s, source in sources:
        target = source if bulk is not None else target_path(cfg, s)
        sx, sy, win = paired_stacks(cfg, source, target, bulk_threshold=bulk)
        keep = foreground_fraction(sx) >= cfg.min_foreground
        wx.add(s, sx, keep, win)
        wy.add(s, sy, keep, win)  # the source window, as the in-memory pools recorded it
    return {"x": wx.close(), "y": wy.close()}

def _fill_ct_sim(folder: Path, cfg: DataConfig, pairing: PairedConfig, pets: list[tuple[str, Path]],
                 cts: list[tuple[str, Path]]) -> dict:
    """``paired.pairs: ct_sim``: ``pairing.draws`` PETs simulated from each train_y CT
    (``pet_simulation``, fitted on the train_x PETs and these CTs), each paired with that real CT."""
    from cyclemedgan.pet_simulation import fit_classes, simulate_pet

    volumes = [load_volume(p) for _, p in cts]  # read once: the fit needs them all, each draw again
    classes = fit_classes([load_volume(p)[0] for _, p in pets], [ct for ct, _ in volumes])
    wx, wy = SliceWriter(folder, "x"), SliceWriter(folder, "y")
    for d in range(pairing.draws):
        for i, ((s, _), (ct, img)) in enumerate(zip(cts, volumes)):
            rng = np.random.default_rng([pairing.sim_seed, d, i])
            sx, sy, win = paired_arrays(cfg, simulate_pet(ct, classes, rng, pairing.sim_bone), ct,
                                          img.affine)
            keep = foreground_fraction(sy) >= cfg.min_foreground  # the CT's body, as in the unpaired store
            wx.add(s, sx, keep, win)
            wy.add(s, sy, keep, win)
    return {"x": wx.close(), "y": wy.close()}

def training_stores(cfg: DataConfig, paired: bool = False,
                    pairing: PairedConfig = PairedConfig()) -> tuple[SliceStore, SliceStore]:
    """Unpaired training data on disk (``store.py``): X slices from ``train_x`` subjects, Y from
    ``train_y``; prepared on first use under ``cfg.cache_dir``, memory-mapped after that.
    ``pairing``: the config's ``paired`` section (its pairs and bulk_threshold are in every store's
    key, paired or not; pass the run's own, or a store of other settings is prepared).

    ``paired=True`` (method ``paired`` only) gives instead source slices and, at the same indices,
    their own co-registered target slices, windowed as ``translate`` maps outputs back
    (``target_window``): of the ``train_x`` subjects (the supervised bound), or with
    ``paired.pairs: train_y`` of the clean ``train_y`` subjects and their simulated motion
    (``paired.draws`` simulations each; with ``paired.clean_pairs`` also each clean slice paired
    with itself), or with ``paired.pairs: ct_sim`` PET simulated from the train_y CTs
    (``_fill_ct_sim``)."""
    rows = read_split(cfg.split_file)
    xs, ys = subjects_with_role(rows, "train_x"), subjects_with_role(rows, "train_y")
    if not xs or not ys:
        raise UserError(f"{cfg.split_file} needs subjects of role train_x and train_y")
    if paired and pairing.pairs == "ct_sim":
        pets, cts = [(s, source_path(cfg, s)) for s in xs], [(s, target_path(cfg, s)) for s in ys]
        volumes = {"x": pets, "y": cts}  # the PETs only fit the simulation: no pair of them is made
        fill = lambda folder: _fill_ct_sim(folder, cfg, pairing, pets, cts)  # noqa: E731
    elif paired:
        if pairing.pairs == "train_y":
            sources = [(s, simulated_path(cfg, s, d)) for d in range(pairing.draws) for s in ys]
            if pairing.clean_pairs:
                sources += [(s, target_path(cfg, s)) for s in ys]
        else:
            sources = [(s, source_path(cfg, s)) for s in xs]
        targets = sources if pairing.pairs == "bulk" else [(s, target_path(cfg, s)) for s, _ in sources]
        volumes = {"x": sources, "y": targets}
        fill = lambda folder: _fill_paired(folder, cfg, pairing, sources)  # noqa: E731
    else:
        volumes = {"x": [(s, source_path(cfg, s)) for s in xs], "y": [(s, target_path(cfg, s)) for s in ys]}
        fill = lambda folder: _fill_unpaired(folder, cfg, volumes)  # noqa: E731
    folder = Path(cfg.cache_dir) / f"slices-{store_key(cfg, pairing, paired, volumes)}"
    prepare(folder, fill)
    return open_store(folder, "x", cfg.context_slices), open_store(folder, "y", cfg.context_slices)

def training_pools(cfg: DataConfig, paired: bool = False,
                   pairing: PairedConfig = PairedConfig()) -> tuple[SlicePool, SlicePool]:
    """``training_stores`` read into memory whole: for small data only (diagnostics, BiGAN
    pre-training); the trainer samples from the stores."""
    stores = training_stores(cfg, paired, pairing)
    return tuple(SlicePool(s.load_all(), s.subjects, s.windows) for s in stores)
