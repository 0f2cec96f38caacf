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
