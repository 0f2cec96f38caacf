"""The tune set and its curve: scores every tune_every steps, the selection rule, tune roles and
draws, on tiny data and on the IBSI patients (the CT baseline)."""
import csv

import numpy as np
import pytest
from conftest import PET2CT_STS as CONFIG

from cyclemedgan.checkpoint import read_run
from cyclemedgan.config import ConfigError, load_config, replace, validate
from cyclemedgan.metrics_ct import bulk_density, ct_scores
from cyclemedgan.training.loop import train
from cyclemedgan.training.tune import TuneSet, better, selection_score
from cyclemedgan.translate import Translator


def test_tune_curve_is_logged_and_the_best_checkpoint_kept(tune_config, tmp_path):
    run = train(tune_config, tmp_path / "r", progress=False)
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    scored = [r for r in rows if r["tune/psnr"]]
    assert [int(r["step"]) for r in scored] == [2, 4]
    assert all(r["tune/psnr"] == "" for r in rows if int(r["step"]) % 2)
    assert len({r["tune/psnr_input"] for r in scored}) == 1  # the input is scored once
    best_cfg, best_meta = read_run(run / "best")
    chosen = max(scored, key=lambda r: float(r["tune/score"]))
    assert best_meta["best_tune"]["step"] == int(chosen["step"])
    assert best_meta["best_tune"]["score"] == pytest.approx(float(chosen["tune/score"]), abs=1e-4)
    assert read_run(run)[1]["best_tune"]["step"] == int(chosen["step"])
    vol = np.random.default_rng(0).uniform(0, 500, (40, 36, 20)).astype("float32")
    assert Translator(run / "best")(vol, np.eye(4)).shape == vol.shape


def test_tune_roles_add_train_x_subjects_and_log_each_role(tune_config, tmp_path):
    cfg = replace(tune_config, train={"tune_roles": ("tune", "train_x"), "steps": 2})
    run = train(cfg, tmp_path / "r", progress=False)
    rows = [r for r in csv.DictReader((run / "metrics.csv").open()) if r["tune/psnr"]]
    assert rows and all(r["tune/tune/score"] and r["tune/train_x/score"] for r in rows)
    # the mean over all subjects lies between the two roles' means (1 tune subject, 2 train_x)
    r = rows[-1]
    lo, hi = sorted([float(r["tune/tune/score"]), float(r["tune/train_x/score"])])
    assert lo - 1e-3 <= float(r["tune/score"]) <= hi + 1e-3
    alone = train(replace(cfg, train={"tune_roles": ("tune",)}), tmp_path / "t", progress=False)
    first = list(csv.DictReader((alone / "metrics.csv").open()))
    assert "tune/tune/score" not in first[0]
    assert float([x for x in first if x["tune/psnr"]][-1]["tune/score"]) == pytest.approx(
        float(r["tune/tune/score"]), abs=1e-4)  # same seed, same steps: the tune role's score alone


def test_synthetic_ct_below_the_reference_mae_is_chosen_first():
    ref = {"mae_ref": 100.0}
    below = {**ref, "mae": 98.0, "score": -4.2}
    above = {**ref, "mae": 101.0, "score": -3.8}  # higher score (SSIM), but no use on MAE
    assert better(below, above, "ref") and not better(above, below, "ref")
    assert better({**below, "score": -4.0}, below, "ref")  # both below: the score decides
    assert better({**above, "score": -3.7}, above, "ref")  # neither below: the score decides
    assert better(above, {"score": float("-inf"), "step": 0}, "ref")  # anything beats nothing yet
    assert better(above, below, "input")  # image tasks: the score alone


def test_selection_score_weighs_one_db_like_three_hundredths_ssim():
    base = {"ssim_input": 0.7, "psnr_input": 25.0}
    assert selection_score({**base, "ssim": 0.7, "psnr": 26.0}) == pytest.approx(1.0)
    assert selection_score({**base, "ssim": 0.73, "psnr": 25.0}) == pytest.approx(0.9)
    assert selection_score({**base, "ssim": 0.69, "psnr": 24.5}) < 0


def test_tune_draws_score_each_tune_subject_on_more_motion_draws(tune_config):
    """train.tune_draws 3: S005 on its usual corrupted volume and two further draws of the same
    motion model (own seeds, bank_events ignored), never a train or val subject."""
    from cyclemedgan.data.paths import source_path
    from cyclemedgan.data.io import load_volume
    from cyclemedgan.training.tune import TuneSet

    cfg = replace(tune_config, data={"cache_dir": tune_config.data.cache_dir,
                                     "motion": {"bank_events": (2, 4)}}, train={"tune_draws": 3})
    ts = TuneSet(cfg)
    assert [s.name for s in ts.subjects] == ["S005", "S005#1", "S005#2"]
    assert ts.subjects[0].source.tobytes() == load_volume(source_path(cfg.data, "S005"))[0].tobytes()
    assert len({s.source.tobytes() for s in ts.subjects}) == 3
    assert len({s.target.tobytes() for s in ts.subjects}) == 1
    assert len(TuneSet(replace(cfg, train={"tune_draws": 1})).subjects) == 1
    with pytest.raises(ConfigError, match="tune_draws"):
        validate(replace(cfg, train={"tune_draws": 0}))


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
    # bone is on the curve: the reference has none, the real CT all of it
    assert tune.base_scores["bone_surface_dice"] == 0.0 and tune.base_scores["mae_bone"] > 250.0
    assert perfect["bone_surface_dice"] == 1.0 and perfect["mae_bone"] == 0.0
    assert {"bone_surface_dice", "bone_surface_dice_ref", "mae_bone", "mae_bone_ref"} <= set(tune.keys())


def tgt_on_source_grid(tune, i):
    from cyclemedgan.data.io import from_canonical

    s = tune.subjects[i]
    return from_canonical(s.target, s.affine)
