"""The PET -> CT preset end to end on the SPM templates: outputs come back in HU."""
import nibabel as nib
import numpy as np
from conftest import REPO

from cyclemedgan.config import load_config, replace
from cyclemedgan.training.loop import train
from cyclemedgan.translate import translate_path


def test_pet2ct_preset_writes_hu(tiny_extractor, tmp_path):
    cfg = load_config(REPO / "configs" / "pet2ct.yaml",
                      ["model.ngf=4", "model.n_blocks=1", "model.ndf=8", "train.steps=2", "train.batch_size=2",
                       f"loss.extractor={tiny_extractor}", f"data.cache_dir={tmp_path / 'cache'}"])
    run = train(replace(cfg, train={"sample_every": 2, "checkpoint_every": 2}), tmp_path / "run", progress=False)
    src = REPO / "data" / "spm-templates" / "pet2ct" / "superior" / "PET.nii.gz"
    out = tmp_path / "ct.nii.gz"
    translate_path(run, src, out, progress=False)
    a, b = nib.load(str(src)), nib.load(str(out))
    assert b.shape == a.shape
    np.testing.assert_allclose(b.affine, a.affine)
    hu = np.asarray(b.dataobj)
    assert hu.dtype == np.float32 and hu.min() >= -1000.0 and hu.max() <= 2000.0
    assert hu.std() > 0
    # the reverse direction lands on the PET scale fitted on the PET training volume
    translate_path(run, REPO / "data" / "spm-templates" / "pet2ct" / "superior" / "CT.nii.gz",
                   tmp_path / "pet.nii.gz", direction="BtoA", progress=False)
    pet = np.asarray(nib.load(str(tmp_path / "pet.nii.gz")).dataobj)
    assert pet.min() >= 0.0 and pet.max() <= 1.0
