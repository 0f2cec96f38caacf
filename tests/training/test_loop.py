"""``train``, the run around ``Trainer.step``: an interrupted run resumes to the same weights, the
tune subjects train.tune_every needs, the global batch over the ranks."""
import json

import pytest
import torch
from conftest import cli, saved_weights as _weights

from cyclemedgan.config import replace
from cyclemedgan.errors import UserError
from cyclemedgan.training.loop import train


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


def test_tune_every_needs_tune_subjects(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 1, "tune_every": 1})
    with pytest.raises(UserError, match="no subject of role tune"):
        train(cfg, tmp_path / "r", progress=False)


def test_batch_not_divisible_by_ranks_is_one_line(tiny_config_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORLD_SIZE", "3")
    monkeypatch.setenv("RANK", "0")
    assert cli("train", "--config", tiny_config_path, "--out", tmp_path / "r", "--no-progress") == 2
    assert "multiple of the 3 ranks" in capsys.readouterr().err
