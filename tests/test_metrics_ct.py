"""Synthetic-CT scores in HU on volumes whose answers are known by construction."""
import numpy as np
import pytest

from cyclemedgan.metrics_ct import BONE_HU, bulk_density, ct_field_of_view, ct_scores, dice


def limb(shape=(32, 32, 6)) -> np.ndarray:
    """Air (-1000 HU) around a soft-tissue disc (40 HU) holding a bone disc (1000 HU)."""
    i, j = np.meshgrid(*[np.arange(n) - n / 2 + 0.5 for n in shape[:2]], indexing="ij")
    r = np.hypot(i, j)
    sl = np.where(r < 12, 40.0, -1000.0)
    sl = np.where(r < 4, 1000.0, sl)
    return np.repeat(sl[:, :, None], shape[2], axis=2).astype(np.float32)


def test_a_perfect_synthetic_ct_scores_perfectly():
    ct = limb()
    s = ct_scores(ct, ct)
    assert s["mae"] == 0.0 and s["bone_dice"] == 1.0 and s["psnr"] == float("inf")
    assert s["ssim"] == pytest.approx(1.0)
    assert np.isnan(s["mae_tumour"])  # no tumour mask given


def test_bulk_density_reference_has_the_expected_errors():
    ct = limb()
    ref = bulk_density(ct)
    assert set(np.unique(ref)) == {-1000.0, 0.0}
    body = ct > -500
    tumour = np.zeros(ct.shape, bool)
    tumour[16, 20, :] = True  # inside the soft tissue (40 HU)
    s = ct_scores(ref, ct, tumour)
    expected = np.abs(ct[body]).mean()  # 40 HU in soft tissue, 1000 HU in bone
    assert s["mae"] == pytest.approx(expected)
    assert s["bone_dice"] == 0.0  # no bone at all
    assert s["mae_tumour"] == pytest.approx(40.0)
    mse = np.mean(np.clip(ct[body], -1000, 1500) ** 2)
    assert s["psnr"] == pytest.approx(10 * np.log10(2500.0**2 / mse))


def test_air_outside_the_body_is_not_scored():
    ct = limb()
    pred = ct.copy()
    pred[ct < -500] = 500.0  # wrong everywhere outside the body only
    s = ct_scores(pred, ct)
    assert s["mae"] == 0.0 and s["psnr"] == float("inf")
    assert s["bone_dice"] < 1.0  # but the air turned into "bone" counts against bone Dice


def test_bone_dice_of_a_shifted_bone():
    a = np.zeros((10, 10, 1), bool)
    b = np.zeros((10, 10, 1), bool)
    a[2:6, 2:6] = True
    b[4:8, 2:6] = True  # half the area overlaps
    assert dice(a, b) == pytest.approx(0.5)
    assert dice(a & False, b & False) == 1.0
    assert BONE_HU == 250.0


def test_no_body_is_an_error():
    air = np.full((16, 16, 2), -1000.0, np.float32)
    with pytest.raises(ValueError, match="no body"):
        ct_scores(air, air)


def test_ssim_does_not_swing_with_the_sign_of_soft_tissue_hu():
    """SSIM on the window offset to 0..2500: a 20 HU error in soft tissue costs about the same on
    either side of 0 HU (on signed HU, -10 against 10 HU scored about 0.5, -30 against 30 below 0)."""
    rng = np.random.default_rng(0)
    ct = np.full((40, 40, 4), 10.0, np.float32) + rng.normal(0, 5, (40, 40, 4)).astype(np.float32)
    around_zero = ct_scores(ct - 20.0, ct)["ssim"]  # 10 HU tissue predicted at -10 HU
    around_fifty = ct_scores(ct + 20.0, ct + 40.0)["ssim"]  # 50 HU tissue predicted at 70 HU
    assert around_zero > 0.95 and abs(around_zero - around_fifty) < 0.01
    from cyclemedgan.metrics import ssim  # the same images on signed HU: the artefact this avoids

    body = np.ones(ct.shape, bool)
    assert ssim(ct - 20.0, ct, body, 2500.0, low=0.0) < 0.6
    assert ssim(-ct - 20.0, ct + 20.0, body, 2500.0, low=0.0) < 0.0


def test_planes_the_ct_did_not_image_are_not_scored():
    ct = limb((32, 32, 8))
    ct[:, :, :][np.hypot(*np.meshgrid(np.arange(32) - 15.5, np.arange(32) - 15.5, indexing="ij")) < 20] = 40.0
    ct[8:24, 12:20, :] = 1000.0  # bone reaching deep into the planes cut off below
    ct[:, :, 3] = -1000.0  # an inner plane of air: inside the field of view
    imaged = ct.copy()
    ct[-4:, :, :] = -1000.0  # the CT's field of view ends 4 planes before the PET grid does
    fov = ct_field_of_view(ct)
    assert not fov[-4:].any() and fov[:-4, :, 3].all() and fov[:-4].all()
    pet_sees_tissue = imaged.copy()  # a prediction with tissue (and bone) where the CT is padding
    copies_padding = imaged.copy()
    copies_padding[-4:] = -1000.0
    a, b = ct_scores(pet_sees_tissue, ct), ct_scores(copies_padding, ct)
    assert a == pytest.approx(b, nan_ok=True)
    assert a["ssim"] == pytest.approx(1.0) and a["bone_dice"] == 1.0
    shifted = imaged + 30.0  # inside the field of view errors still count
    assert ct_scores(shifted, ct)["mae"] == pytest.approx(30.0)


def test_hu_to_mu_is_carneys_bilinear_map():
    from cyclemedgan.metrics_ct import MU_511, hu_to_mu

    assert hu_to_mu(np.array([-1000.0, -1200.0, 0.0]), 120).tolist() == pytest.approx([0.0, 0.0, 0.096])
    for kvp, (a, b, knee) in MU_511.items():
        below, above = hu_to_mu(np.array([knee - 1e-3, knee + 1e-3]), kvp)
        assert below == pytest.approx(above, abs=5e-5)  # continuous at the break point (published constants, rounded)
        hu = np.linspace(-1000, 2000, 301)
        assert np.all(np.diff(hu_to_mu(hu, kvp)) > 0)  # monotone: denser is more attenuating
    assert 0.16 < hu_to_mu(np.array([1500.0]), 120)[0] < 0.18  # cortical bone at 120 kVp
    with pytest.raises(ValueError, match="kVp"):
        hu_to_mu(np.zeros(2), 125)


def test_surface_dice_forgives_one_voxel_that_bone_dice_does_not():
    from cyclemedgan.metrics_ct import dice, shift_ceiling, surface_dice

    bone = np.zeros((30, 30, 10), bool)
    bone[10:20, 10:12, 2:8] = True  # a 2-voxel-thick cortex plate
    shifted = np.roll(bone, 1, axis=1)
    assert surface_dice(bone, bone) == 1.0 and surface_dice(bone, shifted) == 1.0
    assert dice(bone, shifted) < 0.6
    assert surface_dice(bone, np.roll(bone, 3, axis=1)) < 0.5
    assert surface_dice(bone, np.zeros_like(bone)) == 0.0 and surface_dice(~np.ones_like(bone), ~np.ones_like(bone)) == 1.0
    hu = np.where(bone, 800.0, 0.0)
    assert shift_ceiling(hu) == pytest.approx(np.mean([dice(bone, np.roll(bone, s, a)) for a in range(3) for s in (-1, 1)]))
    assert 0.3 < shift_ceiling(hu) < 0.9


def test_bone_scores_in_ct_scores():
    ct = np.full((30, 30, 10), -1000.0)
    ct[5:25, 5:25, :] = 40.0
    ct[12:18, 12:14, 2:8] = 900.0
    s = ct_scores(ct.copy(), ct)
    assert s["bone_surface_dice"] == 1.0 and s["mae_bone"] == 0.0 and s["bone_dice"] == 1.0
    flat = np.where(ct > -500, 40.0, -1000.0)
    s = ct_scores(flat, ct)
    assert s["bone_surface_dice"] == 0.0 and s["mae_bone"] == pytest.approx(860.0)
    assert s["bone_dice_shift1"] == ct_scores(ct.copy(), ct)["bone_dice_shift1"]  # a property of the target
