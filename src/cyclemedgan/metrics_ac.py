"""What a synthetic CT does to PET attenuation correction, measured on lines through the crop.

A PET reconstruction corrects each line of response (LOR) by its attenuation correction factor
ACF = exp(integral of mu dl), mu the 511 keV linear attenuation along the line. A synthetic CT
(``pred``) used in place of the real CT (``target``) multiplies the ACF of a line by
exp(integral of (mu_pred - mu_CT) dl), so for every line this module reports

    e = exp( integral over the line of (mu_pred - mu_CT) dl ) - 1

the relative error in that line's ACF (and so, to first order, in the activity it carries):
e > 0 where the synthetic CT attenuates more than the real one (activity overestimated), e < 0
where it attenuates less.

Exactly what is computed, per axial plane ``[:, :, k]`` of canonical (X, Y, Z) volumes in HU:
1. Field of view: where the CT did not image the PET's grid (face planes at -1000 HU throughout,
   ``metrics_ct.ct_field_of_view``), the prediction is replaced by the CT (``in_ct_view``, as in
   ``ct_scores``), so nothing the CT did not image counts against it.
2. mu maps: both volumes to 511 keV attenuation (1/cm) by ``metrics_ct.hu_to_mu`` (bilinear,
   Carney et al. 2006, for the CT's tube voltage ``kvp``; water 0.096 /cm).
3. Chords: the line integrals of mu_pred - mu_CT on in-plane parallel chords, 180 angles (0, 1,
   ..., 179 degrees) and detector steps of one pixel, by scikit-image's ``skimage.transform.radon``
   (``circle=False``: the plane is padded to its diagonal so that every chord through it is there;
   each angle rotates the plane about pixel (X // 2, Y // 2) by bilinear interpolation and sums
   it along columns), times the pixel spacing in cm. In-plane spacing must be isotropic
   (``spacing_mm`` a pair of equal values; unequal ones raise ValueError, resample first).
4. Body chords only: the body is the real CT above -500 HU (``metrics_ct.body_mask``); a chord is
   kept when its path through the body (the radon transform of the body mask) exceeds 0.5 pixel.
   Chords through air alone are trivially right and are not counted.
5. Complete and truncated: a chord is *truncated* when its path through the body voxels on the
   border ring of the plane's field of view (the outermost pixels of the imaged rectangle; the
   crop's own border when the CT imaged the whole plane) exceeds 0.5 pixel: the body runs out of
   the crop there and the real LOR continues through tissue this crop does not hold. Otherwise
   it is *complete*: all the body along it lies inside the crop.
6. Scores over all, complete and truncated body chords: the signed mean of e (``ac_mean``), the
   mean |e| (``ac_abs``), the 95th percentile of |e| (``ac_p95``) and the share of chords with
   |e| > 5 % (``ac_over5``); suffixes ``_complete`` and ``_truncated`` for the two groups (NaN for
   an empty group). ``ac_abs_tumour``: the mean |e| over the body chords through the tumour mask
   (path through it > 0.5 pixel), each weighted by its path length through the tumour (so that it
   approximates |e| averaged over the tumour's voxels and the angles through each); NaN without a
   tumour mask or when no chord meets it. Counts: ``n_chords``, ``n_complete``, ``n_truncated``,
   ``n_tumour``.

This is a PARTIAL path. Only the part of each line of response inside this crop is integrated,
and only in-plane (transaxial) lines are taken: no oblique LORs, nothing of the body outside the
crop. On a complete chord it is the whole error of that in-plane line; on a truncated one it is
only this crop's share of it. It bounds what this crop contributes to the ACF errors, not the
whole-body ACF error, which also depends on tissue outside the crop.
"""
from __future__ import annotations

import numpy as np
from skimage.transform import radon

from cyclemedgan.metrics_ct import body_mask, ct_field_of_view, hu_to_mu, in_ct_view

ANGLES_DEG = np.arange(180)
MIN_PATH_PX = 0.5  # a chord meets a mask when its path through the mask exceeds this (pixels)
OVER = 0.05  # |e| above this counts in ``ac_over5``
GROUPS = ("", "_complete", "_truncated")
AC_METRICS = tuple(f"ac_{m}{g}" for g in GROUPS for m in ("mean", "abs", "p95", "over5")) + (
    "ac_abs_tumour", "n_chords", "n_complete", "n_truncated", "n_tumour")


def _radon(plane: np.ndarray) -> np.ndarray:
    """Line integrals (pixels x value) of one plane: (detector bins, 180 angles), float64."""
    return radon(np.asarray(plane, np.float64), ANGLES_DEG, circle=False, preserve_range=True)


def _border_ring(fov: np.ndarray) -> np.ndarray:
    """The pixels of a 2-D mask with a 4-neighbour outside it (beyond the array is outside)."""
    p = np.pad(fov, 1, constant_values=False)
    interior = p[1:-1, 1:-1] & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    return fov & ~interior


def _check(pred_hu, target_hu, spacing_mm, tumour):
    pred_hu, target_hu = np.asarray(pred_hu), np.asarray(target_hu)
    if pred_hu.shape != target_hu.shape:
        raise ValueError(f"prediction shape {pred_hu.shape} differs from target {target_hu.shape}")
    if target_hu.ndim != 3:
        raise ValueError(f"expected (X, Y, Z) volumes, got shape {target_hu.shape}")
    if tumour is not None and np.shape(tumour) != target_hu.shape:
        raise ValueError(f"tumour mask shape {np.shape(tumour)} differs from target "
                         f"{target_hu.shape}")
    sx, sy = (float(s) for s in spacing_mm)
    if not (sx > 0 and sy > 0):
        raise ValueError(f"pixel spacing must be positive, got {spacing_mm} mm")
    if not np.isclose(sx, sy, rtol=1e-6, atol=0.0):
        raise ValueError(f"in-plane spacing {sx} x {sy} mm is not isotropic; resample the volumes "
                         "to square pixels first")
    return pred_hu, target_hu, sx


def ac_chords(pred_hu: np.ndarray, target_hu: np.ndarray, spacing_mm: tuple[float, float],
              tumour: np.ndarray | None = None, kvp: int = 120) -> dict[str, np.ndarray]:
    """Every body chord of every axial plane (see the module docstring), as flat arrays:
    ``e`` (exp(integral (mu_pred - mu_CT) dl) - 1), ``truncated`` (bool), ``tumour_cm`` (path
    length through the tumour mask, 0 without one), ``tumour`` (bool: that path exceeds 0.5
    pixel, the chord goes through the tumour), ``body_cm`` (path length through the body),
    ``plane`` (k), ``angle`` (degrees), ``offset`` (detector bin, pixels from the rotation axis
    at pixel (X // 2, Y // 2); 0 is the chord through it)."""
    pred_hu, target_hu, step_mm = _check(pred_hu, target_hu, spacing_mm, tumour)
    cm = step_mm / 10.0
    target = np.asarray(target_hu, np.float64)
    pred = in_ct_view(pred_hu, target)
    dmu = hu_to_mu(pred, kvp).astype(np.float64) - hu_to_mu(target, kvp).astype(np.float64)
    body = body_mask(target)
    fov = ct_field_of_view(target)
    tumour = None if tumour is None else np.asarray(tumour).astype(bool)
    out: dict[str, list] = {k: [] for k in ("e", "truncated", "tumour_cm", "tumour", "body_cm",
                                            "plane", "angle", "offset")}
    for k in range(target.shape[2]):
        b = body[:, :, k]
        if not b.any():
            continue
        body_px = _radon(b)
        keep = body_px > MIN_PATH_PX
        if not keep.any():
            continue
        integral = _radon(dmu[:, :, k])[keep] * cm
        edge = b & _border_ring(fov[:, :, k])
        truncated = (_radon(edge)[keep] > MIN_PATH_PX if edge.any()
                     else np.zeros(int(keep.sum()), bool))
        if tumour is not None and tumour[:, :, k].any():
            tumour_px = _radon(tumour[:, :, k])[keep]
        else:
            tumour_px = np.zeros(int(keep.sum()))
        rows, cols = np.nonzero(keep)
        out["e"].append(np.expm1(integral))
        out["truncated"].append(truncated)
        out["tumour_cm"].append(tumour_px * cm)
        out["tumour"].append(tumour_px > MIN_PATH_PX)
        out["body_cm"].append(body_px[keep] * cm)
        out["plane"].append(np.full(rows.size, k))
        out["angle"].append(ANGLES_DEG[cols])
        out["offset"].append(rows - body_px.shape[0] // 2)
    dtypes = {"e": float, "truncated": bool, "tumour_cm": float, "tumour": bool, "body_cm": float,
              "plane": int, "angle": int, "offset": int}
    return {k: (np.concatenate(v) if v else np.zeros(0, dtypes[k])) for k, v in out.items()}


def _summary(e: np.ndarray, suffix: str) -> dict[str, float]:
    if e.size == 0:
        return {f"ac_{m}{suffix}": float("nan") for m in ("mean", "abs", "p95", "over5")}
    a = np.abs(e)
    return {f"ac_mean{suffix}": float(e.mean()), f"ac_abs{suffix}": float(a.mean()),
            f"ac_p95{suffix}": float(np.percentile(a, 95)),
            f"ac_over5{suffix}": float((a > OVER).mean())}


def ac_scores(pred_hu: np.ndarray, target_hu: np.ndarray, spacing_mm: tuple[float, float],
              tumour: np.ndarray | None = None, kvp: int = 120) -> dict[str, float]:
    """Attenuation-correction scores of one patient (keys ``AC_METRICS``; see the module docstring):
    e = exp(integral (mu_pred - mu_CT) dl) - 1 on in-plane body chords of this crop (a partial
    path), summarised over all, complete and truncated chords, plus the tumour-weighted mean |e|.
    ``spacing_mm``: the in-plane pixel spacing (X, Y) in mm, equal values."""
    if not body_mask(np.asarray(target_hu)).any():
        raise ValueError("the real CT has no voxel above -500 HU (no body to score)")
    c = ac_chords(pred_hu, target_hu, spacing_mm, tumour, kvp)
    e, trunc, w, through = c["e"], c["truncated"], c["tumour_cm"], c["tumour"]
    out = {**_summary(e, ""), **_summary(e[~trunc], "_complete"),
           **_summary(e[trunc], "_truncated")}
    out["ac_abs_tumour"] = (float(np.average(np.abs(e[through]), weights=w[through]))
                            if through.any() else float("nan"))
    out.update(n_chords=int(e.size), n_complete=int((~trunc).sum()), n_truncated=int(trunc.sum()),
               n_tumour=int(through.sum()))
    return out
