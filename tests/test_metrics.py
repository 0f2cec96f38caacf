import numpy as np
import pytest
from conftest import phantom
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from cyclemedgan.metrics import SSIM_KW, compare, head_mask, mae, psnr, ssim, vif


@pytest.fixture(scope="module")
def pair():
    t = phantom(shape=(48, 44, 6), seed=1)
    p = t + np.random.default_rng(2).normal(0, 30, t.shape).astype(np.float32)
    return p, t


def test_ssim_and_psnr_agree_with_scikit_image(pair):
    p, t = pair
    full = np.ones(t.shape, bool)
    dr = float(t.max() - t.min())
    ref_ssim = np.mean([structural_similarity(t[:, :, k], p[:, :, k], data_range=dr, **SSIM_KW)
                        for k in range(t.shape[2])])
    assert abs(ssim(p, t, full, dr) - ref_ssim) < 1e-3
    assert abs(psnr(p, t, full, dr) - peak_signal_noise_ratio(t, p, data_range=dr)) < 1e-3


def test_perfect_prediction_and_ordering(pair):
    p, t = pair
    perfect = compare(t, t)
    assert perfect["ssim"] == pytest.approx(1.0) and perfect["mae"] == 0.0
    assert perfect["vif"] == pytest.approx(1.0, abs=1e-6) and perfect["psnr"] == float("inf")
    noisy = compare(p, t)
    worse = compare(t + 3 * (p - t), t)
    for k in ("ssim", "psnr", "vif"):
        assert worse[k] < noisy[k] < perfect[k]
    assert worse["mae"] > noisy["mae"]


def test_head_mask_finds_the_head():
    t = phantom(shape=(48, 44, 24), seed=1)
    m, head = head_mask(t), t > 100
    assert 2 * (m & head).sum() / (m.sum() + head.sum()) > 0.95


def test_mask_restricts_metrics(pair):
    p, t = pair
    mask = t > 100
    corrupted_background = p.copy()
    corrupted_background[~mask] += 500
    assert mae(corrupted_background, t, mask) == pytest.approx(mae(p, t, mask))
    assert vif(p, t, mask, 100.0) > 0


def test_ssim_of_signed_intensities_does_not_depend_on_where_zero_is(pair):
    """z-scored volumes (BraTS) are signed: SSIM shifts both by the target's minimum first, so a
    constant offset of both images changes nothing (without the shift it would)."""
    p, t = pair
    z_t, z_p = (t - t.mean()) / t.std(), (p - t.mean()) / t.std()  # tissue around 0
    full = np.ones(t.shape, bool)
    dr = float(z_t.max() - z_t.min())
    assert ssim(z_p, z_t, full, dr) == pytest.approx(ssim(z_p + 5.0, z_t + 5.0, full, dr), abs=1e-6)
    assert abs(ssim(z_p, z_t, full, dr, low=0.0) - ssim(z_p + 5.0, z_t + 5.0, full, dr, low=0.0)) > 1e-3
