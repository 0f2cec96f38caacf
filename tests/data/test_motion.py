import numpy as np
import pytest
from conftest import phantom

from cyclemedgan.config import MotionConfig
from cyclemedgan.data.motion import corrupt_volume, subject_seed


def test_motion_is_seeded_logged_and_visible():
    vol = phantom(shape=(32, 32, 24))
    cfg = MotionConfig(degrees=5, translation_mm=5, num_transforms=2, seed=3)
    a, pa = corrupt_volume(vol, np.diag([2.0, 2, 2, 1]), cfg, subject_seed(cfg, "S001"))
    b, pb = corrupt_volume(vol, np.diag([2.0, 2, 2, 1]), cfg, subject_seed(cfg, "S001"))
    c, _ = corrupt_volume(vol, np.diag([2.0, 2, 2, 1]), cfg, subject_seed(cfg, "S002"))
    np.testing.assert_array_equal(a, b)
    assert pa == pb
    assert not np.array_equal(a, c)
    assert np.array(pa["degrees"]).shape == (2, 3) and np.abs(pa["degrees"]).max() <= 5
    assert np.array(pa["translation_mm"]).shape == (2, 3)
    assert a.dtype == np.float32 and a.shape == vol.shape
    rel = np.abs(a - vol).mean() / vol.mean()
    assert 0.005 < rel < 0.5  # corrupted, but still the same head


def test_bank_motion_is_stitched_along_the_left_right_axis():
    """TorchIO stitches k-space segments along the array's last axis; on the IXI arrays (P, S, R)
    that is left-right, in-plane for axial slices (what data.crop and flip: h assume). The
    difference spectrum of a bank draw is then zero on one band of that k-axis around k = 0 (the
    segment of the reference pose) and on no band of the other two axes."""
    import dataclasses

    import nibabel as nib

    from cyclemedgan.config import load_config
    from cyclemedgan.data.paths import clean_path
    from cyclemedgan.data.io import load_volume

    cfg = load_config("configs/motion-ixi-sim.yaml", ["data.motion.bank_events=[2,3,4]"]).data
    subject = "IXI039-HH-1261"  # train_y: the bank is made of train_y volumes only
    clean, img = load_volume(clean_path(cfg, subject))
    assert nib.aff2axcodes(img.affine)[2] in ("R", "L")
    motion = dataclasses.replace(cfg.motion, num_transforms=4, seed=cfg.motion.seed + 1_000_003)
    raw, _ = corrupt_volume(clean, img.affine, motion, subject_seed(motion, subject), clip=False)
    diff = np.abs(np.fft.fftshift(np.fft.fftn(raw.astype(np.float64)) - np.fft.fftn(clean.astype(np.float64))))
    scale = diff.max()
    for axis in range(3):
        other = tuple(a for a in range(3) if a != axis)
        per_k = diff.max(axis=other) / scale  # the largest difference at each k of this axis
        untouched = per_k < 1e-4  # the reference pose: resampled by the identity, float error only
        centre = diff.shape[axis] // 2
        if axis == 2:
            assert untouched[centre] and 0.05 < untouched.mean() < 0.9
            band = np.flatnonzero(untouched)
            assert np.all(np.diff(band) == 1)  # one contiguous segment
        else:
            assert not untouched.any()


def _stitched_axes(raw: np.ndarray, clean: np.ndarray) -> list[int]:
    """The axes whose difference spectrum is untouched on one contiguous band around k = 0 (the
    reference pose's k-space segment): the axis the segments were stitched along."""
    diff = np.abs(np.fft.fftshift(np.fft.fftn(raw.astype(np.float64)) - np.fft.fftn(clean.astype(np.float64))))
    found = []
    for axis in range(3):
        per_k = diff.max(axis=tuple(a for a in range(3) if a != axis)) / diff.max()
        band = np.flatnonzero(per_k < 1e-4)
        if band.size and diff.shape[axis] // 2 in band and np.all(np.diff(band) == 1):
            found.append(axis)
    return found


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_kspace_axis_chooses_the_stitched_axis(axis):
    """data.motion.kspace_axis (issue 18's model B: another phase-encode axis): the segments lie
    along that axis of the array, the head stays where it was, and 2 (TorchIO's own) is today's."""
    import dataclasses

    from cyclemedgan.config import DataConfig
    from cyclemedgan.data.paths import motion_cache_dir

    vol = phantom(shape=(28, 32, 24))
    affine = np.diag([2.0, 2.5, 3.0, 1.0])
    cfg = MotionConfig(degrees=5, translation_mm=5, num_transforms=3, seed=3, kspace_axis=axis)
    raw, _ = corrupt_volume(vol, affine, cfg, subject_seed(cfg, "S001"), clip=False)
    assert raw.shape == vol.shape and _stitched_axes(raw, vol) == [axis]
    assert np.corrcoef(raw.ravel(), vol.ravel())[0, 1] > 0.8  # the same head, not a transposed one
    if axis == 2:
        default, _ = corrupt_volume(vol, affine, MotionConfig(5, 5, 3, 3), subject_seed(cfg, "S001"), clip=False)
        np.testing.assert_array_equal(raw, default)
    data = DataConfig(cache_dir="c", motion=MotionConfig())
    same = motion_cache_dir(dataclasses.replace(data, motion=MotionConfig(kspace_axis=axis))) == motion_cache_dir(data)
    assert same == (axis == 2)  # today's caches stay valid; another axis is another cache


def test_tune_and_val_volumes_are_those_of_before_the_bank(tmp_path):
    """The corrupted tune and val volumes are what they were before the motion bank existed
    (base commit ab15a8a; its cache folder and sha256 were identical on the machine that wrote
    tests/reference/motion_tune_val_volumes.json). Compared by sums (to 1e-6 relative), which
    survive a CPU's float rounding where the hash may not."""
    import dataclasses
    import json
    from pathlib import Path

    from cyclemedgan.config import load_config
    from cyclemedgan.data.paths import corrupted_path
    from cyclemedgan.data.io import load_volume

    ref = json.loads((Path(__file__).parents[1] / "reference" / "motion_tune_val_volumes.json").read_text())
    cfg = load_config("configs/motion-ixi-sim.yaml", ["paired.draws=16", "data.motion.bank_events=[2,3,4]"]).data
    cfg = dataclasses.replace(cfg, cache_dir=str(tmp_path))
    assert len(ref) == 12
    for subject, (_, total, squares) in ref.items():
        v = load_volume(corrupted_path(cfg, subject))[0].astype(np.float64)
        assert v.sum() == pytest.approx(total, rel=1e-6) and (v ** 2).sum() == pytest.approx(squares, rel=1e-6), subject
