"""Resampling between grids through their affines (never by voxel index).

PET and CT of one patient share a frame of reference (scanner millimetres) but not a voxel grid.
``resample_to_grid`` maps a volume onto another grid by world coordinates (nibabel.processing,
scipy spline interpolation underneath): each target voxel centre is sent through the target
affine to millimetres, then through the inverse source affine to a fractional source index.
Downsampling first smooths with a Gaussian matched to the spacing ratio, so that a 1 mm CT on a
4-5 mm PET grid holds local means, not aliased samples of single voxels.
"""
from __future__ import annotations

import nibabel as nib
import numpy as np
from nibabel.processing import resample_from_to
from scipy import ndimage


def voxel_sizes(affine: np.ndarray) -> np.ndarray:
    """Spacing (mm) along each voxel axis of a 4x4 affine."""
    return np.sqrt((np.asarray(affine)[:3, :3] ** 2).sum(axis=0))


def resample_to_grid(volume: np.ndarray, affine: np.ndarray, shape: tuple[int, int, int],
                     target_affine: np.ndarray, order: int = 1, cval: float = 0.0,
                     antialias: bool = True) -> np.ndarray:
    """(I, J, K) ``volume`` with ``affine`` -> float32 array of ``shape`` on ``target_affine``.

    ``order`` 0 (nearest: labels and masks) or 1 (linear: intensities); ``cval`` fills target
    voxels outside the source field of view (e.g. -1000 HU, 0 SUV). With ``antialias`` and
    order > 0, each source axis along which the target is coarser is first smoothed with a
    Gaussian of sigma = sqrt(ratio^2 - 1) / 2.355 source voxels (FWHM of the target voxel), ratio
    = target spacing / source spacing along that axis's world direction."""
    data = np.asarray(volume, dtype=np.float32)
    if antialias and order > 0:
        # one source voxel step, in target voxel units: its length is 1 / ratio along that axis
        steps = np.linalg.inv(np.asarray(target_affine)[:3, :3]) @ np.asarray(affine)[:3, :3]
        ratio = 1.0 / np.linalg.norm(steps, axis=0)
        sigma = np.where(ratio > 1, np.sqrt(np.maximum(ratio**2 - 1, 0)) / 2.355, 0.0)
        if sigma.any():
            data = ndimage.gaussian_filter(data, sigma, mode="nearest")
    src = nib.Nifti1Image(data, affine)
    out = resample_from_to(src, (tuple(int(s) for s in shape), np.asarray(target_affine)), order=order,
                           mode="constant", cval=cval)
    return np.asarray(out.dataobj, dtype=np.float32)
