"""Can bone be told from the PET at all (PET -> CT)?

``cyclemedgan probe tissues CONFIG [--roles train_x train_y]``: over those patients' own PET/CT
pairs (never tune or val by default), the SUV percentiles (10, 25, 50, 75, 90) of the voxels in
each CT class (air < -500 HU, fat -150 to -50, soft tissue 0 to 100, bone > 250) and the AUC of
SUV for bone against the other body classes (0.5: SUV alone cannot tell them apart; 0 or 1: one
threshold does).
"""
from __future__ import annotations

import numpy as np
from scipy.stats import mannwhitneyu

from cyclemedgan.config import load_config
from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.data.io import load_volume
from cyclemedgan.errors import UserError

TISSUES_HU = {"air": (-2000.0, -500.0), "fat": (-150.0, -50.0), "soft tissue": (0.0, 100.0), "bone": (250.0, 5000.0)}


def suv_by_tissue(config: str, roles: tuple[str, ...]) -> tuple[dict[str, np.ndarray], int]:
    """({class: SUV of its voxels}, number of patients) over the PET/CT pairs of ``roles``."""
    cfg = load_config(config)
    suv: dict[str, list] = {k: [] for k in TISSUES_HU}
    n = 0
    for role in roles:
        for p in validation_pairs(cfg.data, role=role):
            ct, _ = load_volume(p.target)
            pet, _ = load_volume(p.source)
            if ct.shape != pet.shape:
                raise UserError(f"{p.subject}: PET {pet.shape} and CT {ct.shape} are not on one grid")
            for k, (lo, hi) in TISSUES_HU.items():
                suv[k].append(pet[(ct > lo) & (ct <= hi)])
            n += 1
    if n == 0:
        raise UserError(f"no paired patients with roles {', '.join(roles)} in {config}")
    return {k: np.concatenate(v) for k, v in suv.items()}, n


def tissues(config: str, roles: tuple[str, ...] = ("train_x", "train_y")) -> dict[str, dict]:
    """{class: {n, percentiles[, auc_bone]}}: SUV percentiles per CT class, and for fat and soft
    tissue the AUC of SUV for bone against that class; printed as they are computed."""
    suv, n = suv_by_tissue(config, roles)
    out = {}
    for k, v in suv.items():
        out[k] = {"n": int(v.size), "percentiles": [float(q) for q in np.percentile(v, [10, 25, 50, 75, 90])]}
        print(f"{k:>11} ({v.size} voxels): SUV p10/p25/p50/p75/p90 = "
              + " / ".join(f"{q:.3f}" for q in out[k]["percentiles"]))
    bone = suv["bone"]
    for k in ("fat", "soft tissue"):
        other = suv[k]
        auc = float(mannwhitneyu(bone, other).statistic) / (bone.size * other.size)
        out[k]["auc_bone"] = auc
        print(f"AUC of SUV, bone against {k}: {auc:.3f} (0.5: not separable by SUV)")
    print(f"({n} patients: {', '.join(roles)})")
    return out
