"""UNIT's networks: multi-scale discriminators, residual decoders, padding to a multiple of 4."""
import pytest
import torch

from cyclemedgan.networks.unit import (MultiScaleDiscriminator, SharedBlocks, UNITDecoder, UNITEncoder,
                                       pad_to_multiple)


def test_multi_scale_discriminator_scores_the_image_at_halving_scales():
    d = MultiScaleDiscriminator(in_channels=1, ndf=4, n_layers=2, n_scales=3)
    scores = d(torch.rand(2, 1, 64, 48))
    assert [tuple(s.shape) for s in scores] == [(2, 1, 16, 12), (2, 1, 8, 6), (2, 1, 4, 3)]


def test_residual_decoder_starts_at_its_base_and_padding_keeps_the_size():
    shared = SharedBlocks(16, 1)
    enc, dec = UNITEncoder(1, 4, 1, shared), UNITDecoder(1, 4, 1, shared, residual=True)
    x = torch.rand(1, 1, 30, 22) * 2 - 1
    padded, size = pad_to_multiple(x)
    assert tuple(padded.shape[-2:]) == (32, 24) and size == (30, 22)
    assert torch.equal(padded[..., :30, :22], x)  # the image itself, padded after it
    z = enc(padded)
    assert tuple(z.shape) == (1, 16, 8, 6)
    assert torch.allclose(dec(z, padded), padded)  # last convolution zero: the identity map
    with pytest.raises(ValueError, match="base"):
        dec(z)
    assert pad_to_multiple(padded)[0] is padded  # already a multiple of 4: untouched
