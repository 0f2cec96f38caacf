"""PET simulated from a CT (``paired.pairs: ct_sim``): the tissue classes, SUV marginals that follow
the training PETs, determinism, and a paired store made of train_y CTs only."""
import numpy as np
import pytest

from cyclemedgan.pet_simulation import SuvClasses, ct_classes, fit_classes, simulate_pet


def _ct(shape=(24, 22, 6)) -> np.ndarray:
    """Air around a limb: soft tissue with a fat rim, a bone ring inside, a thin couch below."""
    i, j = np.mgrid[: shape[0], : shape[1]]
    r = np.hypot(i - 11.5, j - 10.5)
    sl = np.full(shape[:2], -1000.0)
    sl[r < 9] = -100.0
    sl[r < 7] = 40.0
    sl[(r > 2) & (r < 3.5)] = 900.0
    sl[22, :] = 200.0  # the couch: one voxel thick, not body
    return np.repeat(sl[:, :, None], shape[2], axis=2).astype(np.float32)


def test_ct_classes_partition_and_leave_the_couch_out():
    ct = _ct()
    c = ct_classes(ct)
    assert (c["air"].astype(int) + c["fat"] + c["soft"] == 1).all()
    assert c["air"][22].all()  # the couch is air for the PET
    assert c["soft"][ct > 250].all()  # bone takes soft tissue's uptake
    assert c["fat"][ct == -100].mean() > 0.8  # the opening takes the rim's one-voxel corners


def test_bone_takes_fat_uptake_when_asked():
    ct = _ct()
    soft, fat = ct_classes(ct), ct_classes(ct, bone_as="fat")
    bone = fat["fat"] & (ct > 250)
    assert bone.any() and not soft["fat"][ct > 250].any()
    assert (fat["fat"] == (soft["fat"] | bone)).all() and (fat["air"] == soft["air"]).all()
    q = np.linspace(0, 1, 1001, dtype=np.float32)
    classes = SuvClasses(air=0.01 * q, fat=0.2 + 0.2 * q, soft=0.6 + 0.8 * q)
    cold = simulate_pet(ct, classes, np.random.default_rng(0), bone_as="fat")
    warm = simulate_pet(ct, classes, np.random.default_rng(0))
    assert np.median(cold[bone]) < 0.8 * np.median(warm[bone])  # a cold ring inside the muscle
    with pytest.raises(ValueError, match="bone_as"):
        ct_classes(ct, bone_as="bone")


def test_simulated_pet_follows_the_classes_and_is_deterministic():
    ct = _ct()
    q = np.linspace(0, 1, 1001, dtype=np.float32)
    classes = SuvClasses(air=0.01 * q, fat=0.2 + 0.2 * q, soft=0.6 + 0.8 * q)
    a = simulate_pet(ct, classes, np.random.default_rng(0))
    b = simulate_pet(ct, classes, np.random.default_rng(0))
    assert a.dtype == np.float32 and a.shape == ct.shape and (a >= 0).all()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, simulate_pet(ct, classes, np.random.default_rng(1)))
    c = ct_classes(ct)
    med = {k: float(np.median(a[m])) for k, m in c.items()}
    assert med["air"] < 0.1 < med["fat"] < med["soft"]
    assert 0.7 < med["soft"] < 1.3  # about the soft quantiles' median (1.0), blurred at the edges


def test_fit_classes_splits_the_pet_at_the_three_class_thresholds():
    rng = np.random.default_rng(0)
    pet = np.concatenate([rng.uniform(0.0, 0.01, 4000), rng.uniform(0.2, 0.4, 3000), rng.uniform(0.8, 1.2, 3000)])
    ct = np.concatenate([np.full(4000, -1000.0), np.full(3000, -100.0), np.full(3000, 40.0)])
    c = fit_classes([pet.astype(np.float32)], [ct.astype(np.float32)])
    # quantiles 5% to 100% (Otsu's body threshold may fall just below the top of the air values)
    assert c.air[-1] <= 0.01 and 0.2 <= c.fat[50] and c.fat[-1] <= 0.4 and c.soft[50] >= 0.8
    assert all(len(v) == 1001 and (np.diff(v) >= 0).all() for v in (c.air, c.fat, c.soft))
