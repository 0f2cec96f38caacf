"""The paired method (the supervised bound): one generator trained on pairs, or both with paired.g2."""
import csv

import numpy as np
import pytest

from cyclemedgan.config import replace
from cyclemedgan.errors import UserError
from cyclemedgan.training.loop import train
from cyclemedgan.translate import Translator


def test_paired_method_trains_and_translates_one_way(tune_config, tmp_path):
    cfg = replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0})
    run = train(cfg, tmp_path / "p", progress=False)
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert "G/l1" in rows[0] and "D/total" not in rows[0]
    vol = np.random.default_rng(0).uniform(0, 500, (40, 36, 20)).astype("float32")
    assert np.isfinite(Translator(run)(vol, np.eye(4))).all()
    with pytest.raises(UserError, match="AtoB"):
        Translator(run, "BtoA")(vol, np.eye(4))


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


def test_target_weight_weighs_voxels_above_the_threshold_in_target_units(tune_config):
    """paired.target_weight w: target voxels >= weight_above (HU, here 250 -> 0.0 in the [-1000, 1500]
    window) weigh w in a normalised L1; without such voxels it is plain L1; a percentile window is refused."""
    import torch

    from cyclemedgan.config import ConfigError
    from cyclemedgan.models import build_model

    ct = {"window_y": "fixed", "range_y": (-1000.0, 1500.0)}
    model = build_model(replace(tune_config, method="paired", data=ct, paired={"target_weight": 4.0}))
    assert model.weight_above == pytest.approx(0.0)
    y = torch.full((1, 1, 2, 2), -0.5)
    y[0, 0, 0, 0] = 0.5  # one "bone" voxel of four
    fake = y.clone()
    fake[0, 0, 0, 0] = -0.5  # missed: |d| = 1 there, 0 elsewhere
    assert model._l1(fake, y).item() == pytest.approx(4 / 7)  # plain L1 would be 1/4
    soft = torch.full_like(y, -0.5)
    assert model._l1(soft + 0.2, soft).item() == pytest.approx(0.2)
    plain = build_model(replace(tune_config, method="paired", data=ct))
    assert plain.weight_above is None and plain._l1(fake, y).item() == pytest.approx(0.25)
    with pytest.raises(ConfigError, match="target_weight"):
        replace(tune_config, method="paired", data={"window_y": "percentile"}, paired={"target_weight": 4.0})


def test_ssim_weight_mixes_l1_with_one_minus_ssim(tune_config, tmp_path):
    """paired.ssim_weight alpha: G1's loss is (1 - alpha) L1 + alpha (1 - SSIM), logged apart; the
    structural term is 0 for equal slices, grows with noise, is computed in fp32 under bf16 autocast,
    and alpha outside [0, 1) is refused."""
    import torch

    from cyclemedgan.config import ConfigError
    from cyclemedgan.models import build_model

    model = build_model(replace(tune_config, method="paired", paired={"ssim_weight": 0.5}))
    y = torch.rand(2, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    noisy = y + 0.3 * torch.randn(y.shape, generator=torch.Generator().manual_seed(1))
    assert model._structure(y, y).item() == pytest.approx(0.0, abs=1e-5)
    assert model._structure((y + noisy) / 2, y) < model._structure(noisy, y)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        in_bf16 = model._structure(noisy.bfloat16(), y.bfloat16())
    assert in_bf16.dtype == torch.float32
    assert in_bf16.item() == pytest.approx(model._structure(noisy.bfloat16().float(), y.bfloat16().float()).item(), abs=1e-5)

    cfg = replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0},
                  paired={"ssim_weight": 0.5}, train={"tune_every": 0})
    rows = list(csv.DictReader((train(cfg, tmp_path / "s", progress=False) / "metrics.csv").open()))
    last = rows[-1]
    assert float(last["G/total"]) == pytest.approx(0.5 * float(last["G/l1"]) + 0.5 * float(last["G/ssim"]), abs=2e-5)
    for bad in (1.0, -0.1):
        with pytest.raises(ConfigError, match="ssim_weight"):
            replace(tune_config, method="paired", paired={"ssim_weight": bad})
