"""How hard is the bulk-density reference (PET -> CT)?

``cyclemedgan probe outline CONFIG [--role tune] [--suv 0.05]``: per patient, the share of body
voxels in the body's outer one-voxel ring (real CT > -500 HU), the Dice of a PET-drawn body
(SUV > ``suv``) against the CT's, and the body MAE of the two-class map (0 / -1000 HU) drawn from
the CT (the reference) and from the PET (what a PET-only method could draw).
"""
from __future__ import annotations

from scipy import ndimage

from cyclemedgan.config import load_config
from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.data.io import load_volume
from cyclemedgan.metrics_ct import body_mask, bulk_density, ct_scores, dice, two_class


def outline(config: str, role: str = "tune", suv: float = 0.05) -> list[dict]:
    """One row per patient of ``role`` (printed as a line): ring, dice, mae_ct_body, mae_pet_body."""
    cfg = load_config(config)
    rows = []
    for p in validation_pairs(cfg.data, role=role):
        ct, _ = load_volume(p.target)
        pet, _ = load_volume(p.source)
        body, pet_body = body_mask(ct), pet > suv
        ring = 1.0 - ndimage.binary_erosion(body).sum() / body.sum()
        from_pet = two_class(pet_body)
        rows.append({"subject": p.subject, "ring": float(ring), "dice": dice(pet_body, body),
                     "mae_ct_body": ct_scores(bulk_density(ct), ct)["mae"], "mae_pet_body": ct_scores(from_pet, ct)["mae"]})
        r = rows[-1]
        print(f"{p.subject}: outer ring {100 * r['ring']:.0f}% of the body; body Dice PET (SUV > {suv}) vs CT "
              f"{r['dice']:.3f}; two-class map body MAE {r['mae_ct_body']:.1f} HU from the CT, "
              f"{r['mae_pet_body']:.1f} HU from the PET")
    return rows
