"""The training state's format: a checkpoint written before the format had a version still resumes."""
import json

import pytest
import torch
from safetensors.torch import load_file

from cyclemedgan.checkpoint import STATE
from cyclemedgan.config import replace
from cyclemedgan.errors import UserError
from cyclemedgan.training.loop import train
from cyclemedgan.training.state import STATE_FORMAT, TrainState
from cyclemedgan.translate import Translator


def _as_format_1(run):
    """Rewrite a checkpoint's training state as sessions up to 7 wrote it: no format key."""
    state = torch.load(run / STATE, weights_only=True)
    assert state.pop("format") == STATE_FORMAT
    torch.save(state, run / STATE)


def test_a_format_1_checkpoint_resumes_to_the_same_weights_and_translates(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": 4, "checkpoint_every": 100, "pool_size": 3})
    whole = train(cfg, tmp_path / "whole", progress=False)
    part = train(cfg, tmp_path / "part", progress=False, stop_at=2)
    _as_format_1(part)
    vol = torch.rand(20, 24, 12).numpy()
    import numpy as np

    out = Translator(part)(vol, np.diag([2.0, 2.0, 2.0, 1.0]))  # an unfinished format-1 run translates
    assert out.shape == vol.shape and np.isfinite(out).all()
    train(cfg, part, progress=False)
    assert json.loads((part / "meta.json").read_text())["step"] == 4
    assert torch.load(part / STATE, weights_only=True)["format"] == STATE_FORMAT  # rewritten in the new format
    w1, w2 = load_file(str(whole / "model.safetensors")), load_file(str(part / "model.safetensors"))
    for k in w1:
        torch.testing.assert_close(w1[k], w2[k], rtol=1e-5, atol=1e-6, msg=k)


def test_a_format_1_checkpoint_starts_an_ema_where_it_stands(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 4, "checkpoint_every": 100})
    part = train(cfg, tmp_path / "part", progress=False, stop_at=2)
    _as_format_1(part)
    cfg_ema = replace(cfg, train={"ema": 0.9})
    (part / "config.json").write_text((part / "config.json").read_text().replace('"ema": 0.0', '"ema": 0.9'))
    train(cfg_ema, part, progress=False)
    assert "ema_g1" in {k.split(".")[0] for k in load_file(str(part / "model.safetensors"))}


def test_a_state_of_a_newer_format_is_refused():
    with pytest.raises(UserError, match="format 99"):
        TrainState.from_checkpoint({"format": 99, "step": 1, "total_steps": 2, "elapsed_s": 0.0})
