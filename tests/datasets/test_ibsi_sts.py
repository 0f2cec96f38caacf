"""The committed compact IBSI PET/CT set: one grid per patient, units and split as documented."""
import nibabel as nib
import numpy as np

from conftest import REPO

from cyclemedgan.datasets.ibsi_sts import convert_patient, make_split
from cyclemedgan.data.split import read_split

STS = REPO / "data" / "ibsi-sts-petct"


def test_split_is_by_patient_and_reproducible():
    rows = read_split(STS / "split.csv")
    counts = {r: sum(x.role == r for x in rows) for r in ("train_x", "train_y", "tune", "val")}
    assert counts == {"train_x": 12, "train_y": 12, "tune": 4, "val": 8}
    assert rows == make_split([r.subject for r in rows])


def test_each_patient_has_pet_ct_and_tumour_on_one_grid():
    for r in read_split(STS / "split.csv"):
        pet, ct, tum = (nib.load(str(STS / f"{r.subject}_{k}.nii.gz")) for k in ("pet", "ct", "tumour"))
        assert pet.shape == ct.shape == tum.shape
        assert np.allclose(pet.affine, ct.affine) and np.allclose(pet.affine, tum.affine)
        assert pet.get_data_dtype() == np.float32 and ct.get_data_dtype() == np.int16
        hu = np.asarray(ct.dataobj)
        assert hu.min() >= -1024 and hu.max() > 300  # air/fat/muscle/bone in HU, bone present
        assert np.asarray(tum.dataobj).any()


def test_convert_patient_resamples_ct_through_the_affines(tmp_path):
    """A synthetic patient: a 1 mm CT with a bone block at a known world position, a 4 mm PET
    grid with another origin; the block lands in the PET voxel that holds its centre."""
    src = tmp_path / "STS_999"
    src.mkdir()
    pet_aff = np.diag([-4.0, -4.0, 3.0, 1.0])
    pet_aff[:3, 3] = (40.0, 30.0, -60.0)
    ct_aff = np.diag([-1.0, -1.0, 3.0, 1.0])
    ct_aff[:3, 3] = (41.5, 31.5, -60.0)
    ct = np.full((60, 50, 10), 0.0, np.float32)  # covers x 41.5 to -17.5 mm, y 31.5 to -17.5 mm
    ct[40:45, 20:25, :] = 1200.0  # bone block, centre at voxel (42, 22)
    nib.save(nib.Nifti1Image(ct, ct_aff), str(src / "CT_image.nii.gz"))
    nib.save(nib.Nifti1Image(np.ones((20, 15, 10), np.float32), pet_aff), str(src / "PET_image.nii.gz"))
    nib.save(nib.Nifti1Image(np.ones((20, 15, 10), np.uint8), pet_aff), str(src / "PET_mask.nii.gz"))
    convert_patient(src, tmp_path)
    out = nib.load(str(tmp_path / "STS_999_ct.nii.gz"))
    hu = np.asarray(out.dataobj)
    world = ct_aff @ np.array([42.0, 22.0, 5, 1.0])
    i, j, _ = np.rint(np.linalg.inv(pet_aff) @ world)[:3].astype(int)
    assert np.unravel_index(np.argmax(hu[:, :, 5]), hu.shape[:2]) == (i, j)
    assert hu[-1, -1, 5] == -1000 and hu[0, 0, 5] == 0  # outside the CT's field of view: air
