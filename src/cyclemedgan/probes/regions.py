"""Where does a synthetic CT lose SSIM to the reference?

``cyclemedgan probe regions CONFIG PRED_DIR [--role tune]``: for each patient with
``PRED_DIR/<subject>.nii.gz`` (from ``translate``), the SSIM of ``metrics_ct`` (its field of view
too) split into the body's interior (eroded by 2 voxels in-plane) and its outer band, the body
MAE in the interior, and the Dice of the predicted body (> -500 HU), beside the same for the
bulk-density reference (its body is the CT's own).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import ndimage

from cyclemedgan.config import load_config
from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.data.io import load_volume, to_canonical
from cyclemedgan.errors import UserError
from cyclemedgan.metrics import ssim
from cyclemedgan.metrics_ct import HU_WINDOW, body_mask, bulk_density, dice, in_ct_view


def region_scores(vol: np.ndarray, ct: np.ndarray) -> dict[str, float]:
    """SSIM (on HU_WINDOW) in the CT body's interior and outer band, interior MAE (HU), body Dice
    and the band's share of the body, of ``vol`` against ``ct`` (both canonical, in HU)."""
    body = body_mask(ct)
    inner = ndimage.binary_erosion(body, np.ones((5, 5, 1), bool))
    band = body & ~inner
    rng, tc, vc = HU_WINDOW[1] - HU_WINDOW[0], np.clip(ct, *HU_WINDOW), np.clip(vol, *HU_WINDOW)
    return {"ssim_inner": ssim(vc, tc, inner, rng, low=HU_WINDOW[0]) if inner.any() else float("nan"),
            "ssim_band": ssim(vc, tc, band, rng, low=HU_WINDOW[0]),
            "mae_inner": float(np.abs(vol - ct)[inner].mean()) if inner.any() else float("nan"),
            "body_dice": dice(body_mask(vol), body), "band_share": float(band.sum() / body.sum())}


def regions(config: str, pred_dir: str, role: str = "tune") -> list[dict]:
    """Two rows (prediction, reference) per patient of ``role`` with a prediction, each printed."""
    cfg = load_config(config)
    rows = []
    for p in validation_pairs(cfg.data, role=role):
        path = Path(pred_dir) / f"{p.subject}.nii.gz"
        if not path.exists():
            continue
        ct, cimg = load_volume(p.target)
        ct = to_canonical(ct, cimg.affine)
        pred, pimg = load_volume(path)
        pred = in_ct_view(to_canonical(pred, pimg.affine), ct)  # scored as ct_scores scores it
        for name, vol in (("prediction", pred), ("reference", bulk_density(ct))):
            r = {"subject": p.subject, "which": name, **region_scores(vol, ct)}
            rows.append(r)
            print(f"{p.subject} {name:>10}: SSIM interior {r['ssim_inner']:.3f}, outer band {r['ssim_band']:.3f} "
                  f"({100 * r['band_share']:.0f}% of the body); interior MAE {r['mae_inner']:.1f} HU; "
                  f"body Dice {r['body_dice']:.3f}")
    if not rows:
        raise UserError(f"no {role} patient has a prediction in {pred_dir} (<subject>.nii.gz)")
    return rows
