"""A PET simulated from a CT: the source of ``paired.pairs: ct_sim`` (PET -> CT without any pair).

As the motion corrector learns from motion simulated in clean scans, a synthetic-CT generator can
learn from PET simulated in the ``train_y`` patients' CTs, paired with those real CTs: no patient's
PET meets its own CT. The simulation is fitted on *unpaired* data only (``fit_classes``):

1. the tissue classes of a CT (``ct_classes``): air (outside the body), fat (body below
   ``FAT_TOP_HU``, -30 HU) and soft tissue (the rest of the body). Bone (at or above
   ``metrics_ct.BONE_HU``, 250 HU) takes soft tissue's uptake by default (``bone_as="soft"``: the
   generator must place it from anatomy, as the paired bound does) or fat's (``bone_as="fat"``:
   cortex holds almost no FDG, so bone shows as a cold ring or disc inside muscle; a prior from
   physiology, not a value fitted on any pair). The body is the CT above ``BODY_HU`` (-500 HU) after a
   one-voxel opening, in pieces of at least 5% of the largest: the couch and thin lines of the
   table are not body (no FDG there);
2. each class's SUV distribution, from the pooled ``train_x`` PETs, split at the thresholds of the
   three-class map (``tissue_map.fit``: body by Otsu on log SUV, fat below the quantile that gives
   the train_y CTs' fat share): ``QUANTILES`` quantiles per class.

``simulate_pet`` then draws, per class, a smooth Gaussian random field (sigma ``FIELD`` voxels)
mapped through that class's quantiles (a Gaussian copula: each class keeps its SUV marginal, with
spatially correlated uptake; the soft-tissue tail makes hot spots like a tumour's), multiplies by
white noise (``NOISE``, relative) and blurs with a Gaussian of ``PSF`` voxels (the scanner's
resolution, correlating the noise as a reconstruction does). Values are SUV >= 0 on the CT's grid.
The constants were set by eye against real PETs of the tune patients (docs/experiments.md, session
14), not fitted on any pair.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage, special

from cyclemedgan.metrics_ct import BODY_HU, BONE_HU
from cyclemedgan.tissue_map import fit

FAT_TOP_HU = -30.0  # body voxels below this are fat (the top of tissue_map.FAT_HU)
QUANTILES = 1001
FIELD, NOISE, PSF = 1.0, 0.4, 0.6  # voxels, relative, voxels
CLASSES = ("air", "fat", "soft")
BONE_AS = ("soft", "fat")  # the class whose uptake bone takes


@dataclass(frozen=True)
class SuvClasses:
    """Per tissue class, ``QUANTILES`` SUV quantiles (ascending, probabilities 0..1) of the
    training PETs' voxels of that class."""

    air: np.ndarray
    fat: np.ndarray
    soft: np.ndarray


def fit_classes(pets: list[np.ndarray], cts: list[np.ndarray]) -> SuvClasses:
    """PET volumes (SUV) of some patients and CT volumes (HU) of *other* patients -> the class
    SUV quantiles (the PET split at the three-class map's thresholds, ``tissue_map.fit``)."""
    m = fit(pets, cts)
    pet = np.concatenate([p.ravel() for p in pets]).astype(np.float64)
    body = pet > m.body_suv
    parts = {"air": pet[~body], "fat": pet[body & (pet < m.fat_suv)], "soft": pet[body & (pet >= m.fat_suv)]}
    q = np.linspace(0.0, 1.0, QUANTILES)
    return SuvClasses(**{k: np.quantile(v, q).astype(np.float32) for k, v in parts.items()})


def ct_classes(ct: np.ndarray, bone_as: str = "soft") -> dict[str, np.ndarray]:
    """A CT (HU) -> boolean masks of air, fat and soft tissue, which partition it; the body's bone
    (>= ``BONE_HU``) is in the class ``bone_as`` ("soft" or "fat")."""
    if bone_as not in BONE_AS:
        raise ValueError(f"bone_as must be one of {BONE_AS}, not {bone_as!r}")
    body = ndimage.binary_opening(ct > BODY_HU, iterations=1)
    lab, n = ndimage.label(body)
    if n:
        sizes = ndimage.sum(body, lab, range(1, n + 1))
        body = np.isin(lab, 1 + np.flatnonzero(sizes >= 0.05 * sizes.max()))
    fat = body & (ct < FAT_TOP_HU)
    if bone_as == "fat":
        fat |= body & (ct >= BONE_HU)
    return {"air": ~body, "fat": fat, "soft": body & ~fat}


def simulate_pet(ct: np.ndarray, classes: SuvClasses, rng: np.random.Generator,
                 bone_as: str = "soft") -> np.ndarray:
    """A CT (HU, (I, J, K)) -> a simulated FDG PET (SUV >= 0, float32, the same grid); bone takes the
    uptake of the class ``bone_as`` (``ct_classes``)."""
    probs = np.linspace(0.0, 1.0, QUANTILES)
    suv = np.zeros(ct.shape, np.float64)
    for name, mask in ct_classes(ct, bone_as).items():
        g = ndimage.gaussian_filter(rng.standard_normal(ct.shape), FIELD)
        u = special.ndtr(g / g.std())  # uniform marginal, spatially correlated
        suv[mask] = np.interp(u[mask], probs, getattr(classes, name))
    suv *= 1.0 + NOISE * rng.standard_normal(ct.shape)
    return np.clip(ndimage.gaussian_filter(suv, PSF), 0.0, None).astype(np.float32)
