import filecmp

import nibabel as nib
import numpy as np
import pytest
from conftest import REPO

from cyclemedgan.config import load_config
from cyclemedgan.data.pools import training_pools
from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.datasets.spm_templates import transmission_to_hu, write_pet_ct_parts

SPM = REPO / "data" / "spm-templates"


def test_transmission_mapping():
    np.testing.assert_allclose(transmission_to_hu(np.array([0.0, 0.744, 1.488])), [-1000, 0, 1000], atol=1e-3)


def test_committed_parts_are_reproducible(tmp_path):
    write_pet_ct_parts(SPM / "PET.nii", SPM / "Transm.nii", tmp_path)
    for part in ("inferior-even", "inferior-odd", "superior"):
        for name in ("PET", "CT"):
            a = nib.load(str(tmp_path / part / f"{name}.nii.gz"))
            b = nib.load(str(SPM / "pet2ct" / part / f"{name}.nii.gz"))
            np.testing.assert_array_equal(a.get_fdata(), b.get_fdata())
            np.testing.assert_allclose(a.affine, b.affine)
    assert filecmp.cmp(tmp_path / "split.csv", SPM / "pet2ct" / "split.csv", shallow=False)


def test_slab_split_is_disjoint_and_geometry_is_right():
    parts = {p: nib.load(str(SPM / "pet2ct" / p / "CT.nii.gz")) for p in ("inferior-even", "inferior-odd", "superior")}
    z = {p: {round(float((img.affine @ [0, 0, k, 1])[2]), 3) for k in range(img.shape[2])} for p, img in parts.items()}
    assert not z["inferior-even"] & z["inferior-odd"] and not (z["inferior-even"] | z["inferior-odd"]) & z["superior"]
    assert max(z["inferior-odd"]) < min(z["superior"])
    cfg = load_config(REPO / "configs" / "pet2ct.yaml").data
    pool_x, pool_y = training_pools(cfg)
    assert set(pool_x.subjects) == {"inferior-even"} and set(pool_y.subjects) == {"inferior-odd"}
    assert [p.subject for p in validation_pairs(cfg)] == ["superior"]


@pytest.mark.parametrize("name", ["PET", "CT"])
def test_parts_are_float_with_unit_scaling(name):
    img = nib.load(str(SPM / "pet2ct" / "superior" / f"{name}.nii.gz"))
    assert img.get_data_dtype() == np.float32
