"""Tune curve, best checkpoint, the paired upper bound, crops and flips, on tiny data."""
import csv

import numpy as np
import pytest
import torch

from cyclemedgan.config import ConfigError, replace, validate
from cyclemedgan.data.pools import training_pools
from cyclemedgan.data.split import SubjectRow, read_split, write_split
from cyclemedgan.errors import UserError
from cyclemedgan.checkpoint import read_run
from cyclemedgan.data.loader import augment as _augment
from cyclemedgan.training.loop import train
from cyclemedgan.training.tune import better, selection_score
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


def test_tune_every_needs_tune_subjects(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 1, "tune_every": 1})
    with pytest.raises(UserError, match="no subject of role tune"):
        train(cfg, tmp_path / "r", progress=False)


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


@pytest.mark.parametrize("roles", [("val",), ("train_y",), ("tune", "tune"), ()])
def test_tune_roles_never_score_validation_or_trained_targets(tune_config, roles):
    with pytest.raises(ConfigError, match="tune_roles"):
        validate(replace(tune_config, train={"tune_roles": roles}))


def test_train_x_is_refused_where_its_targets_were_learnt(tune_config, tmp_path):
    with pytest.raises(ConfigError, match="train_x's own targets"):
        validate(replace(tune_config, method="paired", train={"tune_roles": ("tune", "train_x")}))
    paired = train(replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0},
                           train={"tune_every": 0, "steps": 1}), tmp_path / "p", progress=False)
    cfg = replace(tune_config, train={"init_from": str(paired), "steps": 1, "tune_roles": ("tune", "train_x")})
    with pytest.raises(UserError, match="trained on the train_x subjects' own targets"):
        train(cfg, tmp_path / "r", progress=False)


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


def test_paired_pools_are_aligned_and_hold_only_train_x(tiny_config):
    px, py = training_pools(tiny_config.data, paired=True)
    assert px.subjects == py.subjects and set(px.subjects) == {"S001", "S002"}
    assert px.slices.shape == py.slices.shape
    # the same slices of the same subjects: corrupted and clean differ, but correlate strongly
    a, b = px.slices.flatten().numpy(), py.slices.flatten().numpy()
    assert not np.array_equal(a, b) and np.corrcoef(a, b)[0, 1] > 0.8


def test_paired_method_trains_and_translates_one_way(tune_config, tmp_path):
    cfg = replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0})
    run = train(cfg, tmp_path / "p", progress=False)
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert "G/l1" in rows[0] and "D/total" not in rows[0]
    vol = np.random.default_rng(0).uniform(0, 500, (40, 36, 20)).astype("float32")
    assert np.isfinite(Translator(run)(vol, np.eye(4))).all()
    with pytest.raises(UserError, match="AtoB"):
        Translator(run, "BtoA")(vol, np.eye(4))


def test_simulated_pairs_come_from_the_clean_train_y_subjects_only(tiny_config):
    cfg = replace(tiny_config, paired={"pairs": "train_y"})
    px, py = training_pools(cfg.data, True, cfg.paired)
    train_x = {r.subject for r in read_split(cfg.data.split_file) if r.role == "train_x"}
    assert px.subjects == py.subjects and set(px.subjects).isdisjoint(train_x)
    assert set(px.subjects) == set(training_pools(tiny_config.data)[1].subjects)  # the train_y subjects
    a, b = px.slices.flatten().numpy(), py.slices.flatten().numpy()  # simulated motion vs its clean truth
    assert not np.array_equal(a, b) and np.corrcoef(a, b)[0, 1] > 0.8
    px2, _ = training_pools(cfg.data, True, replace(cfg, paired={"draws": 2}).paired)
    assert len(px2) == 2 * len(px) and torch.equal(px2.slices[: len(px)], px.slices)
    assert not torch.equal(px2.slices[len(px):], px.slices)  # a second, different simulation
    pc, yc = training_pools(cfg.data, True, replace(cfg, paired={"clean_pairs": True}).paired)
    assert torch.equal(pc.slices[len(px):], yc.slices[len(px):])  # the clean slices paired with themselves
    with pytest.raises(ValueError, match="needs data.task 'motion'"):
        replace(cfg, data={"task": "folders", "source_pattern": "{subject}.nii.gz"})


def test_init_from_starts_g1_from_a_paired_run(tune_config, tmp_path, capsys):
    paired = train(replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0},
                           train={"tune_every": 0}), tmp_path / "p", progress=False)
    from cyclemedgan.models import build_model
    from cyclemedgan.checkpoint import load_weights
    from cyclemedgan.training.init_from import init_generators

    ref = build_model(read_run(paired)[0], inference=True).g1
    load_weights(paired, {"g1": ref})
    model = build_model(tune_config)
    assert init_generators(tune_config, paired, model.generator_nets()) == ["g1"]
    for a, b in zip(ref.state_dict().values(), model.g1.state_dict().values()):
        assert torch.equal(a, b)
    run = train(replace(tune_config, train={"init_from": str(paired), "steps": 1, "tune_every": 1}),
                tmp_path / "c", progress=False)
    assert read_run(run)[1]["done"]
    assert "start (" in capsys.readouterr().out  # the start is scored at step 0 and competes for best/
    assert read_run(run / "best")[1]["best_tune"]["step"] in (0, 1)
    other = replace(tune_config, model={"ngf": tune_config.model.ngf * 2})
    with pytest.raises(UserError, match="model.ngf"):
        init_generators(other, paired, build_model(other).generator_nets())


def test_paired_g2_trains_both_generators_and_starts_both(tune_config, tmp_path):
    from cyclemedgan.models import build_model
    from cyclemedgan.training.init_from import init_generators

    cfg = replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0}, paired={"g2": True},
                  train={"tune_every": 0})
    run = train(cfg, tmp_path / "p", progress=False)
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert float(rows[-1]["G/total"]) == pytest.approx(float(rows[-1]["G/l1"]) + float(rows[-1]["G/l1_g2"]), abs=2e-5)
    assert init_generators(tune_config, run, build_model(tune_config).generator_nets()) == ["g1", "g2"]
    vol = np.random.default_rng(0).uniform(0, 500, (40, 36, 20)).astype("float32")
    assert np.isfinite(Translator(run, "BtoA")(vol, np.eye(4))).all()


def test_crops_and_flips_keep_pairs_aligned():
    g = torch.Generator().manual_seed(0)
    a = torch.arange(2 * 16 * 16, dtype=torch.float32).reshape(2, 1, 16, 16)
    x, y = _augment([a, a.clone()], (16, 8), "h", g)
    assert x.shape == (2, 1, 16, 8) and torch.equal(x, y)
    for k in range(2):  # each crop keeps whole rows along H (the ghosting axis), maybe flipped
        rows = {tuple(r) for r in a[k, 0].T.tolist()}
        assert all(tuple(c) in rows or tuple(c[::-1]) in rows for c in x[k, 0].T.tolist())
    (z,) = _augment([a], (0, 0), "none", g)
    assert z is a


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


def test_filters_probe_scores_the_input_as_zero(tune_config, tmp_path, capsys):
    import json

    from cyclemedgan.config import to_dict
    from cyclemedgan.probes.filters import filters

    (tmp_path / "c.yaml").write_text(json.dumps(to_dict(tune_config)))
    filters(str(tmp_path / "c.yaml"))
    out = capsys.readouterr().out
    assert "1 tune subjects" in out and "input" in out.splitlines()[1] and "score +0.000" in out.splitlines()[1]
    assert "score -" in out  # smoothing lowers the score


def test_detect_probe_trains_d_alone_and_reports_on_tune_pairs(tune_config, tmp_path, capsys):
    import json

    from cyclemedgan.config import to_dict
    from cyclemedgan.probes.common import subject_slices
    from cyclemedgan.probes.detect import detect

    (tmp_path / "c.yaml").write_text(json.dumps(to_dict(tune_config)))
    out = detect(str(tmp_path / "c.yaml"), steps=3)
    assert set(out) == {"d_corrupted", "d_clean", "clean_scored_higher", "auc_same_subject", "grad_cosine",
                        "grad_cosine_positive", "final_loss", "slices"}
    xs, ys = subject_slices(tune_config, role="tune")
    assert len(xs) == 1 and out["slices"] == len(xs[0]) == len(ys[0]) > 1  # S005's slices, each once
    for k in ("clean_scored_higher", "grad_cosine_positive"):  # shares of those slices
        assert out[k] * out["slices"] == pytest.approx(round(out[k] * out["slices"]))
    assert np.isfinite([out["d_corrupted"], out["d_clean"], out["final_loss"]]).all() and out["final_loss"] > 0
    assert -1.0 <= out["grad_cosine"] <= 1.0 and out["grad_cosine"] != 0.0  # D's gradient reaches G1(x)
    assert 0.0 <= out["auc_same_subject"] <= 1.0  # what the scores mean: toy discriminators in tests/test_probes.py
    # the printed line is the returned numbers
    line = capsys.readouterr().out
    assert f"AUC clean vs corrupted within a subject {out['auc_same_subject']:.3f}" in line
    assert f"of {out['slices']} pairs (50% = blind)" in line
    assert detect(str(tmp_path / "c.yaml"), steps=3) == out  # seeded: the same D, the same numbers


def test_direction_weights_scale_each_cycle_direction():
    from cyclemedgan.losses.cycle_perceptual import cycle_perceptual_loss
    from cyclemedgan.losses.cycle_style import cycle_style_loss

    g = torch.Generator().manual_seed(0)
    f = [torch.randn(2, 3, 4, 4, generator=g) for _ in range(4)]
    for loss in (cycle_perceptual_loss, cycle_style_loss):
        both = loss([f[0]], [f[1]], [f[2]], [f[3]], (1.0,))
        x_only = loss([f[0]], [f[1]], [f[2]], [f[3]], (1.0,), (1.0, 0.0))
        y_only = loss([f[0]], [f[1]], [f[2]], [f[3]], (1.0,), (0.0, 1.0))
        assert torch.allclose(both, x_only + y_only) and x_only > 0 and y_only > 0
        assert torch.allclose(loss([f[0]], [f[1]], [f[2]], [f[3]], (1.0,), (0.1, 1.0)), 0.1 * x_only + y_only)


def test_unit_paired_start_trains_without_discriminators_and_starts_unit(tune_config, tmp_path):
    """``unit.paired``: UNIT trained on the pairs (no discriminators); a UNIT run with
    ``train.init_from`` on it starts every encoder/decoder from it; a paired U-Net/ResNet run
    cannot start UNIT, nor can a UNIT start of another width."""
    from cyclemedgan.compare import method_config
    from cyclemedgan.models import build_model
    from cyclemedgan.checkpoint import load_weights
    from cyclemedgan.training.init_from import init_generators

    unit_cfg = replace(tune_config, method="unit", paired={"pairs": "train_y"},
                       train={"tune_every": 0, "steps": 2})
    start = train(replace(unit_cfg, unit={"paired": True}), tmp_path / "u", progress=False)
    rows = list(csv.DictReader((start / "metrics.csv").open()))
    assert "G/paired" in rows[0] and "G/adv" not in rows[0] and "D/total" not in rows[0]
    ref = build_model(read_run(start)[0], inference=True)
    load_weights(start, ref.generator_nets())
    model = build_model(unit_cfg)
    assert set(init_generators(unit_cfg, start, model.generator_nets())) == set(model.generator_nets())
    for a, b in zip(ref.dec_y.state_dict().values(), model.dec_y.state_dict().values()):
        assert torch.equal(a, b)
    warm = replace(unit_cfg, unit={"init_from": str(start)}, train={"init_from": "elsewhere"})
    assert method_config(warm, "unit", 0).train.init_from == str(start)  # UNIT's own start in compare
    paired = train(replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0},
                           train={"tune_every": 0, "steps": 1}), tmp_path / "p", progress=False)
    with pytest.raises(UserError, match="no generator"):
        init_generators(unit_cfg, paired, build_model(unit_cfg).generator_nets())
    wide = replace(unit_cfg, model={"ngf": unit_cfg.model.ngf * 2})
    with pytest.raises(UserError, match="model.ngf"):
        init_generators(wide, start, build_model(wide).generator_nets())


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
