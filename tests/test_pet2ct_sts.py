"""PET -> CT on the embedded IBSI patients: windows, the CT tune baseline and compare in HU."""
import csv

import nibabel as nib
import numpy as np
import pytest
from conftest import REPO, cli

from cyclemedgan.compare import run_compare
from cyclemedgan.config import load_config, replace
from cyclemedgan.data.units import volume_window
from cyclemedgan.errors import UserError
from cyclemedgan.metrics_ct import bulk_density, ct_scores
from cyclemedgan.training.tune import TuneSet, selection_score

CONFIG = REPO / "configs" / "pet2ct-sts.yaml"
TINY = ["model.ngf=4", "model.n_blocks=1", "model.ndf=8", "model.n_layers_d=2", "train.batch_size=2",
        "train.log_every=1", "train.sample_every=2", "train.checkpoint_every=2", "train.tune_every=2",
        "train.init_from="]  # tiny networks cannot start from the shipped start


def test_windows_invert_exactly_suv_and_hu():
    cfg = load_config(CONFIG).data
    pet = volume_window(cfg, "x", np.zeros(3))
    ct = volume_window(cfg, "y", np.zeros(3))
    suv = np.array([0.0, 0.4, 1.7, 3.0, 9.0], np.float32)
    assert pet.log_offset == 0.01  # the config's stated choice: SUV 0-3, linear in log(SUV + 0.01)
    np.testing.assert_allclose(pet.inverse(pet.forward(suv)), np.minimum(suv, 3.0), rtol=1e-5, atol=1e-6)
    hu = np.array([-1000.0, -80.0, 40.0, 700.0, 1500.0, 3000.0], np.float32)
    np.testing.assert_allclose(ct.inverse(ct.forward(hu)), np.minimum(hu, 1500.0), atol=1e-3)


def test_ct_tune_baseline_is_the_bulk_density_reference():
    cfg = load_config(CONFIG)
    tune = TuneSet(cfg)
    assert tune.base == "ref" and tune.roles == ("tune", "train_x") and len(tune) == 4 + 12
    s = tune.subjects[0]
    ref = ct_scores(bulk_density(s.target), s.target, s.mask)
    assert ref["bone_dice"] == 0.0 and ref["mae"] > 50.0
    # the reference itself scores 0; a perfect CT beats it
    assert selection_score({**tune.base_scores, **{f"{k}_ref": v for k, v in tune.base_scores.items()}},
                           "ref") == 0.0
    perfect = tune.scores([tgt_on_source_grid(tune, i) for i in range(len(tune))])
    assert perfect["mae"] == 0.0 and perfect["ssim"] == pytest.approx(1.0)


def tgt_on_source_grid(tune, i):
    from cyclemedgan.data.io import from_canonical

    s = tune.subjects[i]
    return from_canonical(s.target, s.affine)


def _subset_split(path, keep: dict[str, int]):
    """The IBSI split with only the first ``keep[role]`` patients of each role (a faster compare)."""
    rows = list(csv.DictReader((REPO / "data" / "ibsi-sts-petct" / "split.csv").open()))
    kept = [r for r in rows if sum(q["role"] == r["role"] for q in rows[:rows.index(r) + 1]) <= keep[r["role"]]]
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(kept)
    return path


def test_compare_petct_scores_in_hu_with_the_bulk_density_row(tmp_path):
    split = _subset_split(tmp_path / "split.csv", {"train_x": 3, "train_y": 3, "tune": 1, "val": 1})
    out = run_compare(str(CONFIG), TINY + [f"data.split_file={split}", "train.tune_roles=[tune]"],
                      ["bulk", "three-class", "cyclegan"], steps=2, out=tmp_path / "cmp", progress=False)
    rows = {r["method"]: r for r in csv.DictReader((out / "table.csv").open())}
    assert set(rows) == {"bulk", "three-class", "cyclegan"}
    assert float(rows["three-class"]["mae_mean"]) < 150 and (out / "data" / "three-class.json").is_file()
    assert {"mae_mean", "ssim_mean", "bone_dice_mean", "mae_tumour_mean"} <= set(rows["bulk"])
    assert float(rows["bulk"]["bone_dice_mean"]) == 0.0
    table = (out / "table.md").read_text()
    assert "Bulk density" in table and "Three-class PET map" in table and "bone Dice" in table and "STS_004" in table
    # the CycleGAN prediction is a float32 CT in HU on the PET grid, with the PET's affine
    pet = nib.load(str(out / "data" / "input" / "STS_004.nii.gz"))
    sct = nib.load(str(out / "cyclegan" / "pred-best" / "STS_004.nii.gz"))
    assert sct.shape == pet.shape and np.allclose(sct.affine, pet.affine)
    hu = np.asarray(sct.dataobj)
    assert hu.dtype == np.float32 and -1000.0 <= hu.min() and hu.max() <= 1500.0
    assert (out / "figure.png").is_file() and (out / "tumour.png").is_file() and (out / "report.html").is_file()
    with (out / "cyclegan" / "metrics.csv").open() as f:
        header = next(csv.reader(f))
    assert "tune/mae_ref" in header and "tune/psnr_ref" in header


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


def test_outline_probe_reports_the_reference_and_a_pet_drawn_map(capsys):
    from cyclemedgan.probes.outline import outline

    rows = outline(str(CONFIG))
    assert len(rows) == 4 and all(0 < r["ring"] < 1 and 0 < r["dice"] <= 1 for r in rows)
    tune = TuneSet(replace(load_config(CONFIG), train={"tune_roles": ("tune",)}))  # outline's role: tune
    assert np.mean([r["mae_ct_body"] for r in rows]) == pytest.approx(tune.base_scores["mae"])
    assert "from the PET" in capsys.readouterr().out


def test_tissues_probe_orders_the_classes_by_uptake(capsys):
    from cyclemedgan.probes.tissues import tissues

    out = tissues(str(CONFIG), roles=("tune",))
    med = {k: v["percentiles"][2] for k, v in out.items()}
    assert med["air"] < med["fat"] < med["soft tissue"]  # FDG: air ~0, fat low, muscle higher
    assert med["fat"] < med["bone"] < med["soft tissue"]  # bone's uptake lies between fat's and muscle's,
    assert out["fat"]["auc_bone"] > 0.5 > out["soft tissue"]["auc_bone"]  # so its AUC is above 0.5 against fat only
    assert "(4 patients: tune)" in capsys.readouterr().out
    with pytest.raises(UserError, match="no paired patients"):
        tissues(str(CONFIG), roles=("nobody",))


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


def test_choose_probe_applies_the_tune_rule_and_averages_seeds(tmp_path, capsys):
    from cyclemedgan.probes.choose import choose

    head = ["step", "loss", "tune/ssim", "tune/psnr", "tune/ssim_ref", "tune/psnr_ref", "tune/mae", "tune/mae_ref",
            "tune/score"]
    curves = {"A_s0": [(50, 0.60, 98.0, -4.2), (100, 0.62, 101.0, -3.8)],  # step 100 scores higher, MAE above ref
              "A_s1": [(50, 0.61, 97.0, -4.0), (100, 0.60, 98.5, -4.1)]}
    for name, rows in curves.items():
        (tmp_path / name).mkdir()
        with (tmp_path / name / "metrics.csv").open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(head)
            w.writerow([10, 0.5] + [""] * 7)  # a step without a tune point
            for step, ssim, mae, score in rows:
                w.writerow([step, 0.5, ssim, 23.0, 0.73, 23.6, mae, 99.0, score])
    picked = choose([str(tmp_path / "A_s0"), str(tmp_path / "A_s1")])
    assert [picked[str(tmp_path / n)]["step"] for n in curves] == [50, 50]
    assert "A  " in capsys.readouterr().out.split("mean of 2")[0].splitlines()[-1]
    with pytest.raises(UserError, match="no metrics.csv"):
        choose([str(tmp_path / "missing")])


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
