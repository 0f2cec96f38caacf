"""The bad-input suite: each case exits non-zero with one line naming the problem, prints no
traceback, leaves no partial output behind and never touches its inputs."""
from __future__ import annotations

import errno
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import cli, phantom, write_nifti, write_series

from cyclemedgan.cli import main


def _translate(ckpt, inp, out):
    return ["translate", "--checkpoint", ckpt, "--input", inp, "--output", out, "--no-progress"]


def _volume(tmp, name, data, **kw):
    return write_nifti(tmp / name, data, **kw)


def _ckpt_copy(trained, tmp, edit):
    c = tmp / "ckpt"
    shutil.copytree(trained, c)
    edit(c)
    return c


def _series_two(tmp):
    write_series(tmp / "dcm", np.full((8, 8, 3), 100, np.uint16))
    write_series(tmp / "dcm2", np.full((8, 8, 3), 100, np.uint16))
    for f in (tmp / "dcm2").iterdir():
        f.rename(tmp / "dcm" / ("b" + f.name))
    return tmp / "dcm"


def _series_missing_slice(tmp):
    write_series(tmp / "dcm", np.full((8, 8, 6), 100, np.uint16), shuffle=False)
    sorted((tmp / "dcm").iterdir())[2].unlink()
    return tmp / "dcm"


def _series_mixed_orientation(tmp):
    import pydicom

    write_series(tmp / "dcm", np.full((8, 8, 4), 100, np.uint16), shuffle=False)
    f = sorted((tmp / "dcm").iterdir())[1]
    ds = pydicom.dcmread(str(f))
    ds.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]  # a sagittal slice in an axial series
    ds.save_as(str(f))
    return tmp / "dcm"


# (id, build(tmp, trained, config) -> argv, words the one line must contain)
CASES = [
    ("input-missing", lambda t, r, c: _translate(r, t / "nope.nii.gz", t / "o.nii.gz"), "not found"),
    ("input-not-nifti", lambda t, r, c: (t.joinpath("a.txt").write_text("x"), _translate(r, t / "a.txt", t / "o.nii.gz"))[1],
     "not a NIfTI"),
    ("input-truncated", lambda t, r, c: (t.joinpath("a.nii.gz").write_bytes(
        _volume(t, "ok.nii.gz", phantom()).read_bytes()[:500]), _translate(r, t / "a.nii.gz", t / "o.nii.gz"))[1], "a.nii.gz"),
    ("input-garbage-gz", lambda t, r, c: (t.joinpath("a.nii.gz").write_bytes(b"\x1f\x8b garbage"),
                                          _translate(r, t / "a.nii.gz", t / "o.nii.gz"))[1], "a.nii.gz"),
    ("input-4d", lambda t, r, c: _translate(r, _volume(t, "a.nii.gz", np.zeros((8, 8, 8, 2), np.float32)), t / "o.nii.gz"),
     "3D"),
    ("input-2d", lambda t, r, c: _translate(r, _volume(t, "a.nii.gz", np.zeros((8, 8), np.float32), affine=np.eye(4)),
                                            t / "o.nii.gz"), "3D"),
    ("input-nan", lambda t, r, c: _translate(r, _volume(t, "a.nii.gz", np.where(phantom() > 300, np.nan, phantom())
                                                        .astype(np.float32)), t / "o.nii.gz"), "NaN"),
    ("input-inf", lambda t, r, c: _translate(r, _volume(t, "a.nii.gz", np.where(phantom() > 300, np.inf, phantom())
                                                        .astype(np.float32)), t / "o.nii.gz"), "a.nii.gz"),
    ("input-empty-folder", lambda t, r, c: (t.joinpath("in").mkdir(), _translate(r, t / "in", t / "out"))[1], "in"),
    ("output-is-input", lambda t, r, c: _translate(r, _volume(t, "a.nii.gz", phantom()), t / "a.nii.gz"), "overwrite"),
    ("output-folder-is-input-folder", lambda t, r, c: (_volume(t, "in/a.nii.gz", phantom()),
                                                       _translate(r, t / "in", t / "in"))[1], "overwrite"),
    ("output-under-a-file", lambda t, r, c: (t.joinpath("f").write_text("x"),
                                             _translate(r, _volume(t, "a.nii.gz", phantom()), t / "f" / "o.nii.gz"))[1],
     "a file is where a folder"),
    ("checkpoint-missing", lambda t, r, c: _translate(t / "no-run", _volume(t, "a.nii.gz", phantom()), t / "o.nii.gz"),
     "not found"),
    ("checkpoint-not-a-run", lambda t, r, c: (t.joinpath("d").mkdir(),
                                              _translate(t / "d", _volume(t, "a.nii.gz", phantom()), t / "o.nii.gz"))[1],
     "not a checkpoint directory"),
    ("checkpoint-corrupt-config", lambda t, r, c: _translate(
        _ckpt_copy(r, t, lambda d: (d / "config.json").write_text("{not json")),
        _volume(t, "a.nii.gz", phantom()), t / "o.nii.gz"), "config"),
    ("checkpoint-truncated-weights", lambda t, r, c: _translate(
        _ckpt_copy(r, t, lambda d: (d / "model.safetensors").write_bytes((d / "model.safetensors").read_bytes()[:100])),
        _volume(t, "a.nii.gz", phantom()), t / "o.nii.gz"), "model.safetensors"),
    ("checkpoint-of-another-kind", lambda t, r, c: _translate(
        Path(json.loads((r / "config.json").read_text())["loss"]["extractor"]),
        _volume(t, "a.nii.gz", phantom()), t / "o.nii.gz"), "g1"),
    ("train-config-missing", lambda t, r, c: ["train", "--config", t / "c.yaml", "--out", t / "run"], "not found"),
    ("train-config-empty", lambda t, r, c: (t.joinpath("c.yaml").write_text(""),
                                            ["train", "--config", t / "c.yaml", "--out", t / "run"])[1], "empty"),
    ("train-config-a-list", lambda t, r, c: (t.joinpath("c.yaml").write_text("- 1\n"),
                                             ["train", "--config", t / "c.yaml", "--out", t / "run"])[1], "mapping"),
    ("train-config-bad-yaml", lambda t, r, c: (t.joinpath("c.yaml").write_text("a: [1, 2\n"),
                                               ["train", "--config", t / "c.yaml", "--out", t / "run"])[1], "YAML"),
    ("train-unknown-key", lambda t, r, c: ["train", "--config", c, "--set", "train.nope=1", "--out", t / "run"],
     "unknown config key"),
    ("train-wrong-type", lambda t, r, c: ["train", "--config", c, "--set", "train.steps=abc", "--out", t / "run"],
     "train.steps"),
    ("train-negative-size", lambda t, r, c: ["train", "--config", c, "--set", "data.image_size=-4", "--out", t / "run"],
     "image_size"),
    ("train-bad-choice", lambda t, r, c: ["train", "--config", c, "--set", "model.upsample=magic", "--out", t / "run"],
     "model.upsample"),
    ("train-override-without-equals", lambda t, r, c: ["train", "--config", c, "--set", "train.steps", "--out", t / "run"],
     "key=value"),
    ("evaluate-pred-missing", lambda t, r, c: ["evaluate", "--pred", t / "p.nii.gz", "--target",
                                               _volume(t, "t.nii.gz", phantom())], "--pred"),
    ("evaluate-shape-mismatch", lambda t, r, c: ["evaluate", "--pred", _volume(t, "p.nii.gz", phantom((40, 36, 18))),
                                                 "--target", _volume(t, "t.nii.gz", phantom())], "shape"),
    ("evaluate-ct-without-body", lambda t, r, c: ["evaluate", "--hu", "--pred", _volume(t, "p.nii.gz", np.full(
        (16, 16, 4), -1000.0, np.float32)), "--target", _volume(t, "t.nii.gz", np.full((16, 16, 4), -1000.0, np.float32))],
     "no body"),
    ("dicom-two-series", lambda t, r, c: _translate(r, _series_two(t), t / "o.nii.gz"), "more than one"),
    ("dicom-missing-slice", lambda t, r, c: _translate(r, _series_missing_slice(t), t / "o.nii.gz"), "evenly spaced"),
    ("dicom-mixed-orientation", lambda t, r, c: _translate(r, _series_mixed_orientation(t), t / "o.nii.gz"), "orientation"),
]


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name,build,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_one_line_and_nothing_written(name, build, words, trained, tiny_config_path, tmp_path, capsys):
    work = tmp_path / "w"
    work.mkdir()
    argv = build(work, trained, tiny_config_path)
    before = _snapshot(work)
    code = cli(*argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("cyclemedgan: error:") and "\n" not in err and "Traceback" not in err, err
    assert words.lower() in err.lower(), err
    assert _snapshot(work) == before  # inputs untouched, no partial output
    print(f"{name}: {err.replace(str(tmp_path), '...')}")  # the list in the closing note: pytest -rP


def test_disk_full_while_writing_leaves_no_partial_output(trained, tmp_path, capsys, monkeypatch):
    import nibabel as nib

    vol = _volume(tmp_path, "a.nii.gz", phantom())

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(nib, "save", full)
    code = cli(*_translate(trained, vol, tmp_path / "out" / "o.nii.gz"))
    err = capsys.readouterr().err.strip()
    assert code == 2 and "No space left on device" in err and "\n" not in err
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_debug_flag_shows_the_traceback(trained, tmp_path):
    from cyclemedgan.errors import UserError

    with pytest.raises(UserError, match="nope.nii.gz"):
        main(["--debug", *[str(a) for a in _translate(trained, tmp_path / "nope.nii.gz", tmp_path / "o.nii.gz")]])


def test_output_folder_not_writable_is_one_line(trained, tmp_path, capsys, monkeypatch):
    """The tests run as root on CI, where chmod does not stop a write: the refusal is simulated
    where the file system would raise it."""
    import os

    vol = _volume(tmp_path, "a.nii.gz", phantom())
    real_mkstemp = __import__("tempfile").mkstemp

    def denied(*a, dir=None, **k):
        if dir is not None and Path(dir).name == "locked":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
        return real_mkstemp(*a, dir=dir, **k)

    monkeypatch.setattr("tempfile.mkstemp", denied)
    code = cli(*_translate(trained, vol, tmp_path / "locked" / "o.nii.gz"))
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Permission denied" in err and "locked" in err and "\n" not in err
    assert not list((tmp_path / "locked").glob("*")) if (tmp_path / "locked").exists() else True
