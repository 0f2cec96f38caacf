"""The references that need no training, written as folders of volumes."""
import numpy as np
from conftest import write_nifti

from cyclemedgan.baselines import bulk_density_folder
from cyclemedgan.data.io import load_volume
from cyclemedgan.metrics_ct import bulk_density


def _ct(seed: int) -> np.ndarray:
    """Air (-1000 HU) around a soft-tissue block (~40 HU) with some bone."""
    ct = np.full((24, 20, 6), -1000.0, np.float32)
    ct[4:20, 4:16] = 40.0 + np.random.default_rng(seed).normal(0, 5, (16, 12, 6))
    ct[8:12, 8:12] = 900.0
    return ct


def test_bulk_density_folder_maps_every_ct_on_its_grid_and_keeps_volumes_there(tmp_path):
    tgt = tmp_path / "target"
    for n, name in enumerate(("a", "b")):
        write_nifti(tgt / f"{name}.nii.gz", _ct(n))
    out = bulk_density_folder(tgt, tmp_path / "bulk")
    assert out == tmp_path / "bulk" and sorted(p.name for p in out.iterdir()) == ["a.nii.gz", "b.nii.gz"]
    for name in ("a", "b"):
        ct, img = load_volume(tgt / f"{name}.nii.gz")
        ref, ref_img = load_volume(out / f"{name}.nii.gz")
        np.testing.assert_array_equal(ref, bulk_density(ct))
        assert set(np.unique(ref)) == {-1000.0, 0.0}
        np.testing.assert_allclose(ref_img.affine, img.affine)
    before = (out / "a.nii.gz").stat().st_mtime_ns
    write_nifti(tgt / "c.nii.gz", _ct(2))
    bulk_density_folder(tgt, out)  # only the new CT is written
    assert (out / "a.nii.gz").stat().st_mtime_ns == before and (out / "c.nii.gz").is_file()
