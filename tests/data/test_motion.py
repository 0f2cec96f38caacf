import numpy as np
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
