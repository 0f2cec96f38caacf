"""Resampling through affines: a landmark lands where the world coordinates say it should."""
import numpy as np
import pytest

from cyclemedgan.data.resample import resample_to_grid, voxel_sizes


def _affine(spacing, origin, flip_x=False):
    a = np.diag([*spacing, 1.0])
    if flip_x:  # a left-right flipped grid (LPS-like first axis)
        a[0, 0] = -spacing[0]
    a[:3, 3] = origin
    return a


@pytest.mark.parametrize("flip_x", [False, True])
def test_a_landmark_lands_at_its_world_position(flip_x):
    """A bright 3x3x3 block on a fine 1 mm grid, resampled onto a coarse 4 mm grid with another
    origin (and optionally a flipped axis), peaks at the coarse voxel that holds its centre."""
    fine = _affine((1.0, 1.0, 1.0), (-40.0, -30.0, -20.0))
    vol = np.zeros((80, 60, 40), np.float32)
    i, j, k = 50, 22, 17  # world: (10, -8, -3) mm
    vol[i - 1:i + 2, j - 1:j + 2, k - 1:k + 2] = 1000.0
    world = fine @ np.array([i, j, k, 1.0])
    coarse = _affine((4.0, 4.0, 4.0), (-38.5, -29.0, -18.0), flip_x)
    if flip_x:
        coarse[0, 3] = 38.5
    out = resample_to_grid(vol, fine, (20, 15, 10), coarse, order=1)
    peak = np.unravel_index(np.argmax(out), out.shape)
    expected = np.rint(np.linalg.inv(coarse) @ world)[:3].astype(int)
    assert tuple(int(p) for p in peak) == tuple(expected)
    assert out.max() > 0 and out.min() >= 0


def test_nearest_keeps_labels_and_outside_gets_cval():
    fine = _affine((1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
    labels = np.zeros((20, 20, 20), np.float32)
    labels[5:15, 5:15, 5:15] = 3
    coarse = _affine((2.0, 2.0, 2.0), (0.5, 0.5, 0.5))
    out = resample_to_grid(labels, fine, (15, 15, 15), coarse, order=0, cval=-1)
    assert set(np.unique(out)) == {-1.0, 0.0, 3.0}  # no interpolated label values
    assert out[-1, -1, -1] == -1  # beyond the source field of view


def test_downsampling_averages_instead_of_aliasing():
    """A 1-voxel checkerboard on 1 mm, resampled to 4 mm, becomes its mean, not samples of it."""
    fine = _affine((1.0, 1.0, 1.0), (0.0, 0.0, 0.0))
    idx = np.indices((40, 40, 8)).sum(axis=0)
    vol = np.where(idx % 2 == 0, 100.0, -100.0).astype(np.float32)
    coarse = _affine((4.0, 4.0, 1.0), (1.5, 1.5, 0.0))
    out = resample_to_grid(vol, fine, (9, 9, 8), coarse)
    assert np.abs(out[2:-2, 2:-2, 2:-2]).max() < 10  # the mean (0), give or take a little
    # an axis that is not coarser in the target is not smoothed: a z-only pattern survives
    zpat = np.where(np.indices((40, 40, 8))[2] % 2 == 0, 100.0, -100.0).astype(np.float32)
    outz = resample_to_grid(zpat, fine, (9, 9, 8), coarse)
    np.testing.assert_allclose(outz[4, 4], zpat[0, 0], atol=1e-3)
    np.testing.assert_allclose(voxel_sizes(coarse), [4, 4, 1])
