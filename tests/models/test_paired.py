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
