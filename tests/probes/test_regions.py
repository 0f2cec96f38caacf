"""The regions probe on an IBSI patient."""
import nibabel as nib
import numpy as np
import pytest
from conftest import PET2CT_STS as CONFIG, REPO

from cyclemedgan.errors import UserError
from cyclemedgan.metrics_ct import bulk_density


def test_regions_probe_scores_the_reference_itself_as_the_reference(tmp_path):
    from cyclemedgan.probes.regions import regions

    ct_img = nib.load(str(REPO / "data" / "ibsi-sts-petct" / "STS_002_ct.nii.gz"))
    ref = bulk_density(np.asarray(ct_img.dataobj, np.float32))
    nib.save(nib.Nifti1Image(ref, ct_img.affine), str(tmp_path / "STS_002.nii.gz"))
    rows = regions(str(CONFIG), str(tmp_path))
    assert [r["subject"] for r in rows] == ["STS_002", "STS_002"]  # only the patient with a prediction
    pred, refrow = rows
    for k in ("ssim_inner", "ssim_band", "mae_inner", "body_dice"):
        assert pred[k] == pytest.approx(refrow[k])
    assert refrow["body_dice"] == 1.0 and 0 < refrow["band_share"] < 1 and refrow["ssim_band"] < 1
    with pytest.raises(UserError, match="no tune patient"):
        regions(str(CONFIG), str(tmp_path / "empty"))
