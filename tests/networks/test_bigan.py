import torch

from cyclemedgan.networks.bigan import BiGAN
from cyclemedgan.networks.feature_extractor import FeatureExtractor


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
