"""A three-class synthetic CT drawn from the PET alone: air / fat / soft tissue (the bar for PET -> CT).

FDG uptake separates the classes: air has none, fat little (SUV ~0.1-0.3), muscle and other soft
tissue more (~0.5-1). Nothing here sees the CT of a patient it maps. Fitted on *unpaired*
training data, by matching shares of voxels between the two domains:

1. from the CTs of the ``train_y`` patients: the share of the body (> -500 HU,
   ``metrics_ct.BODY_HU``) that is fat (``FAT_HU``: -250 to -30 HU), and the median HU of air
   (non-body), fat and the rest of the body (soft tissue; bone included, which the median
   barely moves);
2. on the PETs of the ``train_x`` patients: the body threshold by Otsu's method on log SUV
   (the pooled histogram's valley between air and tissue), and the fat threshold that gives the
   CTs' fat share within that body (a quantile of the pooled body SUV).

``three_class`` then maps a PET in SUV to HU: below the body threshold air, body voxels below the
fat threshold fat, the rest soft tissue. With ``per_volume=True`` the fat threshold is instead
each PET's own quantile at the fitted fat share (adapts to a patient's uptake level).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from skimage.filters import threshold_otsu

from cyclemedgan.metrics_ct import BODY_HU

FAT_HU = (-250.0, -30.0)
LOG_OFFSET = 0.01  # SUV, as the PET window's


@dataclass(frozen=True)
class TissueMap:
    body_suv: float  # SUV above which a voxel is body
    fat_suv: float  # SUV below which a body voxel is fat (pooled fit)
    fat_share: float  # share of body voxels that are fat in the training CTs
    air_hu: float
    fat_hu: float
    soft_hu: float
    per_volume: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


def fit(pets: list[np.ndarray], cts: list[np.ndarray], per_volume: bool = False) -> TissueMap:
    """PET volumes (SUV) of some patients and CT volumes (HU) of *other* patients -> the map."""
    ct = np.concatenate([c.ravel() for c in cts]).astype(np.float64)
    body = ct > BODY_HU
    fat = body & (ct >= FAT_HU[0]) & (ct <= FAT_HU[1])
    fat_share = fat.sum() / body.sum()
    pet = np.concatenate([p.ravel() for p in pets]).astype(np.float64)
    # body: Otsu's threshold on log SUV (air ~0.005 against tissue >= 0.05); not the CT's body share,
    # which depends on where each crop was cut
    body_suv = float(np.exp(threshold_otsu(np.log(np.clip(pet, 0, None) + LOG_OFFSET)))) - LOG_OFFSET
    fat_suv = float(np.quantile(pet[pet > body_suv], fat_share))
    return TissueMap(body_suv, fat_suv, float(fat_share), float(np.median(ct[~body])),
                     float(np.median(ct[fat])), float(np.median(ct[body & ~fat])), per_volume)


def three_class(pet: np.ndarray, m: TissueMap) -> np.ndarray:
    """A PET in SUV -> float32 HU on its grid: air, fat or soft tissue per voxel."""
    body = pet > m.body_suv
    fat_suv = m.fat_suv
    if m.per_volume and body.any():
        fat_suv = float(np.quantile(pet[body], m.fat_share))
    out = np.full(pet.shape, m.air_hu, np.float32)
    out[body] = np.where(pet[body] < fat_suv, m.fat_hu, m.soft_hu)
    return out


def save(m: TissueMap, path: str | Path) -> None:
    Path(path).write_text(m.to_json() + "\n")
