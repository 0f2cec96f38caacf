"""The three-class PET map: fitted on unpaired PET and CT, it separates air / fat / soft tissue."""
import numpy as np

from cyclemedgan.tissue_map import fit, three_class


def _patient(rng, fat_share=0.3, shape=(40, 40, 8)):
    """PET (SUV) and CT (HU) of one synthetic limb: air outside a disc, fat ring, muscle core."""
    i, j = np.mgrid[: shape[0], : shape[1]]
    r = np.hypot(i - shape[0] / 2, j - shape[1] / 2)
    r_body = 15.0
    r_core = r_body * np.sqrt(1 - fat_share)
    cls = np.where(r > r_body, 0, np.where(r > r_core, 1, 2))[:, :, None].repeat(shape[2], 2)
    suv = np.array([0.005, 0.15, 0.8])[cls] * rng.lognormal(0, 0.15, shape)
    hu = np.array([-1000.0, -100.0, 40.0])[cls] + rng.normal(0, 10, shape)
    return suv.astype(np.float32), hu.astype(np.float32), cls


def test_fit_on_other_patients_recovers_the_classes():
    rng = np.random.default_rng(0)
    train = [_patient(rng) for _ in range(4)]
    m = fit([p for p, _, _ in train[:2]], [c for _, c, _ in train[2:]])  # PET of two, CT of two others
    assert 0.005 < m.body_suv < 0.15 and 0.15 < m.fat_suv < 0.8
    assert abs(m.fat_hu + 100) < 5 and abs(m.soft_hu - 40) < 5 and m.air_hu < -990
    pet, ct, cls = _patient(rng)
    sct = three_class(pet, m)
    assert np.mean(np.isclose(sct, np.array([m.air_hu, m.fat_hu, m.soft_hu])[cls])) > 0.95
    assert sct.dtype == np.float32 and sct.shape == pet.shape


def test_on_the_tune_patients_it_beats_a_two_class_pet_map():
    """The bar issue 20 sets: on the 4 tune patients (fitted on train_x PET and train_y CT)."""
    from cyclemedgan.config import load_config
    from cyclemedgan.data.paths import source_path, target_path
    from cyclemedgan.data.io import load_volume
    from cyclemedgan.data.split import read_split, subjects_with_role
    from cyclemedgan.metrics_ct import ct_scores

    cfg = load_config("configs/pet2ct-sts.yaml").data
    rows = read_split(cfg.split_file)
    m = fit([load_volume(source_path(cfg, s))[0] for s in subjects_with_role(rows, "train_x")],
            [load_volume(target_path(cfg, s))[0] for s in subjects_with_role(rows, "train_y")])
    three, two = [], []
    for s in subjects_with_role(rows, "tune"):
        pet, ct = load_volume(source_path(cfg, s))[0], load_volume(target_path(cfg, s))[0]
        three.append(ct_scores(three_class(pet, m), ct)["mae"])
        two.append(ct_scores(np.where(pet > 0.1, 0.0, -1000.0).astype(np.float32), ct)["mae"])
    assert np.mean(three) < np.mean(two) - 5
