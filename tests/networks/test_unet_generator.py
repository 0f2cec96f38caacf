import pytest
import torch

from cyclemedgan.networks.unet_generator import UnetGenerator


@pytest.mark.parametrize("hw", [(64, 32), (33, 47), (17, 61)])
def test_unet_keeps_sizes_and_starts_at_identity(hw):
    g = UnetGenerator(3, 3, ngf=8, depth=4, global_residual=True)
    x = torch.rand(2, 3, *hw) * 2 - 1
    torch.testing.assert_close(g(x), x)
    g.output_conv.weight.data.normal_(0, 0.1)
    y = g(x)
    assert y.shape == x.shape and y.abs().max() <= 1 and not torch.allclose(y, x)
