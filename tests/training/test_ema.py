"""The EMA of the generators (train.ema): its maths, and that it is checkpointed, resumed, scored and shipped."""
import json

import pytest
import torch
import torch.nn as nn
from safetensors.torch import load_file

from cyclemedgan.config import replace
from cyclemedgan.export import export
from cyclemedgan.training.ema import EMA
from cyclemedgan.training.loop import train


def test_ema_moves_each_weight_a_fraction_towards_the_trained_one():
    net = nn.Linear(3, 2)
    ema = EMA({"g1": net}, decay=0.75)
    start = [p.detach().clone() for p in net.parameters()]
    with torch.no_grad():
        for p in net.parameters():
            p.add_(4.0)
    ema.update()
    for avg, p0 in zip(ema.copies["g1"].parameters(), start):
        torch.testing.assert_close(avg, p0 + 1.0)  # 0.75 * p0 + 0.25 * (p0 + 4)
    assert not any(p.requires_grad for p in ema.copies["g1"].parameters())


def test_swapped_puts_the_average_in_the_trained_net_and_back():
    net = nn.Linear(3, 2)
    ema = EMA({"g1": net}, decay=0.5)
    with torch.no_grad():
        net.weight.fill_(2.0)
    ema.update()
    trained, average = net.weight.detach().clone(), ema.copies["g1"].weight.detach().clone()
    assert not torch.equal(trained, average)
    with ema.swapped():
        assert torch.equal(net.weight, average)  # inside the block the net computes with the average
    assert torch.equal(net.weight, trained) and torch.equal(ema.copies["g1"].weight, average)


def test_a_decay_outside_0_1_is_refused():
    with pytest.raises(ValueError):
        EMA({"g1": nn.Linear(1, 1)}, decay=1.0)


@pytest.fixture
def ema_cfg(tune_config):
    return replace(tune_config, train={"pool_size": 3, "ema": 0.5, "tune_every": 4})


def test_an_ema_run_checkpoints_resumes_and_ships_its_average(ema_cfg, tmp_path):
    whole = train(ema_cfg, tmp_path / "whole", progress=False)
    w = load_file(str(whole / "model.safetensors"))
    assert {k.split(".")[0] for k in w} == {"g1", "g2", "d1", "d2", "ema_g1", "ema_g2"}
    assert any(not torch.equal(w[k], w["ema_" + k]) for k in w if k.startswith("g1."))  # an average, not a copy
    part = train(ema_cfg, tmp_path / "part", progress=False, stop_at=2)
    train(ema_cfg, part, progress=False)  # resumes the EMA with the rest
    p = load_file(str(part / "model.safetensors"))
    for k in w:
        torch.testing.assert_close(p[k], w[k], rtol=1e-5, atol=1e-6, msg=k)
    out = export(whole, tmp_path / "export")
    shipped = load_file(str(out / "model.safetensors"))
    for k, v in shipped.items():  # the run directory's average is what ships
        torch.testing.assert_close(v.float(), w["ema_" + k].float(), rtol=1e-3, atol=1e-3, msg=k)
    best = load_file(str(whole / "best" / "model.safetensors"))
    assert set(best) == {k for k in w if k.startswith(("g1.", "g2."))}  # best/: the average, under G's names
    meta = json.loads((whole / "best" / "meta.json").read_text())
    if meta["best_tune"]["step"] == 4:
        for k, v in best.items():
            torch.testing.assert_close(v, w["ema_" + k], msg=k)
