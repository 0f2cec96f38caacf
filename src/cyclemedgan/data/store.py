"""Training slices prepared once into an on-disk store and read back slice by slice.

``training_stores(cfg, pairing)`` windows and fits the training volumes of both domains one volume at a
time (never more than one volume in memory), appends every axial slice of each volume to
``<data.cache_dir>/slices-<key>/x.f32`` and ``y.f32`` (raw float32, (N, S, S) in [-1, 1]) and writes
``meta.json``: which slices have enough head to train on (``data.min_foreground``), the volume
each came from, and each volume's window. The folder is renamed into place when complete, so a
killed preparation leaves no half store. ``key`` hashes the data settings that shape a slice and
the content of every input volume (like the motion cache): an edited volume or setting prepares
a new store, a clone or another run with the same data reuses it.

``SliceStore.fetch(idx)`` reads only the slices asked for (``os.pread`` at their offsets, so the
file is never mapped: unlike a ``numpy.memmap``, whose touched pages count towards the process's
resident memory until the kernel reclaims them, a long run's RSS does not grow with the data it
has seen); a training run holds a batch, not the data set. 2.5D stacks (``data.context_slices`` =
k) are built at fetch time from the slice and its k neighbours on either side within its own
volume (the edge slice repeats), exactly as ``slices.with_context``: the store is the same for
every k.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from cyclemedgan.config import DataConfig, PairedConfig
from cyclemedgan.data.intensity import Window
from cyclemedgan.data.io import content_hash

STORE_VERSION = 1
# DataConfig fields that change a stored slice; the input files enter the key by content.
SLICE_FIELDS = ("image_size", "fit_mode", "percentiles", "window_x", "window_y", "range_x", "range_y",
                "log_offset", "output_window", "background", "min_foreground")
# PairedConfig fields in the key, under the names they had in DataConfig (data.paired_from, ...), so
# that the stores made before the paired section keep their keys (every store holds them, paired or not)
PAIRED_FIELDS = {"paired_from": "pairs", "bulk_threshold": "bulk_threshold"}


@dataclass
class SliceStore:
    """One domain's training slices on disk.

    ``rows`` (N, 3) int64: for each training slice, its row in the file and the first and
    one-past-last row of its volume; ``subjects[i]`` the subject of training slice i; ``windows``
    the window of each volume, in file order. ``fetch`` returns (B, 2k + 1, S, S) float32 in
    [-1, 1] with the centre slice at channel k."""

    path: Path
    shape: tuple[int, int, int]  # (all slices in the file, S, S)
    rows: np.ndarray
    subjects: list[str]
    windows: list[Window]
    context: int = 0
    _fd: int = field(default=-1, repr=False)
    _pid: int = field(default=-1, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def fitted_window(self) -> Window:
        """Median of the volumes' windows: a domain window for ``output_window: domain``."""
        return Window(float(np.median([w.lo for w in self.windows])),
                      float(np.median([w.hi for w in self.windows])))

    def with_context(self, k: int) -> "SliceStore":
        return SliceStore(self.path, self.shape, self.rows, self.subjects, self.windows, k)

    def _file(self) -> int:
        if self._pid != os.getpid():  # one descriptor per process (loader workers)
            self._fd, self._pid = os.open(self.path, os.O_RDONLY), os.getpid()
        return self._fd

    def __getstate__(self):
        return {**self.__dict__, "_fd": -1, "_pid": -1}

    def __del__(self):
        if self._pid == os.getpid():
            os.close(self._fd)

    def fetch(self, idx) -> torch.Tensor:
        """Training slices ``idx`` (ints, array or tensor) -> (B, 2k + 1, S, S) float32 (a copy)."""
        r = self.rows[np.asarray(idx, dtype=np.int64).reshape(-1)]
        k, (_, h, w) = self.context, self.shape
        rows = np.clip(r[:, :1] + np.arange(-k, k + 1)[None], r[:, 1:2], r[:, 2:3] - 1)
        out = np.empty(rows.shape + (h, w), dtype=np.float32)
        fd, n = self._file(), h * w * 4
        for pos, row in np.ndenumerate(rows):
            out[pos] = np.frombuffer(os.pread(fd, n, int(row) * n), dtype=np.float32).reshape(h, w)
        return torch.from_numpy(out)

    def load_all(self) -> torch.Tensor:
        """Every training slice in memory (small data only: diagnostics, BiGAN pre-training)."""
        return self.fetch(np.arange(len(self)))


def store_key(cfg: DataConfig, pairing: PairedConfig, paired: bool,
              volumes: dict[str, list[tuple[str, Path]]]) -> str:
    """sha1 of the slice settings, the method's pairing and each input volume's subject and content."""
    settings = {k: v for k, v in asdict(cfg).items() if k in SLICE_FIELDS}
    settings.update({old: getattr(pairing, new) for old, new in PAIRED_FIELDS.items()})
    if cfg.clip_negative:  # keyed only when on, so that the stores made before it keep their keys
        settings["clip_negative"] = True
    if paired and pairing.pairs == "ct_sim":  # the simulation's own settings, likewise
        from cyclemedgan import pet_simulation as sim

        settings["ct_sim"] = [pairing.draws, pairing.sim_seed, sim.FIELD, sim.NOISE, sim.PSF, sim.QUANTILES,
                              sim.FAT_TOP_HU]
        if pairing.sim_bone != "soft":  # keyed only when not the default, as above
            settings["ct_sim"].append(pairing.sim_bone)
    files = {d: [[s, content_hash(p, 16)] for s, p in vols] for d, vols in volumes.items()}
    text = json.dumps([STORE_VERSION, paired, settings, files], sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


class SliceWriter:
    """Appends (Z, S, S) slice stacks of one domain to ``<folder>/<domain>.f32`` with plain writes
    (the page cache, not this process, holds what was written)."""

    def __init__(self, folder: Path, domain: str):
        self.file = (folder / f"{domain}.f32").open("wb")
        self.n, self.size, self.rows, self.volumes = 0, None, [], []

    def add(self, subject: str, stack: np.ndarray, keep: np.ndarray, window: Window) -> None:
        stack = np.ascontiguousarray(stack, dtype=np.float32)
        self.size = stack.shape[1]
        self.file.write(stack.tobytes())
        start, end = self.n, self.n + len(stack)
        self.rows += [[start + int(i), start, end] for i in np.flatnonzero(keep)]
        self.volumes.append({"subject": subject, "start": start, "end": end, "slices": int(keep.sum()),
                             "window": [float(window.lo), float(window.hi), float(window.log_offset)]})
        self.n = end

    def close(self) -> dict:
        self.file.close()
        return {"shape": [self.n, self.size or 0, self.size or 0], "rows": self.rows, "volumes": self.volumes}


def _window(v: list) -> Window:
    return Window(v[0], v[1], log_offset=v[2])


def open_store(folder: Path, domain: str, context: int = 0) -> SliceStore:
    meta = json.loads((folder / "meta.json").read_text())[domain]
    rows = np.asarray(meta["rows"], dtype=np.int64).reshape(-1, 3)
    subjects = [v["subject"] for v in meta["volumes"] for _ in range(v["slices"])]
    return SliceStore(folder / f"{domain}.f32", tuple(meta["shape"]), rows, subjects,
                      [_window(v["window"]) for v in meta["volumes"]], context)


def prepare(folder: Path, fill) -> Path:
    """Create ``folder`` (a store) by ``fill(tmp_folder) -> meta dict`` unless it exists; atomic."""
    if (folder / "meta.json").is_file():
        return folder
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        meta = fill(tmp)
        (tmp / "meta.json").write_text(json.dumps(meta))
        try:
            os.rename(tmp, folder)
        except OSError:  # another process finished the same store first
            if not (folder / "meta.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder
