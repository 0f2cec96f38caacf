"""Eq. 2: the pixel-wise cycle-consistency loss."""
import pytest
import torch

from cyclemedgan.losses.cycle import cycle_loss


def test_cycle_loss_is_the_mean_absolute_error_of_each_direction_summed():
    x, y = torch.zeros(2, 1, 4, 4), torch.zeros(2, 1, 4, 4)
    x_rec = torch.zeros(2, 1, 4, 4)
    x_rec[0] = 0.5  # half the pixels off by 0.5: mean 0.25
    y_rec = torch.full((2, 1, 4, 4), -1.0)  # every pixel off by 1
    assert float(cycle_loss(x, x_rec)) == pytest.approx(0.25)
    assert float(cycle_loss(x, x_rec, y, y_rec)) == pytest.approx(1.25)
    # bf16 inputs are scored in float32
    assert cycle_loss(x.bfloat16(), x_rec.bfloat16()).dtype == torch.float32
