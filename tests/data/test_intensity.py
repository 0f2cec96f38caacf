import numpy as np
import pytest

from cyclemedgan.data.intensity import Window, percentile_window


def test_hu_window_round_trip_within_1e3_hu():
    w = Window(-1024.0, 3071.0)
    hu = np.linspace(-1024, 3071, 100001).astype(np.float32)
    y = w.forward(hu)
    assert y.min() == -1.0 and y.max() == 1.0
    assert np.abs(w.inverse(y) - hu).max() < 1e-3


def test_window_clips_outside_and_rejects_bad_bounds():
    w = Window(0.0, 10.0)
    np.testing.assert_array_equal(w.forward(np.array([-5.0, 20.0])), [-1.0, 1.0])
    with pytest.raises(ValueError):
        Window(1.0, 1.0)


def test_percentile_window():
    v = np.arange(1000, dtype=np.float32)
    w = percentile_window(v, (1.0, 99.0))
    assert w.lo == pytest.approx(9.99) and w.hi == pytest.approx(989.01)
