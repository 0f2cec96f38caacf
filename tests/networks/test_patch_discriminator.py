import pytest
import torch

from cyclemedgan.networks.patch_discriminator import PatchDiscriminator


@pytest.mark.parametrize("hw", [(128, 128), (90, 121)])
def test_patch_discriminator_scores_patches(hw):
    d = PatchDiscriminator(1, ndf=8, n_layers=3)
    out = d(torch.zeros(1, 1, *hw))
    assert out.shape[:2] == (1, 1) and out.shape[2] > 1 and out.shape[3] > 1


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
