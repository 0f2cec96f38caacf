import numpy as np
import pytest

from cyclemedgan.data.slices import SliceFitter, slices_to_volume, volume_to_slices


@pytest.mark.parametrize("shape", [(90, 120), (130, 70), (128, 128), (31, 33), (241, 240)])
def test_pad_crop_inverse_is_exact(shape):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (3,) + shape).astype(np.float32)
    f = SliceFitter(shape, 128, "pad_crop")
    y = f.fit(x)
    assert y.shape == (3, 128, 128)
    np.testing.assert_array_equal(f.unfit(y, fill=x), x)


def test_resize_mode_restores_shape():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 90, 120)).astype(np.float32)
    f = SliceFitter((90, 120), 64, "resize")
    assert f.fit(x).shape == (2, 64, 64)
    assert f.unfit(f.fit(x)).shape == (2, 90, 120)


def test_volume_slice_round_trip():
    v = np.random.default_rng(0).normal(size=(5, 6, 7)).astype(np.float32)
    s = volume_to_slices(v)
    assert s.shape == (7, 5, 6)
    np.testing.assert_array_equal(s[3], v[:, :, 3])
    np.testing.assert_array_equal(slices_to_volume(s), v)


def test_with_context_stacks_neighbours_and_repeats_the_edges():
    from cyclemedgan.data.slices import with_context

    stack = np.arange(4, dtype=np.float32)[:, None, None] * np.ones((1, 2, 3), np.float32)
    ctx = with_context(stack, 1)
    assert ctx.shape == (4, 3, 2, 3)
    assert [list(ctx[z, :, 0, 0]) for z in range(4)] == [[0, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 3]]
    np.testing.assert_array_equal(with_context(stack, 0)[:, 0], stack)
