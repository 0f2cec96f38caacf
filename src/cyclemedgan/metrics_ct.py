"""Synthetic-CT scores in Hounsfield units (PET -> CT), for attenuation correction.

Fixed definitions (the README repeats them); ``pred`` and ``target`` are canonical (X, Y, Z)
volumes in HU on one grid, ``tumour`` an optional boolean mask:
- body: voxels where the *real* CT is above ``BODY_HU`` (-500 HU); the scores below are taken
  inside it, so that the air around a limb, trivially right, cannot inflate them.
- MAE (HU): mean |pred - target| over the body.
- PSNR (dB): both volumes clipped to ``HU_WINDOW`` (-1000 to 1500 HU), data range 2500 HU,
  MSE over the body.
- SSIM: both clipped to ``HU_WINDOW`` and offset by its low end (-1000 HU -> 0, 1500 HU -> 2500:
  SSIM's luminance term assumes non-negative intensities; on signed HU, soft tissue near 0 HU
  made it swing with the sign: -10 against 10 HU scored about 0.5, -30 against 30 below 0), data
  range 2500 HU, per axial slice as in ``metrics.ssim`` (Gaussian 11x11, sigma 1.5), the SSIM map
  averaged over body voxels.
- LPIPS (``metrics_lpips``): both clipped to ``HU_WINDOW``, mapped to [-1, 1] by it, per axial slice
  with body voxels (whole slices), averaged; lower is more alike.
- bone Dice: Dice of (pred > ``BONE_HU``) and (target > ``BONE_HU``), 250 HU, over the volume;
  1 when neither has bone.
- bone surface Dice: ``surface_dice`` of the same two bone masks at a one-voxel tolerance (chosen
  before any model was scored with it); bone MAE (HU): mean |pred - target| inside the real CT's
  bone mask; ``bone_dice_shift1``: the real CT's bone Dice against itself shifted by one voxel
  (``shift_ceiling``), a property of the target printed beside them as the ceiling of the grid.
- tumour MAE (HU): mean |pred - target| inside the tumour mask (NaN without one).
- field of view: where the CT did not image the PET's grid, the compact data holds -1000 HU
  (`data/ibsi-sts-petct/README.md`): whole planes at the volume's faces, 1-2 for most patients, 8
  for STS_005. ``ct_field_of_view`` finds them (face planes at -1000 HU throughout, peeled inward)
  and ``ct_scores`` scores the prediction there as equal to the CT, so that no method is judged
  on what the CT did not image: a PET shows tissue there, and SSIM windows at the edge, bone Dice
  and a copy of the CT's own outline (the reference) would otherwise differ for that alone. A face
  plane of real air is treated the same, which changes nothing (air is not body).

``bulk_density`` is the reference a synthetic CT must beat: what a two-class attenuation map
gives, body = 0 HU (water) and air = -1000 HU, the body taken from the real CT itself.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from cyclemedgan.metrics import psnr, ssim

BODY_HU = -500.0
BONE_HU = 250.0
HU_WINDOW = (-1000.0, 1500.0)
CT_METRICS = ("mae", "psnr", "ssim", "lpips", "bone_dice", "bone_surface_dice", "mae_bone", "bone_dice_shift1",
              "mae_tumour")
# CT (HU) -> linear attenuation at 511 keV (1/cm), bilinear (Carney et al. 2006, Med. Phys. 33:976, doi
# 10.1118/1.2174132): 9.6e-5 (HU + 1000) below the break point, a (HU + 1000) + b above; per tube voltage
# (kVp): (a, b, break point in HU)
MU_511 = {80: (3.64e-5, 6.26e-2, 50.0), 100: (4.43e-5, 5.44e-2, 52.0), 110: (4.92e-5, 4.88e-2, 43.0),
          120: (5.10e-5, 4.71e-2, 47.0), 130: (5.51e-5, 4.24e-2, 37.0), 140: (5.64e-5, 4.08e-2, 30.0)}
MU_WATER_511 = 0.096  # 1/cm


def hu_to_mu(hu: np.ndarray, kvp: int = 120) -> np.ndarray:
    """A CT (or synthetic CT) in HU -> the 511 keV attenuation map a PET reconstruction takes (1/cm,
    float32), by the bilinear conversion of Carney et al. 2006 for the CT's tube voltage ``kvp``;
    below -1000 HU it is 0. Air 0, water 0.096, cortical bone (1500 HU) about 0.17 at 120 kVp."""
    if kvp not in MU_511:
        raise ValueError(f"no 511 keV conversion for {kvp} kVp; known: {', '.join(map(str, MU_511))}")
    a, b, knee = MU_511[kvp]
    hu = np.maximum(np.asarray(hu, np.float64), -1000.0)
    mu = np.where(hu < knee, MU_WATER_511 / 1000.0 * (hu + 1000.0), a * (hu + 1000.0) + b)
    return mu.astype(np.float32)


def body_mask(target_hu: np.ndarray) -> np.ndarray:
    """The body of a real CT: voxels above -500 HU."""
    return target_hu > BODY_HU


def two_class(body: np.ndarray) -> np.ndarray:
    """The two-class attenuation map of a body mask (float32 HU): 0 HU (water) in the body,
    -1000 HU (air) elsewhere. The one definition: ``bulk_density`` draws the body from the CT,
    ``data.units.bulk_from_source`` and the outline probe from the PET."""
    return np.where(body, 0.0, -1000.0).astype(np.float32)


def bulk_density(target_hu: np.ndarray) -> np.ndarray:
    """Two-class attenuation map from the real CT: 0 HU in its body, -1000 HU elsewhere (float32)."""
    return two_class(body_mask(target_hu))


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """2 |a & b| / (|a| + |b|); 1 when both are empty."""
    total = int(a.sum()) + int(b.sum())
    return 1.0 if total == 0 else 2.0 * int((a & b).sum()) / total


def surface_dice(a: np.ndarray, b: np.ndarray, tolerance: int = 1) -> float:
    """Surface Dice (Nikolov et al. 2021) of two boolean volumes at a tolerance of ``tolerance``
    voxels: the surface of a mask is its voxels with a 6-neighbour outside it; a surface voxel of
    one counts when the other's surface is within ``tolerance`` voxels (chessboard distance: the
    26 neighbours at 1). (|S_a near S_b| + |S_b near S_a|) / (|S_a| + |S_b|); 1 when both are
    empty, 0 when one is. Cortex here is 1-2 voxels thick, so bone Dice punishes a one-voxel
    offset that this forgives."""
    def surface(m: np.ndarray) -> np.ndarray:
        return m & ~ndimage.binary_erosion(m, border_value=0)

    sa, sb = surface(np.asarray(a, bool)), surface(np.asarray(b, bool))
    total = int(sa.sum()) + int(sb.sum())
    if total == 0:
        return 1.0
    cube = np.ones((2 * tolerance + 1,) * 3, bool)
    near_b, near_a = ndimage.binary_dilation(sb, cube), ndimage.binary_dilation(sa, cube)
    return float((int((sa & near_b).sum()) + int((sb & near_a).sum())) / total)


def shift_ceiling(target_hu: np.ndarray, threshold: float = BONE_HU) -> float:
    """Bone Dice of the real CT against itself shifted by one voxel, averaged over the six face
    directions (edges padded with air): what a perfect synthetic CT one voxel off would score."""
    bone = np.asarray(target_hu) > threshold
    vals = []
    for axis in range(3):
        for step in (-1, 1):
            shifted = np.roll(bone, step, axis=axis)
            edge = [slice(None)] * 3
            edge[axis] = 0 if step == 1 else -1
            shifted[tuple(edge)] = False
            vals.append(dice(bone, shifted))
    return float(np.mean(vals))


def ct_field_of_view(target_hu: np.ndarray, outside: float = HU_WINDOW[0]) -> np.ndarray:
    """False on the planes at the volume's faces that are ``outside`` (-1000 HU) or below
    throughout, peeled inward from each face until a plane holds anything else; True elsewhere."""
    low = np.asarray(target_hu) <= outside
    fov = np.ones(low.shape, bool)
    for axis in range(low.ndim):
        full = low.all(axis=tuple(a for a in range(low.ndim) if a != axis))  # per plane along axis
        n = full.size
        head = n if full.all() else int(np.argmin(full))  # leading planes that are all outside
        tail = n if full.all() else int(np.argmin(full[::-1]))
        index = [slice(None)] * low.ndim
        index[axis] = slice(0, head)
        fov[tuple(index)] = False
        index[axis] = slice(n - tail, n)
        fov[tuple(index)] = False
    return fov


def in_ct_view(pred_hu: np.ndarray, target_hu: np.ndarray) -> np.ndarray:
    """The prediction as scored (float64): the CT's own values outside its field of view."""
    target = np.asarray(target_hu, np.float64)
    return np.where(ct_field_of_view(target), np.asarray(pred_hu, np.float64), target)


def ct_scores(pred_hu: np.ndarray, target_hu: np.ndarray, tumour: np.ndarray | None = None,
              lpips_net=None) -> dict[str, float]:
    """All HU scores of one patient (see the module docstring); LPIPS with ``lpips_net`` (a
    ``metrics_lpips.LPIPS``) on ``HU_WINDOW`` mapped to [-1, 1], slices with body voxels."""
    if pred_hu.shape != target_hu.shape:
        raise ValueError(f"prediction shape {pred_hu.shape} differs from target {target_hu.shape}")
    body = body_mask(target_hu)
    if not body.any():
        raise ValueError("the real CT has no voxel above -500 HU (no body to score)")
    target = np.asarray(target_hu, np.float64)
    pred = in_ct_view(pred_hu, target)
    pc, tc = np.clip(pred, *HU_WINDOW), np.clip(target, *HU_WINDOW)
    rng = HU_WINDOW[1] - HU_WINDOW[0]
    tumour = None if tumour is None else tumour.astype(bool)
    out = {
        "mae": float(np.abs(pred[body] - target[body]).mean()),
        "psnr": float(psnr(pc, tc, body, rng)),
        "ssim": ssim(pc, tc, body, rng, low=HU_WINDOW[0]),
        "bone_dice": dice(pred > BONE_HU, target > BONE_HU),
        "bone_surface_dice": surface_dice(pred > BONE_HU, target > BONE_HU),
        "mae_bone": (float(np.abs(pred[target > BONE_HU] - target[target > BONE_HU]).mean())
                     if (target > BONE_HU).any() else float("nan")),
        "bone_dice_shift1": shift_ceiling(target),
        "mae_tumour": (float(np.abs(pred[tumour] - target[tumour]).mean())
                       if tumour is not None and tumour.any() else float("nan")),
    }
    if lpips_net is not None:
        out["lpips"] = lpips_net(pc, tc, body, window=HU_WINDOW)
    return out
