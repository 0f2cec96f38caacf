"""DICOM series in: geometry, Hounsfield units and SUV, on series written with pydicom."""
import numpy as np
import pytest
from conftest import write_series
from pydicom.dataset import Dataset

from cyclemedgan.data.io import load_volume
from cyclemedgan.errors import UserError


def test_ct_series_geometry_and_hu(tmp_path):
    raw = np.random.default_rng(1).integers(0, 3000, (6, 5, 4)).astype(np.uint16)
    write_series(tmp_path / "ct", raw, intercept=-1024.0)
    data, img = load_volume(tmp_path / "ct")
    np.testing.assert_array_equal(data, raw.astype(np.float32) - 1024)  # sorted by position, in HU
    expected = np.array([[-0.8, 0, 0, 10.0], [0, -0.7, 0, 20.0], [0, 0, 2.5, 30.0], [0, 0, 0, 1]])
    np.testing.assert_allclose(img.affine, expected)  # LPS -> RAS


def test_pet_series_becomes_suv(tmp_path):
    rp = Dataset()
    rp.RadionuclideTotalDose = 370e6  # Bq
    rp.RadionuclideHalfLife = 6586.2  # s, F-18
    rp.RadiopharmaceuticalStartTime = "100000"
    extra = {"Units": "BQML", "PatientWeight": 74.0, "SeriesTime": "110000",
             "RadiopharmaceuticalInformationSequence": [rp]}
    raw = np.full((4, 4, 3), 1000, np.uint16)
    write_series(tmp_path / "pet", raw, modality="PT", slope=5.0, extra=extra)
    data, _ = load_volume(tmp_path / "pet")
    dose = 370e6 * 2 ** (-3600 / 6586.2)
    np.testing.assert_allclose(data, 5000.0 * 74000.0 / dose, rtol=1e-5)


def test_pet_without_suv_tags_keeps_units_and_says_so(tmp_path, capsys):
    write_series(tmp_path / "pet", np.full((4, 4, 2), 7, np.uint16), modality="PT", extra={"Units": "BQML"})
    data, _ = load_volume(tmp_path / "pet")
    assert float(data.max()) == 7.0
    assert "values kept in Bq/ml" in capsys.readouterr().out


def test_not_dicom_folder_is_a_user_error(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.txt").write_text("hello")
    with pytest.raises(UserError, match="DICOM series folder"):
        load_volume(tmp_path / "x")


def test_repeated_slice_positions_are_refused(tmp_path):
    import pydicom
    from pydicom.uid import generate_uid

    write_series(tmp_path / "a", np.zeros((4, 4, 3), np.uint16), shuffle=False)
    ds = pydicom.dcmread(str(sorted((tmp_path / "a").iterdir())[0]))
    ds.SOPInstanceUID = generate_uid()  # the same position again, as in a dynamic series
    ds.save_as(str(tmp_path / "a" / "dup"), enforce_file_format=True)
    with pytest.raises(UserError, match="not evenly spaced"):
        load_volume(tmp_path / "a")


def test_pet_in_units_gml_is_read_as_suv_with_a_note(tmp_path, capsys):
    write_series(tmp_path / "pet", np.full((4, 4, 2), 300, np.uint16), modality="PT", slope=0.01,
                 extra={"Units": "GML", "DecayCorrection": "ADMIN"})
    data, _ = load_volume(tmp_path / "pet")
    np.testing.assert_allclose(data, 3.0, rtol=1e-6)  # stored values are SUVbw already
    assert "Units GML" in capsys.readouterr().out


def test_the_shipped_pet_dicom_series_equals_the_shipped_nifti():
    """A real GE PET series (Units GML) of patient STS_001 reads as the IBSI's NIfTI of it: same
    SUV values (to float32 rounding) and the same affine, so DICOM input gets the same geometry."""
    import nibabel as nib
    from conftest import REPO

    data, img = load_volume(REPO / "data" / "ibsi-sts-petct" / "dicom" / "STS_001" / "PET")
    ref = nib.load(str(REPO / "data" / "ibsi-sts-petct" / "STS_001_pet.nii.gz"))
    np.testing.assert_allclose(img.affine, ref.affine, atol=1e-3)
    np.testing.assert_allclose(data, ref.get_fdata(dtype=np.float32), atol=1e-4)
