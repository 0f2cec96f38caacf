"""The frozen feature extractor: a BiGAN discriminator's x-path, its layers' outputs."""
import torch

from cyclemedgan.networks.bigan import BiGAN
from cyclemedgan.networks.feature_extractor import FeatureExtractor


def test_extractor_returns_each_layer_of_the_x_path_and_stays_frozen_in_training():
    d = BiGAN(image_size=32, latent_dim=8, width=4).discriminator
    ext = FeatureExtractor(d)
    assert ext.x_path is d.x_path and len(ext.x_path) == 4  # the discriminator's own modules
    x = torch.rand(2, 1, 32, 32) * 2 - 1
    feats = ext(x)
    h = x
    for layer, f in zip(d.x_path, feats):  # map i is layer i applied to map i - 1
        h = layer(h)
        assert torch.equal(f, h)
    assert [tuple(f.shape[2:]) for f in feats] == [(16, 16), (8, 8), (4, 4), (2, 2)]
    torch.nn.Sequential(ext).train()  # a parent's train() must not unfreeze it
    assert not ext.training and not any(p.requires_grad for p in ext.parameters())
