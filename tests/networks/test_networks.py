import pytest
import torch

from cyclemedgan.networks.bigan import BiGAN
from cyclemedgan.networks.feature_extractor import FeatureExtractor
from cyclemedgan.networks.patch_discriminator import PatchDiscriminator
from cyclemedgan.networks.resnet_generator import ResnetGenerator
from cyclemedgan.networks.unet_generator import UnetGenerator


@pytest.mark.parametrize("hw", [(32, 32), (33, 47), (90, 120), (17, 61)])
def test_generator_keeps_odd_sizes(hw):
    g = ResnetGenerator(1, 1, ngf=4, n_blocks=1)
    x = torch.rand(2, 1, *hw) * 2 - 1
    y = g(x)
    assert y.shape == x.shape and y.abs().max() <= 1


def test_global_residual_starts_at_identity():
    g = ResnetGenerator(1, 1, ngf=4, n_blocks=1, global_residual=True)
    x = torch.rand(2, 1, 33, 35) * 2 - 1
    torch.testing.assert_close(g(x), x)


@pytest.mark.parametrize("hw", [(128, 128), (90, 121)])
def test_patch_discriminator_scores_patches(hw):
    d = PatchDiscriminator(1, ndf=8, n_layers=3)
    out = d(torch.zeros(1, 1, *hw))
    assert out.shape[:2] == (1, 1) and out.shape[2] > 1 and out.shape[3] > 1


def test_bigan_shapes_and_frozen_extractor_passes_gradients():
    b = BiGAN(image_size=32, latent_dim=8, width=4)
    x, z = torch.rand(3, 1, 32, 32) * 2 - 1, torch.randn(3, 8)
    assert b.encoder(x).shape == (3, 8)
    assert b.generator(z).shape == (3, 1, 32, 32)
    assert b.discriminator(x, z).shape == (3, 1)
    ext = FeatureExtractor(b.discriminator)
    xin = (torch.rand(2, 1, 45, 37) * 2 - 1).requires_grad_()
    feats = ext(xin)  # any size, odd included
    assert [f.shape[1] for f in feats] == [4, 8, 16, 32]
    assert feats[0].shape[2:] == (22, 18)
    sum(f.sum() for f in feats).backward()
    assert xin.grad is not None and xin.grad.abs().sum() > 0
    assert all(not p.requires_grad for p in ext.parameters())
    ext.train()
    assert not ext.training


@pytest.mark.parametrize("upsample", ["deconv", "resize"])
def test_both_upsamplings_keep_sizes_and_start_at_identity(upsample):
    g = ResnetGenerator(1, 1, ngf=4, n_blocks=1, global_residual=True, upsample=upsample)
    x = torch.rand(2, 1, 33, 46) * 2 - 1
    torch.testing.assert_close(g(x), x)
    g.head[1].weight.data.normal_(0, 0.02)
    assert g(x).shape == x.shape


def _grid_energy(img: torch.Tensor) -> float:
    """Share of the spectrum at the Nyquist frequency of a 2-pixel period (the checkerboard)."""
    f = torch.fft.fft2(img - img.mean()).abs()
    h, w = img.shape[-2:]
    return float((f[..., h // 2, :].sum() + f[..., :, w // 2].sum()) / f.sum())


def test_resize_upsampling_paints_far_less_checkerboard_on_a_smooth_input():
    """On a smooth ramp, ConvTranspose2d(k=3, s=2) at initialisation already prints a 2-pixel
    grid; nearest resize + conv (Odena et al. 2016) puts far less energy there."""
    i, j = torch.meshgrid(torch.linspace(-1, 1, 64), torch.linspace(-1, 1, 64), indexing="ij")
    ramp = (0.5 * i + 0.3 * j)[None, None]
    energy = {}
    for up in ("deconv", "resize"):
        torch.manual_seed(0)
        g = ResnetGenerator(1, 1, ngf=8, n_blocks=1, upsample=up)
        energy[up] = _grid_energy(g.body(ramp)[0].detach())
    assert energy["deconv"] > 5 * energy["resize"]


def test_spectral_patch_discriminator_is_normalised():
    d = PatchDiscriminator(1, ndf=8, n_layers=2, norm="spectral")
    assert not any(isinstance(m, torch.nn.InstanceNorm2d) for m in d.modules())
    for _ in range(30):  # power iterations run in training mode
        d(torch.randn(2, 1, 64, 64))
    conv = d.net[0]
    sigma = torch.linalg.matrix_norm(conv.weight.detach().flatten(1), ord=2)
    assert sigma == pytest.approx(1.0, rel=0.05)
    with pytest.raises(ValueError, match="valid: instance, spectral"):
        PatchDiscriminator(1, norm="batch")


@pytest.mark.parametrize("hw", [(64, 32), (33, 47), (17, 61)])
def test_unet_keeps_sizes_and_starts_at_identity(hw):
    g = UnetGenerator(3, 3, ngf=8, depth=4, global_residual=True)
    x = torch.rand(2, 3, *hw) * 2 - 1
    torch.testing.assert_close(g(x), x)
    g.output_conv.weight.data.normal_(0, 0.1)
    y = g(x)
    assert y.shape == x.shape and y.abs().max() <= 1 and not torch.allclose(y, x)


def test_build_generator_picks_the_configured_network():
    from cyclemedgan.config import ModelConfig
    from cyclemedgan.models.cyclegan import build_generator

    assert isinstance(build_generator(ModelConfig(generator="unet", ngf=8)), UnetGenerator)
    assert isinstance(build_generator(ModelConfig(ngf=8)), ResnetGenerator)
