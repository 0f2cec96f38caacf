"""One training step of each method on tiny data, through the same trainer."""
import json

import numpy as np
import pytest
import torch

from cyclemedgan.config import replace
from cyclemedgan.checkpoint import read_run
from cyclemedgan.training.loop import train
from cyclemedgan.training.trainer import lr_factor
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
    # the step moved every network: against the same run at lr 1e-30 (its initial weights, to within 1e-30)
    from cyclemedgan.checkpoint import load_weights
    from cyclemedgan.models import build_model

    still = train(replace(cfg, train={"lr": 1e-30, "lr_d": 1e-30}), tmp_path / f"{method}-still", progress=False)
    for name in {**build_model(cfg).generator_nets(), **build_model(cfg).discriminator_nets()}:
        a, b = build_model(cfg), build_model(cfg)
        na = {**a.generator_nets(), **a.discriminator_nets()}[name]
        nb = {**b.generator_nets(), **b.discriminator_nets()}[name]
        load_weights(run, {name: na})
        load_weights(still, {name: nb})
        moved = max(float((x - y).abs().max()) for x, y in zip(na.state_dict().values(), nb.state_dict().values())
                    if x.dtype.is_floating_point)
        assert moved > 1e-5, f"{name} did not move in one step"


def test_lr_schedule_constant_then_linear():
    assert lr_factor(0, 100, 0.5) == 1.0 and lr_factor(49, 100, 0.5) == 1.0
    assert lr_factor(75, 100, 0.5) == pytest.approx(0.5) and lr_factor(100, 100, 0.5) == 0.0


def _weights(run):
    from safetensors.torch import load_file

    return load_file(str(run / "model.safetensors"))


def test_interrupted_run_resumes_to_the_same_weights(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": 4, "checkpoint_every": 100, "pool_size": 3})
    whole = train(cfg, tmp_path / "whole", progress=False)
    part = train(cfg, tmp_path / "part", progress=False, stop_at=2)
    meta = json.loads((part / "meta.json").read_text())
    assert meta["step"] == 2 and not meta["done"]
    assert any(not torch.equal(a, b) for a, b in zip(_weights(part).values(), _weights(whole).values()))
    train(cfg, part, progress=False)  # resumes: optimizer, lr, RNG and image pools restored
    assert json.loads((part / "meta.json").read_text())["step"] == 4
    w1, w2 = _weights(whole), _weights(part)
    assert w1.keys() == w2.keys()
    for k in w1:
        torch.testing.assert_close(w1[k], w2[k], rtol=1e-5, atol=1e-6, msg=k)


def test_a_resumed_run_keeps_the_columns_its_metrics_csv_already_has(tiny_config, tiny_extractor, tmp_path):
    import csv

    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": 4, "log_every": 1, "checkpoint_every": 100})
    part = train(cfg, tmp_path / "part", progress=False, stop_at=2)
    path = part / "metrics.csv"
    rows = list(csv.reader(path.open(newline="")))
    old = rows[0][:-1]  # as written by a version that logged one column fewer
    with path.open("w", newline="") as f:
        csv.writer(f).writerows([old] + [r[:-1] for r in rows[1:]])
    train(cfg, part, progress=False)
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == old and [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert all(len(r) == len(old) for r in rows)  # no row shifted under a header it does not match

def test_a_run_directory_is_reused_only_for_its_own_config(tiny_config, tiny_extractor, tmp_path):
    from cyclemedgan.errors import UserError

    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 1})
    train(cfg, tmp_path / "r", progress=False)
    with pytest.raises(UserError, match="another config .*lambda_cs"):
        train(replace(cfg, loss={"lambda_cs": 0.0}), tmp_path / "r", progress=False)


def test_extractor_that_saw_a_validation_subject_is_refused(tiny_config, tiny_extractor, tmp_path):
    import shutil

    from cyclemedgan.errors import UserError

    bad = tmp_path / "ext"
    shutil.copytree(tiny_extractor, bad)
    meta = json.loads((bad / "meta.json").read_text())
    assert meta["train_subjects"] == ["S001", "S002", "S003", "S004"]
    meta["train_subjects"].append("S005")
    (bad / "meta.json").write_text(json.dumps(meta))
    cfg = replace(tiny_config, loss={"extractor": str(bad)}, train={"steps": 1})
    with pytest.raises(UserError, match="validation subject"):
        train(cfg, tmp_path / "r", progress=False)
    assert not (tmp_path / "r").exists()


def _nan_on_call(monkeypatch, n_bad: set[int]):
    """Make CycleGAN.generator_losses return a NaN cycle loss on the given (1-based) calls."""
    from cyclemedgan.models.cyclegan import CycleGAN

    real, calls = CycleGAN.generator_losses, {"n": 0}

    def patched(self, x, y):
        calls["n"] += 1
        losses, images = real(self, x, y)
        if calls["n"] in n_bad:
            losses["cycle"] = losses["cycle"] * float("nan")
            losses["total"] = sum(v for k, v in losses.items() if k != "total")
        return losses, images

    monkeypatch.setattr(CycleGAN, "generator_losses", patched)


def test_a_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(tiny_config, tiny_extractor, tmp_path,
                                                                      monkeypatch):
    from cyclemedgan.errors import UserError

    _nan_on_call(monkeypatch, {3})
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 4, "checkpoint_every": 2})
    with pytest.raises(UserError, match=r"step 3: generator loss cycle is nan; training stopped"):
        train(cfg, tmp_path / "r", progress=False)
    meta = json.loads((tmp_path / "r" / "meta.json").read_text())
    assert meta["step"] == 2 and not meta["done"]
    assert all(torch.isfinite(v).all() for v in _weights(tmp_path / "r").values())


def test_a_nan_loss_may_be_skipped_when_allowed(tiny_config, tiny_extractor, tmp_path, monkeypatch, capsys):
    _nan_on_call(monkeypatch, {2})
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 3, "skip_nonfinite": 1})
    train(cfg, tmp_path / "r", progress=False)
    assert "step 2: generator loss cycle is nan; step skipped (1 of 1 allowed)" in capsys.readouterr().out
    meta = json.loads((tmp_path / "r" / "meta.json").read_text())
    assert meta["done"] and meta["step"] == 3
    assert all(torch.isfinite(v).all() for v in _weights(tmp_path / "r").values())


def test_a_corrupt_training_state_is_refused(tiny_config, tiny_extractor, tmp_path):
    from cyclemedgan.errors import UserError

    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 4})
    run = train(cfg, tmp_path / "r", progress=False, stop_at=2)
    state = run / "training_state.pt"
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    with pytest.raises(UserError, match="unreadable training state"):
        train(cfg, run, progress=False)
