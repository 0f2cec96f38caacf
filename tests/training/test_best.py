"""best/: the generators that score best on the tune subjects."""
import pytest
import torch

from cyclemedgan.checkpoint import read_run
from cyclemedgan.config import Config
from cyclemedgan.training.best import BestKeeper
from cyclemedgan.training.state import TrainState


class _Tune:
    """A tune set whose scores are given in advance (one dict per call)."""

    base, roles = "input", ("tune",)

    def __init__(self, scores):
        self.queue = [{"score": s, "ssim": 0.8, "psnr": 30.0, "ssim_input": 0.7, "psnr_input": 28.0} for s in scores]

    def keys(self):
        return list(self.queue[0])

    def score(self, model, windows):
        return self.queue.pop(0)


class _Model:
    def __init__(self):
        self.g1 = torch.nn.Conv2d(1, 1, 1)

    def generator_nets(self):
        return {"g1": self.g1}


def test_best_keeper_writes_best_only_on_a_higher_score(tmp_path):
    keeper = BestKeeper(Config(), tmp_path, _Tune([0.5, 0.2, 0.9]))
    assert keeper.keys[0] == "tune/score" and "over the input" in keeper.selected_on
    model, state = _Model(), TrainState(step=2, total_steps=10)
    assert keeper(model, {}, state, {"step": 2})["tune/score"] == 0.5
    cfg, meta = read_run(tmp_path / "best")
    assert meta["best_tune"]["step"] == 2 and meta["done"] and cfg.train.steps == 10
    kept = model.g1.weight.detach().clone()
    with torch.no_grad():
        model.g1.weight.add_(1.0)
    state.step = 4
    keeper(model, {}, state, {"step": 4})  # 0.2: worse, best/ stays the step-2 weights
    assert state.best["step"] == 2 and read_run(tmp_path / "best")[1]["best_tune"]["step"] == 2
    from safetensors.torch import load_file

    assert torch.equal(load_file(str(tmp_path / "best" / "model.safetensors"))["g1.weight"], kept)
    state.step = 6
    keeper(model, {}, state, {"step": 6})
    assert state.best["step"] == 6 and state.best["score"] == pytest.approx(0.9)
    assert read_run(tmp_path / "best")[1]["best_tune"]["step"] == 6
    assert keeper.summary(state.best).startswith("best tune score +0.900 at step 6 (SSIM 0.8000 vs input 0.7000")
