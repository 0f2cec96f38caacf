import pytest
import torch

from cyclemedgan.config import LossConfig, ModelConfig, replace
from cyclemedgan.models.cyclegan import CycleGAN
from cyclemedgan.networks.bigan import BiGAN
from cyclemedgan.networks.feature_extractor import FeatureExtractor
from cyclemedgan.networks.resnet_generator import ResnetGenerator
from cyclemedgan.networks.unet_generator import UnetGenerator

CYCLE_TERMS = ["cycle", "identity", "cycle_perceptual", "cycle_style"]


def _model(**loss):
    torch.manual_seed(0)
    ext = FeatureExtractor(BiGAN(32, 8, 4).discriminator)
    # no global residual: then G2(G1(x)) != x at initialisation and every term is non-zero
    return CycleGAN(ModelConfig(ngf=4, n_blocks=1, ndf=8, global_residual=False), LossConfig(**loss), ext)


def _grad_norms(term):
    model = _model()
    x, y = torch.rand(2, 1, 32, 32) * 2 - 1, torch.rand(2, 1, 32, 32) * 2 - 1
    losses, _ = model.generator_losses(x, y)
    assert float(losses[term].detach()) > 0
    losses[term].backward()
    assert all(p.grad is None for p in model.extractor.parameters())  # frozen
    return [float(sum(p.grad.abs().sum() for p in g.parameters() if p.grad is not None))
            for g in (model.g1, model.g2)]


@pytest.mark.parametrize("term", CYCLE_TERMS)
def test_each_cycle_loss_sends_gradient_to_both_generators(term):
    g1, g2 = _grad_norms(term)
    assert g1 > 0 and g2 > 0, f"{term}: gradient norms {g1}, {g2}"


def test_adversarial_terms_reach_their_own_generator_only():
    assert [g > 0 for g in _grad_norms("adv_g1")] == [True, False]
    assert [g > 0 for g in _grad_norms("adv_g2")] == [False, True]


def test_plain_cyclegan_has_no_feature_terms():
    model = CycleGAN(ModelConfig(ngf=4, n_blocks=1, ndf=8), LossConfig(lambda_cp=0, lambda_cs=0))
    assert model.extractor is None
    losses, _ = model.generator_losses(torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 32, 32))
    assert "cycle_perceptual" not in losses and "cycle_style" not in losses


def test_feature_losses_zero_when_cycle_is_perfect():
    model = CycleGAN(ModelConfig(ngf=4, n_blocks=1, ndf=8, global_residual=True), LossConfig(),
                     FeatureExtractor(BiGAN(32, 8, 4).discriminator))
    x, y = torch.rand(2, 1, 32, 32) * 2 - 1, torch.rand(2, 1, 32, 32) * 2 - 1
    losses, _ = model.generator_losses(x, y)  # identity generators at init: x_rec == x
    for term in ("cycle", "identity", "cycle_perceptual", "cycle_style"):
        assert losses[term].item() == 0.0


def test_discriminator_losses():
    model = _model()
    x = torch.rand(2, 1, 32, 32)
    d = model.discriminator_losses(x, x, x, x)
    assert set(d) == {"d1", "d2", "total"} and d["total"].item() > 0


def test_cycle_directions_weigh_apart_and_noise_enters_the_cycle():
    x, y = torch.rand(2, 1, 32, 32) * 2 - 1, torch.rand(2, 1, 32, 32) * 2 - 1
    base = dict(lambda_cp=0.0, lambda_cs=0.0, lambda_id=0.0)

    def cycle(seed=0, **loss):
        torch.manual_seed(seed)
        model = _model(**base, **loss)
        torch.manual_seed(seed + 1)
        return float(model.generator_losses(x, y)[0]["cycle"].detach())

    both, only_y, only_x = cycle(), cycle(lambda_cyc_x=0.0), cycle(lambda_cyc_y=0.0)
    assert both == pytest.approx(only_x + only_y) and only_x > 0 and only_y > 0
    assert cycle(lambda_cyc_x=5.0, lambda_cyc_y=0.0) == pytest.approx(only_x / 2)
    assert cycle(cycle_noise_std=0.0, seed=0) == cycle(cycle_noise_std=0.0, seed=3)
    noisy = [cycle(cycle_noise_std=0.1, seed=s) for s in (0, 3)]
    assert noisy[0] != noisy[1] and all(n != both for n in noisy)


def test_feature_matching_is_zero_for_identical_batches_and_moves_the_generator():
    import torch

    from cyclemedgan.models.cyclegan import feature_matching
    from cyclemedgan.networks.patch_discriminator import PatchDiscriminator

    torch.manual_seed(0)
    d = PatchDiscriminator(1, 8, 2)
    y = torch.rand(2, 1, 32, 32) * 2 - 1
    assert float(feature_matching(d, y, y).detach()) == 0.0
    fake = (torch.rand(2, 1, 32, 32) * 2 - 1).requires_grad_(True)
    loss = feature_matching(d, fake, y)
    loss.backward()
    assert float(loss.detach()) > 0 and fake.grad.abs().sum() > 0


def test_build_generator_picks_the_configured_network():
    from cyclemedgan.config import ModelConfig
    from cyclemedgan.models.cyclegan import build_generator

    assert isinstance(build_generator(ModelConfig(generator="unet", ngf=8)), UnetGenerator)
    assert isinstance(build_generator(ModelConfig(ngf=8)), ResnetGenerator)


def test_real_features_without_grad_give_the_same_losses_and_gradients(tiny_config, tiny_extractor):
    from cyclemedgan.models import build_model

    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)})
    torch.manual_seed(0)
    x, y = torch.rand(2, 1, 32, 32) * 2 - 1, torch.rand(2, 1, 32, 32) * 2 - 1
    grads, totals = [], []
    for no_grad in (True, False):
        torch.manual_seed(1)
        model = build_model(cfg)
        model.real_features_no_grad = no_grad
        losses, _ = model.generator_losses(x, y)
        losses["total"].backward()
        totals.append({k: v.item() for k, v in losses.items()})
        grads.append(torch.cat([p.grad.flatten() for p in model.g1.parameters()]))
    assert totals[0].keys() == totals[1].keys() and "cycle_perceptual" in totals[0]
    for k in totals[0]:
        assert abs(totals[0][k] - totals[1][k]) <= 1e-5 * max(1.0, abs(totals[1][k]))
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-4, atol=1e-7)
    assert grads[0].abs().sum() > 0
