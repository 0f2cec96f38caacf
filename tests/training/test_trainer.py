"""One training step of each method on tiny data, through the same trainer."""
import json

import numpy as np
import pytest
import torch

from cyclemedgan.config import replace
from cyclemedgan.training.checkpoint import read_run
from cyclemedgan.training.trainer import lr_factor, train
from cyclemedgan.translate import Translator

METHOD_OVERRIDES = {
    "cyclemedgan": {},
    "cyclegan": {"loss": {"lambda_cp": 0.0, "lambda_cs": 0.0}},
    "unit": {"train": {"lr": 1e-4, "weight_decay": 1e-4, "pool_size": 0},
             "model": {"n_blocks": 2, "n_layers_d": 2}},
}


@pytest.mark.parametrize("method", list(METHOD_OVERRIDES))
def test_one_step_of_each_method(method, tiny_config, tiny_extractor, tmp_path):
    sections = {k: dict(v) for k, v in METHOD_OVERRIDES[method].items()}
    sections.setdefault("train", {}).update(steps=1, log_every=1, sample_every=1, checkpoint_every=1)
    sections["loss"] = {**sections.get("loss", {}), "extractor": str(tiny_extractor)}
    cfg = replace(tiny_config, method=method, **sections)
    run = train(cfg, tmp_path / method, progress=False)
    saved, meta = read_run(run)
    assert saved.method == method and meta["done"] and meta["step"] == 1
    rows = (run / "metrics.csv").read_text().splitlines()
    assert len(rows) == 2 and "G/total" in rows[0]
    out = Translator(run, "AtoB")(np.random.default_rng(0).uniform(0, 500, (40, 36, 20)).astype("float32"),
                                  np.eye(4))
    assert out.shape == (40, 36, 20) and np.isfinite(out).all()


def test_lr_schedule_constant_then_linear():
    assert lr_factor(0, 100, 0.5) == 1.0 and lr_factor(49, 100, 0.5) == 1.0
    assert lr_factor(75, 100, 0.5) == pytest.approx(0.5) and lr_factor(100, 100, 0.5) == 0.0


def test_resume_continues_from_last_checkpoint(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": 4, "checkpoint_every": 2})
    run = tmp_path / "r"
    train(cfg, run, progress=False)
    meta = json.loads((run / "meta.json").read_text())
    meta["done"] = False
    (run / "meta.json").write_text(json.dumps(meta))  # as if stopped after the last checkpoint
    state = torch.load(run / "training_state.pt", weights_only=False)
    state["step"] = 2
    torch.save(state, run / "training_state.pt")
    train(cfg, run, progress=False)
    assert json.loads((run / "meta.json").read_text())["step"] == 4
    steps = [int(r.split(",")[0]) for r in (run / "metrics.csv").read_text().splitlines()[1:]]
    assert steps[-1] == 4 and steps.count(4) == 2  # first run and the resumed run both ended at 4
