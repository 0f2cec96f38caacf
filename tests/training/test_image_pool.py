"""CycleGAN's history of generated images."""
import torch

from cyclemedgan.training.image_pool import ImagePool


def _batch(values) -> torch.Tensor:
    """(B, 1, 2, 2): image i filled with values[i], so each image is known by its value."""
    return torch.as_tensor(values, dtype=torch.float32).view(-1, 1, 1, 1).expand(-1, 1, 2, 2).contiguous()


def test_a_pool_of_size_zero_hands_the_batch_through():
    b = _batch([1.0, 2.0])
    assert ImagePool(0).query(b) is b


def test_a_full_pool_returns_an_older_fake_half_the_time():
    pool = ImagePool(4, torch.Generator().manual_seed(0))
    first = _batch(range(4)).requires_grad_()
    out = pool.query(first)
    assert torch.equal(out, first.detach()) and not out.requires_grad  # filling: the new fakes, detached
    n = 2000
    new = _batch(range(100, 100 + n))
    out = pool.query(new)
    assert out.shape == new.shape
    got = out[:, 0, 0, 0].tolist()
    assert all(torch.equal(o, o[0, 0, 0].expand_as(o)) for o in out)  # whole images, never mixed
    older = [v for i, v in enumerate(got) if v != 100 + i]
    assert all(v <= 100 + i for i, v in enumerate(got))  # itself or a fake from before, never a later one
    assert 0.45 < len(older) / n < 0.55
    assert len(set(older)) == len(older)  # each pooled fake is handed out once (replaced when drawn)
