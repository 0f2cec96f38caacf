"""Synthetic-CT references that need no training, written as folders of volumes ``compare``
scores like any method's predictions: the bulk-density map (body 0 HU, air -1000 HU, the body
taken from the real CT) and the three-class PET map of ``tissue_map.py`` (from the PET alone)."""
from __future__ import annotations

from pathlib import Path

from cyclemedgan.config import Config
from cyclemedgan.data.io import list_volumes, load_volume, save_volume
from cyclemedgan.metrics_ct import bulk_density


def bulk_density_folder(tgt: Path, out: Path) -> Path:
    """The bulk-density reference of every real CT (HU) in ``tgt``, on its grid -> ``out``
    (volumes already there are kept); returns ``out``."""
    for v in list_volumes(tgt):
        dst = out / v.name
        if not dst.is_file():
            ct, img = load_volume(v)
            save_volume(bulk_density(ct), img, dst)
    return out


def three_class_folder(cfg: Config, inp: Path, out: Path) -> Path:
    """The three-class PET map (HU) of every PET (SUV) in ``inp``, fitted on the train_x PETs and
    train_y CTs of the split (unpaired; no CT of a scored patient) -> ``out``, the fitted map
    -> ``out``/../three-class.json; returns ``out``."""
    from cyclemedgan.data.paths import source_path, target_path
    from cyclemedgan.data.split import read_split, subjects_with_role
    from cyclemedgan.tissue_map import fit, save, three_class

    rows = read_split(cfg.data.split_file)
    m = fit([load_volume(source_path(cfg.data, s))[0] for s in subjects_with_role(rows, "train_x")],
            [load_volume(target_path(cfg.data, s))[0] for s in subjects_with_role(rows, "train_y")])
    out.mkdir(parents=True, exist_ok=True)
    save(m, out.parent / "three-class.json")
    for v in list_volumes(inp):
        pet, img = load_volume(v)
        save_volume(three_class(pet, m), img, out / v.name)
    return out
