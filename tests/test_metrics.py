import numpy as np
import pytest
from conftest import phantom
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from cyclemedgan.metrics import GHOST_MARGIN, SSIM_KW, compare, ghost_ratio, head_mask, mae, psnr, psnr_fit, ssim, vif


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


def test_psnr_fit_ignores_a_change_of_scale_that_psnr_sees(pair):
    p, t = pair
    mask = t > 100
    dr = float(t.max() - t.min())
    assert psnr_fit(1.2 * p + 7, t, mask, dr) == pytest.approx(psnr_fit(p, t, mask, dr), abs=1e-6)
    assert psnr(1.2 * p + 7, t, mask, dr) < psnr(p, t, mask, dr) - 1
    assert psnr_fit(p, t, mask, dr) >= psnr(p, t, mask, dr) - 1e-9  # the fit can only help


def test_ghost_ratio_sees_the_background_and_only_it(pair):
    p, t = pair
    mask = t > 100
    clean = ghost_ratio(t, t, mask)
    ghosted = t.copy()
    far = ~ndimage.binary_dilation(mask, iterations=GHOST_MARGIN)
    ghosted[far] += 0.1 * t[mask].mean()  # a ghost at 10% of the signal, outside the head
    assert clean == 0.0 and ghost_ratio(ghosted, t, mask) == pytest.approx(10.0, rel=1e-6)
    inside = t.copy()
    inside[mask] += 50.0  # an error inside the head is the masked scores' job, not this one's
    assert ghost_ratio(inside, t, mask) == 0.0
