"""Image-quality metrics on paired volumes: SSIM, PSNR, VIF, MAE and LPIPS.

How each is computed (fixed; the README repeats it):
- Volumes are compared in their own intensity units (e.g. the IXI scale, HU), after
  reorientation to RAS+, on 2D axial slices where a metric is 2D.
- ``data_range`` = max - min of the *target* volume, the same for every metric of a subject.
- Mask: a head mask (``head_mask``: Otsu threshold of the target, closed, holes filled per
  slice) unless one is given. Only slices with mask voxels count.
- SSIM (Wang et al. 2004) per axial slice by scikit-image on both images shifted by the target's
  minimum (non-negative, as SSIM assumes): Gaussian window sigma 1.5 (11x11),
  K1 0.01, K2 0.03, population covariance; the SSIM map is averaged over all mask voxels at
  least 5 pixels from the slice border (scikit-image's own mean leaves that border out too).
- PSNR = 10 log10(data_range^2 / MSE), MSE over all mask voxels of the volume (3D).
- PSNR fit: PSNR after the least-squares fit a * pred + b to the target in the mask (per volume).
- MAE: mean |pred - target| over mask voxels, in the volume's units.
- ghost: mean |pred - target| outside the mask dilated by 4 voxels, in % of the target's mean
  in the mask (ghost-to-signal ratio: motion ghosts land in the background).
- VIF: pixel-domain VIF (VIF-P, Sheikh & Bovik 2006) by torchmetrics, per axial slice cropped to
  the mask's bounding box (at least 41x41; smaller slices are mirror-padded), both images scaled by 255 / data_range after
  subtracting the target's minimum (the noise variance sigma_n^2 = 2 assumes 8-bit scale);
  averaged over slices.
- LPIPS (Zhang et al. 2018, AlexNet v0.1, ``metrics_lpips.py``, shipped weights): per axial slice
  with mask voxels, both mapped to [-1, 1] by the target's range (clipped there), whole slices;
  averaged over those slices (the slices SSIM averages over).
"""
from __future__ import annotations

import numpy as np
import torch
from scipy import ndimage
from skimage.filters import threshold_otsu
from skimage.metrics import structural_similarity
from torchmetrics.functional.image import visual_information_fidelity

SSIM_KW = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, K1=0.01, K2=0.03)


def head_mask(target: np.ndarray) -> np.ndarray:
    """(X, Y, Z) canonical volume -> bool mask of the head: Otsu threshold, 3D closing, holes
    filled per axial slice, largest connected component."""
    m = np.pad(target > threshold_otsu(target), 2)
    m = ndimage.binary_closing(m, iterations=2)[2:-2, 2:-2, 2:-2]  # padded: no erosion at the faces
    m = np.stack([ndimage.binary_fill_holes(m[:, :, k]) for k in range(m.shape[2])], axis=2)
    lab, n = ndimage.label(m)
    if n > 1:
        sizes = ndimage.sum(m, lab, range(1, n + 1))
        m = lab == (1 + int(np.argmax(sizes)))
    return m


def ssim(pred: np.ndarray, target: np.ndarray, mask: np.ndarray, data_range: float,
         low: float | None = None) -> float:
    """Masked mean of the per-axial-slice SSIM maps; arrays (X, Y, Z). As in scikit-image's mean
    SSIM, pixels closer than 5 to the slice border (half the 11x11 window) are left out. Both
    images are first shifted by ``low`` (default: the target's minimum) so that the target starts
    at 0: SSIM's luminance term assumes non-negative intensities, and on signed ones (z-scores,
    HU) it swings with the sign near 0. MR magnitudes with a 0 background are unchanged."""
    low = float(target.min()) if low is None else float(low)
    if low:
        pred, target = pred - low, target - low
    pad = 5
    interior = np.zeros(mask.shape[:2], bool)
    interior[pad:-pad, pad:-pad] = True
    if not (mask & interior[:, :, None]).any():  # a mask only at the border: use it whole
        interior[:] = True
    total, count = 0.0, 0
    for k in np.flatnonzero((mask & interior[:, :, None]).any(axis=(0, 1))):
        _, smap = structural_similarity(target[:, :, k], pred[:, :, k], data_range=data_range,
                                        full=True, **SSIM_KW)
        m = mask[:, :, k] & interior
        total += float(smap[m].sum())
        count += int(m.sum())
    return total / count


def psnr(pred: np.ndarray, target: np.ndarray, mask: np.ndarray, data_range: float) -> float:
    mse = float(np.mean((pred[mask].astype(np.float64) - target[mask]) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(data_range**2 / mse)


def psnr_fit(pred: np.ndarray, target: np.ndarray, mask: np.ndarray, data_range: float) -> float:
    """PSNR after the least-squares fit a * pred + b of pred to target in the mask (per volume):
    a PSNR gain that vanishes here was a change of intensity scale, not a correction."""
    p, t = pred[mask].astype(np.float64), target[mask].astype(np.float64)
    a, b = np.polyfit(p, t, 1) if np.ptp(p) > 0 else (0.0, float(t.mean()))
    return psnr(a * pred.astype(np.float64) + b, target, mask, data_range)


GHOST_MARGIN = 4  # voxels the head mask is dilated by before the background starts


def ghost_ratio(pred: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
    """Ghost-to-signal ratio (%): mean |pred - target| in the background (outside the head mask
    dilated by ``GHOST_MARGIN`` voxels), over the mean target in the head mask. Motion ghosts land
    in the background, which the masked scores never see; lower is better."""
    back = ~ndimage.binary_dilation(mask, iterations=GHOST_MARGIN)
    if not back.any():
        return float("nan")
    err = np.abs(pred[back].astype(np.float64) - target[back]).mean()
    return float(100.0 * err / max(float(np.abs(target[mask]).mean()), 1e-12))


def mae(pred: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
    return float(np.mean(np.abs(pred[mask].astype(np.float64) - target[mask])))


def _bbox(mask2d: np.ndarray, min_size: int = 41) -> tuple[slice, slice]:
    out = []
    for axis in (1, 0):
        idx = np.flatnonzero(mask2d.any(axis=axis))
        lo, hi = int(idx[0]), int(idx[-1]) + 1
        n = mask2d.shape[1 - axis]
        if hi - lo < min_size:
            c = (lo + hi) // 2
            lo = max(0, min(c - min_size // 2, n - min_size))
            hi = lo + min_size
        out.append(slice(lo, hi))
    return out[0], out[1]


def vif(pred: np.ndarray, target: np.ndarray, mask: np.ndarray, data_range: float) -> float:
    """Mean VIF-P over axial slices with mask voxels (each cropped to the mask's bounding box)."""
    scale = 255.0 / data_range
    lo = float(target.min())
    values = []
    for k in np.flatnonzero(mask.any(axis=(0, 1))):
        si, sj = _bbox(mask[:, :, k])
        p, t = (np.asarray((a[si, sj, k] - lo) * scale, np.float64) for a in (pred, target))
        short = [(0, max(0, 41 - n)) for n in t.shape]
        if any(s for _, s in short):  # slices smaller than VIF's 41x41 window: mirror-pad
            p, t = np.pad(p, short, mode="symmetric"), np.pad(t, short, mode="symmetric")
        p, t = torch.from_numpy(p)[None, None], torch.from_numpy(t)[None, None]
        values.append(float(visual_information_fidelity(p, t)))
    return float(np.mean(values))


def compare(pred: np.ndarray, target: np.ndarray, mask: np.ndarray | None = None,
            lpips_net=None) -> dict[str, float]:
    """All metrics for one subject; canonical (X, Y, Z) arrays in the target's units.
    ``lpips_net``: a ``metrics_lpips.LPIPS`` (None: no LPIPS)."""
    if pred.shape != target.shape:
        raise ValueError(f"prediction shape {pred.shape} differs from target {target.shape}")
    mask = head_mask(target) if mask is None else mask.astype(bool)
    if not mask.any():
        raise ValueError("the mask is empty")
    data_range = float(target.max() - target.min())
    out = {
        "ssim": ssim(pred, target, mask, data_range),
        "psnr": psnr(pred, target, mask, data_range),
        "psnr_fit": psnr_fit(pred, target, mask, data_range),
        "vif": vif(pred, target, mask, data_range),
        "mae": mae(pred, target, mask),
        "ghost": ghost_ratio(pred, target, mask),
    }
    if lpips_net is not None:
        out["lpips"] = lpips_net(pred, target, mask)
    return out


def lesion_contrast(image: np.ndarray, labels: np.ndarray, mask: np.ndarray,
                    classes: tuple[int, ...] | None = None) -> float:
    """Contrast-to-noise ratio of a lesion against the rest of the brain:
    (mean(image[lesion]) - mean(image[brain \\ lesion])) / std(image[brain \\ lesion]).
    ``classes``: label values that form the lesion (None: every label > 0). A translation that
    keeps the pathology gives a value close to the target's; one that erases it gives ~0."""
    lesion = labels > 0 if classes is None else np.isin(labels, classes)
    lesion &= mask
    brain = mask & ~(labels > 0)
    if not lesion.any() or not brain.any():
        return float("nan")
    rest = image[brain].astype(np.float64)
    return float((image[lesion].mean() - rest.mean()) / (rest.std() + 1e-12))
