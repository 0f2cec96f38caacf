"""End to end through the console entry point, on tiny synthetic data."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import nibabel as nib
import numpy as np
import pytest
from conftest import REPO, cli, phantom, write_nifti, write_series


def test_train_writes_a_complete_run(trained):
    for name in ("config.json", "meta.json", "model.safetensors", "training_state.pt", "metrics.csv",
                 "motion_params.json"):
        assert (trained / name).is_file(), name
    meta = json.loads((trained / "meta.json").read_text())
    assert meta["done"] and meta["step"] == 4
    assert list((trained / "samples").glob("*.png"))
    assert list((trained / "tb").iterdir())
    cfg = json.loads((trained / "config.json").read_text())
    assert cfg["train"]["steps"] == 4 and cfg["loss"]["lambda_cs"] == 1.0
    motion = json.loads((trained / "motion_params.json").read_text())
    assert set(motion) >= {"S001", "S002", "S005", "S006"}
    header = (trained / "metrics.csv").read_text().splitlines()[0]
    assert "G/cycle_style" in header and "G/cycle_perceptual" in header


def test_train_again_does_not_retrain(trained, tiny_config_path, tiny_extractor, capsys):
    before = (trained / "model.safetensors").read_bytes()
    assert cli("train", "--config", tiny_config_path, "--set", f"loss.extractor={tiny_extractor}",
               "--out", trained, "--no-progress") == 0
    assert "not retraining" in capsys.readouterr().out
    assert (trained / "model.safetensors").read_bytes() == before


def test_translate_keeps_shape_geometry_and_scale(trained, tiny_dataset, tmp_path):
    src = tiny_dataset / "cache"
    vol = sorted(src.rglob("S005-*.nii.gz"))[0]
    out = tmp_path / "out.nii.gz"
    assert cli("translate", "--checkpoint", trained, "--input", vol, "--output", out, "--no-progress") == 0
    a, b = nib.load(str(vol)), nib.load(str(out))
    assert b.shape == a.shape
    np.testing.assert_allclose(b.affine, a.affine)
    assert b.get_data_dtype() == np.float32
    assert int(b.header["qform_code"]) == int(a.header["qform_code"])
    assert int(b.header["sform_code"]) == int(a.header["sform_code"])
    x, y = np.asarray(a.dataobj), np.asarray(b.dataobj)
    lo, hi = np.percentile(x, [0.5, 99.5])
    # the input's own scale: the input plus a correction of at most the window's width
    assert np.abs(y - x).max() <= 2 * (hi - lo) + 1e-3
    assert np.corrcoef(x.ravel(), y.ravel())[0, 1] > 0.5


def test_translate_folder_and_evaluate(trained, tiny_dataset, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for s in ("S005", "S006"):
        shutil.copy(tiny_dataset / f"{s}_T1.nii.gz", inp / f"{s}.nii.gz")
    out = tmp_path / "pred"
    assert cli("translate", "--checkpoint", trained, "--input", inp, "--output", out,
               "--direction", "BtoA", "--no-progress") == 0
    assert sorted(p.name for p in out.iterdir()) == ["S005.nii.gz", "S006.nii.gz"]
    csv_path = tmp_path / "m.csv"
    assert cli("evaluate", "--pred", out, "--target", inp, "--out", csv_path) == 0
    lines = csv_path.read_text().splitlines()
    assert lines[0] == "subject,ssim,psnr,psnr_fit,vif,mae,ghost,lpips"
    assert [l.split(",")[0] for l in lines[1:]] == ["S005", "S006", "mean", "std"]


def _one_line_error(capsys, code):
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cyclemedgan: error:") and "\n" not in err and "Traceback" not in err
    return err


def test_bad_inputs_give_one_line_errors_and_write_nothing(trained, tiny_config_path, tmp_path, capsys):
    out = tmp_path / "o.nii.gz"
    err = _one_line_error(capsys, cli("translate", "--checkpoint", trained, "--input",
                                      tmp_path / "nope.nii.gz", "--output", out))
    assert "not found" in err
    (tmp_path / "t.txt").write_text("x")
    assert "not a NIfTI" in _one_line_error(capsys, cli("translate", "--checkpoint", trained,
                                                        "--input", tmp_path / "t.txt", "--output", out))
    write_nifti(tmp_path / "4d.nii.gz", np.zeros((8, 8, 8, 2), np.float32))
    assert "3D" in _one_line_error(capsys, cli("translate", "--checkpoint", trained, "--input",
                                               tmp_path / "4d.nii.gz", "--output", out))
    write_nifti(tmp_path / "ok.nii.gz", phantom())
    assert "not a checkpoint directory" in _one_line_error(
        capsys, cli("translate", "--checkpoint", tmp_path, "--input", tmp_path / "ok.nii.gz", "--output", out))
    assert not out.exists()
    assert "unknown config key" in _one_line_error(capsys, cli("train", "--config", tiny_config_path,
                                                               "--set", "train.nope=1", "--out", tmp_path / "r"))
    assert not (tmp_path / "r").exists()
    assert "config file not found" in _one_line_error(capsys, cli("train", "--config", tmp_path / "c.yaml"))
    write_nifti(tmp_path / "p" / "a.nii.gz", phantom())
    for name in ("a", "b"):
        write_nifti(tmp_path / "t" / f"{name}.nii.gz", phantom())
    assert "no prediction" in _one_line_error(capsys, cli("evaluate", "--pred", tmp_path / "p",
                                                          "--target", tmp_path / "t", "--out", tmp_path / "m.csv"))
    assert not (tmp_path / "m.csv").exists()


def test_translate_folder_with_a_bad_volume_writes_nothing(trained, tiny_dataset, tmp_path, capsys):
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(tiny_dataset / "S005_T1.nii.gz", inp / "a.nii.gz")
    (inp / "b.nii.gz").write_bytes(b"garbage")
    out = tmp_path / "pred"
    _one_line_error(capsys, cli("translate", "--checkpoint", trained, "--input", inp, "--output", out))
    assert not out.exists() or not list(out.iterdir())


def test_shipped_extractor_loads_and_is_small():
    from cyclemedgan.checkpoint import load_extractor, read_run

    path = REPO / "weights" / "bigan-ixi"
    _, meta = read_run(path)
    assert "pretrain-extractor" in meta["command"]
    assert (path / "model.safetensors").stat().st_size < 10 * 2**20
    ext = load_extractor(path)
    import torch

    feats = ext(torch.zeros(1, 1, 128, 128))
    assert len(feats) == 4 and all(torch.isfinite(f).all() for f in feats)


def test_output_window_of_a_cross_modality_checkpoint(trained, tmp_path):
    """output_window 'domain': a fixed target window (e.g. HU) or the fitted one in meta.json."""
    from cyclemedgan.data.intensity import Window
    from cyclemedgan.translate import Translator

    run = tmp_path / "run"
    shutil.copytree(trained, run)
    cfg = json.loads((run / "config.json").read_text())
    cfg["data"].update(output_window="domain", window_y="fixed", range_y=[-1000.0, 2000.0])
    (run / "config.json").write_text(json.dumps(cfg))
    t = Translator(run, "AtoB")
    assert t.output_window(Window(0.0, 1.0)) == Window(-1000.0, 2000.0)
    vol = phantom()
    out = t(vol, np.eye(4))
    assert out.min() >= -1000.0 and out.max() <= 2000.0 and out.max() > 0
    fitted = json.loads((run / "meta.json").read_text())["fitted_windows"]["x"]
    assert Translator(run, "BtoA").output_window(Window(0.0, 1.0)) == Window(*fitted)


def test_translate_a_dicom_series(trained, tmp_path):
    from cyclemedgan.data.io import load_volume

    raw = np.clip(phantom(shape=(40, 36, 20)), 0, 4000).astype(np.uint16)
    write_series(tmp_path / "dcm", raw)
    out = tmp_path / "out.nii.gz"
    assert cli("translate", "--checkpoint", trained, "--input", tmp_path / "dcm", "--output", out, "--no-progress") == 0
    _, ref = load_volume(tmp_path / "dcm")
    img = nib.load(str(out))
    assert img.shape == raw.shape
    np.testing.assert_allclose(img.affine, ref.affine)


def test_cross_modality_skipped_slices_become_background(trained, tmp_path):
    """With output_window 'domain', slices without head are background in target units, never
    source values carried over."""
    from cyclemedgan.translate import Translator

    run = tmp_path / "run"
    shutil.copytree(trained, run)
    cfg = json.loads((run / "config.json").read_text())
    cfg["data"].update(output_window="domain", window_y="fixed", range_y=[-1000.0, 2000.0])
    (run / "config.json").write_text(json.dumps(cfg))
    vol = phantom()
    vol[:, :, :3] = 0.0  # empty slices (axis 2 is R-L for write_nifti's affine; any axis will do)
    vol[:, :, 3:] += 0.0
    out = Translator(run, "AtoB")(vol, np.eye(4))
    np.testing.assert_array_equal(out[:, :, :3], -1000.0)


def test_translate_never_overwrites_an_input(trained, tmp_path, capsys):
    vol = write_nifti(tmp_path / "in" / "a.nii.gz", phantom())
    before = vol.read_bytes()
    assert "overwrite" in _one_line_error(capsys, cli("translate", "--checkpoint", trained, "--input", vol,
                                                      "--output", vol))
    assert "overwrite" in _one_line_error(capsys, cli("translate", "--checkpoint", trained, "--input",
                                                      tmp_path / "in", "--output", tmp_path / "in"))
    assert "overwrite" in _one_line_error(capsys, cli("translate", "--checkpoint", trained, "--input",
                                                      tmp_path / "in" / ".." / "in", "--output", tmp_path / "in"))
    assert vol.read_bytes() == before and sorted(p.name for p in (tmp_path / "in").iterdir()) == ["a.nii.gz"]


def test_an_empty_or_non_mapping_config_is_refused(tmp_path, capsys):
    (tmp_path / "empty.yaml").write_text("")
    assert "is empty" in _one_line_error(capsys, cli("train", "--config", tmp_path / "empty.yaml",
                                                     "--out", tmp_path / "r"))
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    assert "mapping" in _one_line_error(capsys, cli("train", "--config", tmp_path / "list.yaml",
                                                    "--out", tmp_path / "r"))
    assert not (tmp_path / "r").exists()


def test_python_dash_m_cyclemedgan_runs_the_command_line():
    done = subprocess.run([sys.executable, "-m", "cyclemedgan", "train", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--config" in done.stdout
