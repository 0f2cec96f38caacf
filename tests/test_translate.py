"""translate: motion-corrupted MR with and without a negative background (data.clip_negative), a
residual model's identity start, 2.5D stacks, and PET -> CT in HU with the shipped model (DICOM
input, units refused, a PET wider than the canvas, the 511 keV attenuation map)."""
import json
import shutil
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from conftest import cli

from cyclemedgan.config import load_config, replace
from cyclemedgan.data.paths import clean_path
from cyclemedgan.data.io import load_volume
from cyclemedgan.data.motion import corrupt_volume, subject_seed
from cyclemedgan.metrics import head_mask, psnr
from cyclemedgan.training.loop import train
from cyclemedgan.translate import Translator

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tune_head():
    """A tune subject: clean volume, and TorchIO's motion output unclipped (real part: ringing
    leaves negative voxels) and clipped at 0 (the project's simulation)."""
    cfg = load_config("configs/motion-ixi-sim.yaml")
    subject = "IXI056-HH-1327"
    clean, img = load_volume(clean_path(cfg.data, subject))
    raw, _ = corrupt_volume(clean, img.affine, cfg.data.motion, subject_seed(cfg.data.motion, subject), clip=False)
    assert (raw < 0).mean() > 0.05  # a real negative background, not a few voxels
    return clean, raw, np.clip(raw, 0, None), img.affine


def _corrector(tmp_path, clip: bool) -> Translator:
    folder = tmp_path / f"clip-{clip}"
    shutil.copytree("weights/motion-ixi", folder)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["data"]["clip_negative"] = clip
    (folder / "config.json").write_text(json.dumps(cfg))
    return Translator(folder)


def test_negative_background_does_not_change_the_correction(tmp_path, tune_head):
    clean, raw, clipped, affine = tune_head
    head = head_mask(clean)
    dr = float(clean.max() - clean.min())
    on = _corrector(tmp_path, clip=True)
    a, b = on(clipped, affine), on(raw, affine)
    np.testing.assert_array_equal(a[head], b[head])  # the same correction inside the head
    for inp, out in ((clipped, a), (raw, b)):  # and neither worse than its input
        assert psnr(out, clean, head, dr) > psnr(inp, clean, head, dr)
    off = _corrector(tmp_path, clip=False)  # without the clip the window moves with the background
    c = off(raw, affine)
    assert np.abs(c[head] - a[head]).max() > 1.0


def test_inference_does_not_load_the_training_package():
    """translate (import and one checkpoint loaded) needs no module of cyclemedgan.training."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from cyclemedgan.translate import Translator; "
            "Translator('weights/pet2ct-sts'); "
            "bad = [m for m in sys.modules if m.startswith('cyclemedgan.training')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_translate_builds_and_loads_only_the_generator_it_uses():
    """One generator per direction: no discriminator, no other generator, no feature extractor
    (weights/pet2ct-sts is a Cycle-MedGAN: the whole model holds G1, G2, D1, D2)."""
    ab, ba = Translator(REPO / "weights" / "pet2ct-sts"), Translator(REPO / "weights" / "pet2ct-sts", "BtoA")
    assert list(ab.model.generator_nets()) == ["g1"] and list(ba.model.generator_nets()) == ["g2"]
    n = sum(p.numel() for p in ab.model.parameters())
    from cyclemedgan.checkpoint import read_run
    from cyclemedgan.models import build_model

    cfg, _ = read_run(REPO / "weights" / "pet2ct-sts")
    assert n == sum(p.numel() for p in build_model(cfg, inference=True).g1.parameters())
    assert not hasattr(ab.model, "d1") and not hasattr(ab.model, "extractor")


def test_an_unchanged_residual_model_returns_its_input_bit_for_bit(tiny_config):
    """A residual corrector adds its correction to the unclipped input: at initialisation (the
    identity map) even the voxels above the input's 99.5th percentile come back exactly."""
    from cyclemedgan.models import build_model

    model = build_model(tiny_config, inference=True).eval()
    vol = np.random.default_rng(1).gamma(2.0, 100.0, (40, 36, 20)).astype("float32")
    out = Translator.of_model(tiny_config, {}, model)(vol, np.eye(4))
    assert np.array_equal(out, vol) and out.max() > np.percentile(vol, 99.5)


def test_2p5d_model_trains_and_translates_whole_volumes(tune_config, tmp_path):
    """context_slices=1: three neighbouring slices in, the centre one kept; the config insists on
    model.in_channels = 3."""
    from cyclemedgan.config import ConfigError

    with pytest.raises(ConfigError, match="in_channels must be 2"):
        replace(tune_config, data={"context_slices": 1})
    cfg = replace(tune_config, data={"context_slices": 1}, model={"in_channels": 3},
                  loss={"lambda_cp": 0.0, "lambda_cs": 0.0}, method="cyclegan")
    run = train(cfg, tmp_path / "c", progress=False)
    vol = np.random.default_rng(0).uniform(0, 500, (40, 36, 20)).astype("float32")
    out = Translator(run)(vol, np.eye(4))
    assert out.shape == vol.shape and np.isfinite(out).all()


def test_shipped_model_turns_the_pet_dicom_series_into_a_ct_in_hu(tmp_path, capsys):
    from cyclemedgan.cli import main

    out = tmp_path / "sct.nii.gz"
    with pytest.raises(SystemExit) as e:
        main(["translate", "--checkpoint", str(REPO / "weights" / "pet2ct-sts"), "--input",
              str(REPO / "data" / "ibsi-sts-petct" / "dicom" / "STS_001" / "PET"), "--output", str(out),
              "--no-progress"])
    assert e.value.code == 0
    assert "Units GML" in capsys.readouterr().out  # read as SUV, and said so
    pet = nib.load(str(REPO / "data" / "ibsi-sts-petct" / "STS_001_pet.nii.gz"))
    sct = nib.load(str(out))
    assert sct.shape == pet.shape and np.allclose(sct.affine, pet.affine, atol=1e-3)
    hu = np.asarray(sct.dataobj)
    assert hu.dtype == np.float32 and hu.min() >= -1000.0 and hu.max() <= 1500.0
    body = np.asarray(nib.load(str(REPO / "data" / "ibsi-sts-petct" / "STS_001_ct.nii.gz")).dataobj) > -500
    assert np.median(hu[body]) > np.median(hu[~body]) + 300  # the body is not air


def test_translate_refuses_a_pet_or_ct_in_other_units_and_writes_nothing(tmp_path, capsys):
    data = REPO / "data" / "ibsi-sts-petct"
    model = REPO / "weights" / "pet2ct-sts"
    pet = nib.load(str(data / "STS_001_pet.nii.gz"))
    bqml = nib.Nifti1Image(np.asarray(pet.dataobj, np.float32) * 5300.0, pet.affine)  # SUV 1 ~ 5.3 kBq/ml
    nib.save(bqml, str(tmp_path / "bqml.nii.gz"))
    out = tmp_path / "sct.nii.gz"
    assert cli("translate", "--checkpoint", model, "--input", tmp_path / "bqml.nii.gz", "--output", out) == 2
    err = capsys.readouterr().err.strip()
    assert "Bq/ml" in err and "\n" not in err and not out.exists()

    ct = nib.load(str(data / "STS_001_ct.nii.gz"))
    mu = (np.asarray(ct.dataobj, np.float32) + 1000.0) * 9.6e-5  # linear attenuation, 1/cm at 511 keV
    nib.save(nib.Nifti1Image(mu, ct.affine), str(tmp_path / "mu.nii.gz"))
    assert cli("translate", "--checkpoint", model, "--direction", "BtoA", "--input", tmp_path / "mu.nii.gz",
               "--output", out) == 2
    err = capsys.readouterr().err.strip()
    assert "other units" in err and "HU" in err and not out.exists()

    # the same volumes in SUV and HU are translated
    assert cli("translate", "--checkpoint", model, "--input", data / "STS_001_pet.nii.gz", "--output", out,
               "--no-progress") == 0
    assert out.exists()


def test_a_pet_larger_than_the_model_canvas_is_translated_whole(tmp_path):
    from cyclemedgan.translate import Translator, canvas_size

    assert canvas_size(64, "pad_crop", (43, 41)) == 64 and canvas_size(64, "resize", (90, 90)) == 64
    assert canvas_size(64, "pad_crop", (82, 43)) == 96
    pet = nib.load(str(REPO / "data" / "ibsi-sts-petct" / "STS_001_pet.nii.gz"))
    suv = np.asarray(pet.dataobj, np.float32)
    wide = np.concatenate([suv, suv], axis=0)  # 82 voxels along one in-plane axis, 64 the canvas
    sct = Translator(REPO / "weights" / "pet2ct-sts")(wide, pet.affine)
    tissue = wide > 0.3  # SUV of soft tissue: a synthetic CT should not call it air anywhere
    assert sct.shape == wide.shape
    for half in (slice(0, 9), slice(73, 82)):  # the margins a 64-voxel centre crop would cut away
        assert (sct[half][tissue[half]] > -500).mean() > 0.9


def test_translate_writes_a_511_kev_attenuation_map_on_request(tmp_path, capsys):
    from cyclemedgan.metrics_ct import hu_to_mu

    data, model = REPO / "data" / "ibsi-sts-petct", REPO / "weights" / "pet2ct-sts"
    pet = data / "STS_001_pet.nii.gz"
    hu, mu = tmp_path / "sct.nii.gz", tmp_path / "mu.nii.gz"
    assert cli("translate", "--checkpoint", model, "--input", pet, "--output", hu, "--no-progress") == 0
    assert cli("translate", "--checkpoint", model, "--input", pet, "--output", mu, "--mu-map", "--no-progress") == 0
    h, m = nib.load(str(hu)), nib.load(str(mu))
    assert np.allclose(m.affine, h.affine) and m.get_data_dtype() == np.float32
    np.testing.assert_allclose(np.asarray(m.dataobj), hu_to_mu(np.asarray(h.dataobj), 120), atol=1e-6)
    assert 0.0 <= float(np.asarray(m.dataobj).min()) and float(np.asarray(m.dataobj).max()) < 0.2
    out = tmp_path / "x.nii.gz"
    for args in (["--mu-map", "--direction", "BtoA"], ["--mu-map", "--kvp", "125"], ["--kvp", "140"]):
        assert cli("translate", "--checkpoint", model, "--input", pet, "--output", out, *args) == 2
        err = capsys.readouterr().err.strip()
        assert ("--mu-map" in err or "--kvp" in err) and "\n" not in err and not out.exists()
    assert cli("translate", "--checkpoint", model, "--input", pet, "--output", out, "--mu-map", "--kvp", "140",
               "--no-progress") == 0
    np.testing.assert_allclose(np.asarray(nib.load(str(out)).dataobj), hu_to_mu(np.asarray(h.dataobj), 140), atol=1e-6)
