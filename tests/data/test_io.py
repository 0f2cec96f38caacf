import nibabel as nib
import numpy as np
import pytest
from conftest import phantom, write_nifti

from cyclemedgan.data.io import copy_as_nii_gz, from_canonical, load_volume, save_volume, to_canonical
from cyclemedgan.errors import UserError


def test_save_keeps_geometry_and_float(tmp_path):
    src = write_nifti(tmp_path / "a.nii.gz", phantom().astype(np.int16), codes=(1, 2))
    data, img = load_volume(src)
    save_volume(data * 0.5 + 0.25, img, tmp_path / "b.nii.gz")
    out = nib.load(str(tmp_path / "b.nii.gz"))
    assert out.shape == img.shape
    np.testing.assert_allclose(out.affine, img.affine)
    assert out.get_data_dtype() == np.float32
    assert int(out.header["qform_code"]) == 1 and int(out.header["sform_code"]) == 2
    assert out.dataobj.slope == 1.0 and out.dataobj.inter == 0.0
    np.testing.assert_allclose(np.asarray(out.dataobj), data * 0.5 + 0.25, rtol=1e-6)


def test_canonical_is_ras_and_round_trip_is_exact():
    vol = phantom()
    affine = np.array([[0, 0, -2.0, 0], [-2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 0, 1]])
    can = to_canonical(vol, affine)
    assert nib.aff2axcodes(affine) == ("P", "S", "L")
    ref = nib.as_closest_canonical(nib.Nifti1Image(vol, affine))
    assert nib.aff2axcodes(ref.affine) == ("R", "A", "S")
    np.testing.assert_array_equal(can, np.asarray(ref.dataobj))
    np.testing.assert_array_equal(from_canonical(can, affine), vol)


def test_bad_inputs_raise_user_errors(tmp_path):
    with pytest.raises(UserError, match="not found"):
        load_volume(tmp_path / "missing.nii.gz")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(UserError, match="not a NIfTI"):
        load_volume(tmp_path / "x.txt")
    (tmp_path / "bad.nii.gz").write_bytes(b"not gzip at all")
    with pytest.raises(UserError, match="cannot read"):
        load_volume(tmp_path / "bad.nii.gz")
    write_nifti(tmp_path / "4d.nii.gz", np.zeros((8, 8, 8, 3), np.float32))
    with pytest.raises(UserError, match="3D volume is expected"):
        load_volume(tmp_path / "4d.nii.gz")


def test_copy_as_nii_gz_compresses_keeps_values_and_leaves_no_temporary_file(tmp_path):
    vol = phantom().astype(np.float32)
    src = write_nifti(tmp_path / "a.nii", vol)
    copy_as_nii_gz(src, tmp_path / "out" / "a.nii.gz")
    copy_as_nii_gz(tmp_path / "out" / "a.nii.gz", tmp_path / "out" / "b.nii.gz")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.nii.gz", "b.nii.gz"]
    for name in ("a.nii.gz", "b.nii.gz"):
        np.testing.assert_array_equal(nib.load(tmp_path / "out" / name).get_fdata(dtype=np.float32), vol)
