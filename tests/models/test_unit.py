import csv

import pytest
import torch

from cyclemedgan.checkpoint import read_run
from cyclemedgan.config import ModelConfig, UNITLossConfig, replace
from cyclemedgan.errors import UserError
from cyclemedgan.models.unit import UNIT
from cyclemedgan.training.loop import train


def _model(**kw):
    torch.manual_seed(0)
    kw.setdefault("global_residual", False)
    return UNIT(ModelConfig(ngf=4, n_blocks=2, ndf=8, n_layers_d=2, **kw), UNITLossConfig())


def test_shared_layers_are_one_set_of_parameters():
    m = _model(unit_shared_blocks=1)
    assert m.enc_x.shared is m.enc_y.shared and m.dec_x.shared is m.dec_y.shared
    # the same tensors serve both domains
    px = {id(p) for p in m.enc_x.parameters()}
    py = {id(p) for p in m.enc_y.parameters()}
    shared = {id(p) for p in m.enc_shared.parameters()}
    assert shared and shared <= px and shared <= py and not (px - shared) & (py - shared)
    # each parameter is saved exactly once
    saved = [id(p) for net in m.generator_nets().values() for p in net.parameters()]
    assert len(saved) == len(set(saved))
    every = {id(p) for n in ("enc_x", "enc_y", "dec_x", "dec_y") for p in getattr(m, n).parameters()}
    assert set(saved) == every


def test_a_loss_of_one_domain_trains_the_shared_blocks():
    m = _model()
    x = torch.rand(2, 1, 32, 32) * 2 - 1
    (m.dec_x(m.enc_x(x)) - x).abs().mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in m.enc_shared.parameters())
    assert all(p.grad is not None for p in m.dec_shared.parameters())
    assert all(p.grad is None for p in m.enc_y.private.parameters())


def test_losses_and_translation_shapes():
    m = _model()
    x, y = torch.rand(2, 1, 32, 32) * 2 - 1, torch.rand(2, 1, 32, 32) * 2 - 1
    losses, images = m.generator_losses(x, y)
    assert set(losses) == {"adv", "recon", "kl", "cycle_recon", "cycle_kl", "total"}
    assert all(torch.isfinite(v) for v in losses.values())
    assert images["fake_y"].shape == x.shape
    d = m.discriminator_losses(x, y, images["fake_x"], images["fake_y"])
    assert d["total"].item() > 0
    m.eval()
    assert m.translate(torch.zeros(1, 1, 33, 45)).shape == (1, 1, 33, 45)
    torch.testing.assert_close(m.translate(x), m.translate(x))  # no sampling at inference


def test_shared_blocks_bounds():
    with pytest.raises(ValueError, match="unit_shared_blocks"):
        _model(unit_shared_blocks=3)


def test_residual_unit_starts_at_the_identity_and_then_learns():
    m = _model(global_residual=True)
    x, y = torch.rand(2, 1, 32, 32) * 2 - 1, torch.rand(2, 1, 32, 32) * 2 - 1
    m.eval()
    torch.testing.assert_close(m.translate(x), x)
    torch.testing.assert_close(m.translate(y, "BtoA"), y)
    m.train()
    opt = torch.optim.Adam([p for net in m.generator_nets().values() for p in net.parameters()], lr=1e-2)
    losses, images = m.generator_losses(x, y)
    assert images["fake_y"].shape == x.shape and torch.isfinite(losses["total"])
    losses["total"].backward()
    opt.step()
    m.eval()
    assert (m.translate(x) - x).abs().max() > 1e-4
    with pytest.raises(ValueError, match="base"):
        m.dec_x(m.enc_x(x))


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
