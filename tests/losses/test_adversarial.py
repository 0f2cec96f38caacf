import math

import pytest
import torch

from cyclemedgan.losses.adversarial import gan_loss


def test_least_squares_and_log_loss():
    s = torch.zeros(2, 1, 4, 4)
    assert gan_loss(s, True, "lsgan").item() == pytest.approx(1.0)
    assert gan_loss(s, False, "lsgan").item() == pytest.approx(0.0)
    # Eq. 1 with D = sigmoid(0) = 0.5: -log 0.5 for either label
    assert gan_loss(s, True, "vanilla").item() == pytest.approx(math.log(2))
    assert gan_loss(torch.full((1, 1, 2, 2), 10.0), True, "vanilla").item() < 1e-4


def test_unknown_mode_lists_valid_ones():
    with pytest.raises(ValueError, match="lsgan, vanilla"):
        gan_loss(torch.zeros(1), True, "wgan")
