"""Training batches: drawn by batch number, fetched from the slice stores by DataLoader workers.

Batch ``n`` of a run is a pure function of (``train.seed``, ``n``): its slice indices and its
crops and flips come from a generator seeded by both, so workers can prepare batches ahead of
the step, a resumed run (which restarts at the batch number of its checkpoint) sees exactly the
batches an uninterrupted run would, and nothing depends on how many workers there are.

With torchrun, all ranks draw the same global batch of ``train.batch_size`` and rank r keeps
items r, r + world, r + 2 world, ...: disjoint shares whose union is the batch a single process
would train on, so DDP's averaged gradient equals the single process's (losses are batch means,
and instance norm is per image).
"""
from __future__ import annotations

import itertools

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from cyclemedgan.data.intensity import Window
from cyclemedgan.data.store import SliceStore


def augment_params(b: int, size: tuple[int, int], crop: tuple[int, int], flip: str,
                   g: torch.Generator, rot90: bool = False) -> tuple | None:
    """Random crop origins, flips and quarter turns for ``b`` images of ``size`` (H, W); None for
    no change. Every operation is lossless (integer shifts, flips, turns: no resampling)."""
    hh, ww = size
    h, w = crop if crop != (0, 0) else (hh, ww)
    if (h, w) == (hh, ww) and flip == "none" and not rot90:
        return None
    i0 = torch.randint(hh - h + 1, (b,), generator=g)
    j0 = torch.randint(ww - w + 1, (b,), generator=g)
    flips = torch.rand(b, generator=g) < 0.5 if flip != "none" else torch.zeros(b, dtype=torch.bool)
    # drawn after the draws above, only when asked for: runs without them see the batches they did
    flips_w = torch.rand(b, generator=g) < 0.5 if flip == "hv" else torch.zeros(b, dtype=torch.bool)
    turns = torch.randint(4, (b,), generator=g) if rot90 else torch.zeros(b, dtype=torch.long)
    return i0, j0, flips, h, w, flips_w, turns


def apply_augment(t: torch.Tensor, params: tuple | None, keep=slice(None)) -> torch.Tensor:
    """(B, C, S, S) -> (B, C, h, w): the quarter turns (of the whole slice), crops and flips of
    ``params`` (those at ``keep``)."""
    if params is None:
        return t
    i0, j0, flips, h, w, flips_w, turns = params
    i0, j0, flips, flips_w, turns = i0[keep], j0[keep], flips[keep], flips_w[keep], turns[keep]
    out = []
    for k in range(t.shape[0]):
        c = torch.rot90(t[k], int(turns[k]), dims=(-2, -1)) if turns[k] else t[k]
        c = c[:, i0[k]:i0[k] + h, j0[k]:j0[k] + w]
        c = c.flip(-2) if flips[k] else c
        out.append(c.flip(-1) if flips_w[k] else c)
    return torch.stack(out)


def augment(batches: list[torch.Tensor], crop: tuple[int, int], flip: str, g: torch.Generator) -> list[torch.Tensor]:
    """The same random crop (H, W) and flip to each image of every batch in ``batches`` (one
    draw per image index: paired batches stay aligned). (B, C, S, S) -> (B, C, h, w)."""
    b, _, hh, ww = batches[0].shape
    params = augment_params(b, (hh, ww), crop, flip, g)
    return [apply_augment(t, params) for t in batches]


def scale_source(x: torch.Tensor, window: Window, factors: torch.Tensor) -> torch.Tensor:
    """(B, C, h, w) in [-1, 1] -> the same images with their intensities times ``factors`` (B,) in
    the window's own units (e.g. SUV), windowed again (values scaled past the window clip there)."""
    units = window.inverse(x.numpy()) * factors.numpy().reshape(-1, 1, 1, 1)
    return torch.from_numpy(window.forward(units))


def batch_seed(seed: int, n: int) -> int:
    """The seed of batch ``n`` of a run seeded ``seed`` (independent streams per batch)."""
    return int(np.random.SeedSequence([seed, n]).generate_state(1, np.uint64)[0] >> 1)


class TrainingBatches(Dataset):
    """Item ``n``: this rank's share of batch n, ``(x, y)`` each (B / world, C, h, w) in [-1, 1].

    Unpaired: X and Y indices drawn independently (with replacement), each batch cropped and
    flipped on its own. ``paired``: Y is the target slice at X's index, with X's crops and flips.
    ``source_scale`` (a, b) with ``window_x``: each X image's intensities times U(a, b) in its own
    units (``scale_source``); the targets never change."""

    def __init__(self, store_x: SliceStore, store_y: SliceStore, paired: bool, batch_size: int,
                 crop: tuple[int, int], flip: str, seed: int, rank: int = 0, world: int = 1, rot90: bool = False,
                 source_scale: tuple[float, float] = (1.0, 1.0), window_x: Window | None = None):
        self.x, self.y, self.paired, self.b = store_x, store_y, paired, batch_size
        self.crop, self.flip, self.seed, self.rank, self.world = crop, flip, seed, rank, world
        self.rot90, self.source_scale, self.window_x = rot90, tuple(source_scale), window_x
        if self.source_scale != (1.0, 1.0) and window_x is None:
            raise ValueError("source_scale needs the source's fixed window")

    def __len__(self) -> int:  # batches are numbered, not exhausted
        return 2**62

    def __getitem__(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        g = torch.Generator().manual_seed(batch_seed(self.seed, n))
        b, mine = self.b, slice(self.rank, None, self.world)
        ix = torch.randint(len(self.x), (b,), generator=g)
        iy = ix if self.paired else torch.randint(len(self.y), (b,), generator=g)
        size = self.x.shape[1:]
        x, y = self.x.fetch(ix[mine]), self.y.fetch(iy[mine])
        px = augment_params(b, size, self.crop, self.flip, g, self.rot90)
        py = px if self.paired else augment_params(b, size, self.crop, self.flip, g, self.rot90)
        x, y = apply_augment(x, px, mine), apply_augment(y, py, mine)
        if self.source_scale != (1.0, 1.0):  # drawn last, only when on: other runs keep their batches
            lo, hi = self.source_scale
            x = scale_source(x, self.window_x, (lo + (hi - lo) * torch.rand(b, generator=g))[mine])
        return x, y


def batch_stream(batches: TrainingBatches, start: int, workers: int, pin_memory: bool = False):
    """Batches ``start``, ``start + 1``, ... without end, prepared by ``workers`` processes ahead
    of the step (0: in this process, when asked for)."""
    loader = DataLoader(batches, batch_size=None, sampler=itertools.count(start), num_workers=workers,
                        pin_memory=pin_memory, prefetch_factor=2 if workers else None)
    return iter(loader)
