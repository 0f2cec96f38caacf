import pytest
import torch

from cyclemedgan.losses.cycle import cycle_loss
from cyclemedgan.losses.cycle_perceptual import cycle_perceptual_loss


def test_perceptual_is_weighted_mae():
    a, b = [torch.ones(1, 2, 3, 3), torch.zeros(1, 4, 2, 2)], [torch.zeros(1, 2, 3, 3), torch.ones(1, 4, 2, 2)]
    # layer 1 differs by 1 everywhere (x and y terms), layer 2 by 1: 2*1*(1+1) + 3*(1+1)
    assert float(cycle_perceptual_loss(a, b, a, b, (2.0, 3.0))) == pytest.approx(10.0)


def test_losses_zero_when_reconstruction_equals_input():
    feats = [torch.randn(2, 4, 9, 7), torch.randn(2, 8, 5, 3)]
    assert float(cycle_perceptual_loss(feats, feats, feats, feats, (1.0, 1.0))) == 0.0
    x = torch.randn(2, 1, 8, 8)
    assert float(cycle_loss(x, x, x, x)) == 0.0


def test_layer_weight_count_checked():
    feats = [torch.randn(1, 2, 3, 3)]
    with pytest.raises(ValueError, match="layer weights"):
        cycle_perceptual_loss(feats, feats, feats, feats, (1.0, 1.0))


def test_direction_weights_scale_each_cycle_direction():
    from cyclemedgan.losses.cycle_perceptual import cycle_perceptual_loss
    from cyclemedgan.losses.cycle_style import cycle_style_loss

    g = torch.Generator().manual_seed(0)
    f = [torch.randn(2, 3, 4, 4, generator=g) for _ in range(4)]
    for loss in (cycle_perceptual_loss, cycle_style_loss):
        both = loss([f[0]], [f[1]], [f[2]], [f[3]], (1.0,))
        x_only = loss([f[0]], [f[1]], [f[2]], [f[3]], (1.0,), (1.0, 0.0))
        y_only = loss([f[0]], [f[1]], [f[2]], [f[3]], (1.0,), (0.0, 1.0))
        assert torch.allclose(both, x_only + y_only) and x_only > 0 and y_only > 0
        assert torch.allclose(loss([f[0]], [f[1]], [f[2]], [f[3]], (1.0,), (0.1, 1.0)), 0.1 * x_only + y_only)
