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


def test_log_window_round_trips_suv_and_separates_air_fat_muscle():
    w = Window(0.0, 3.0, log_offset=0.01)
    suv = np.concatenate([np.linspace(0, 0.1, 1001), np.linspace(0.1, 3.0, 10001)]).astype(np.float32)
    y = w.forward(suv)
    assert y.min() == -1.0 and y.max() == 1.0 and np.all(np.diff(y) >= 0)  # monotonic
    np.testing.assert_allclose(w.inverse(y), suv, rtol=1e-5, atol=1e-6)
    air, fat, muscle = w.forward(np.array([0.005, 0.05, 0.6]))
    assert fat - air > 0.4 and muscle - fat > 0.4  # a linear 0-3 SUV window gives them 0.03 and 0.37
    np.testing.assert_array_equal(w.forward(np.array([-1.0, 9.0])), [-1.0, 1.0])  # clipped outside
    with pytest.raises(ValueError):
        Window(-0.5, 3.0, log_offset=0.01)  # log of a negative number
