"""Volumes to the networks' [-1, 1] and back: windows (SUV and HU of the PET -> CT preset), the
background rule."""
import numpy as np
from conftest import PET2CT_STS as CONFIG

from cyclemedgan.config import load_config
from cyclemedgan.data.units import volume_window


def test_windows_invert_exactly_suv_and_hu():
    cfg = load_config(CONFIG).data
    pet = volume_window(cfg, "x", np.zeros(3))
    ct = volume_window(cfg, "y", np.zeros(3))
    suv = np.array([0.0, 0.4, 1.7, 3.0, 9.0], np.float32)
    assert pet.log_offset == 0.01  # the config's stated choice: SUV 0-3, linear in log(SUV + 0.01)
    np.testing.assert_allclose(pet.inverse(pet.forward(suv)), np.minimum(suv, 3.0), rtol=1e-5, atol=1e-6)
    hu = np.array([-1000.0, -80.0, 40.0, 700.0, 1500.0, 3000.0], np.float32)
    np.testing.assert_allclose(ct.inverse(ct.forward(hu)), np.minimum(hu, 1500.0), atol=1e-3)


def test_background_min_maps_each_volumes_constant_to_minus_one(tiny_config):
    """z-scored volumes (BraTS) carry a different background constant each: with
    ``background: min`` it maps to -1 exactly, tissue keeps the fixed window, and the constant
    stays out of percentile windows."""
    from dataclasses import replace

    from cyclemedgan.data.units import to_unit
    from cyclemedgan.data.intensity import Window

    rng = np.random.default_rng(0)
    tissue = rng.normal(0.0, 1.3, size=(6, 6, 4)).astype(np.float32)
    win = Window(-6.0, 6.0)
    cfg = replace(tiny_config.data, background="min", window_x="fixed", range_x=(-6.0, 6.0))
    outs = []
    for bg_value in (-2.75, -6.15):  # both below the tissue here, as in BraTS
        vol = np.full((8, 8, 4), bg_value, np.float32)
        vol[1:7, 1:7] = np.maximum(tissue, bg_value + 0.01)
        out = to_unit(vol, win, cfg)
        assert (out[0] == -1.0).all() and (out[:, 0] == -1.0).all()
        outs.append(out[1:7, 1:7])
    np.testing.assert_array_equal(outs[0][tissue > -2.7], outs[1][tissue > -2.7])  # same tissue scale
    # without the rule the two backgrounds differ, so the check above is able to fail
    plain = replace(cfg, background="none")
    assert to_unit(np.full((2, 2, 2), -2.75, np.float32), win, plain).max() > -1.0
    # percentile windows ignore the background constant
    vol = np.full((8, 8, 4), -6.15, np.float32)
    vol[1:7, 1:7] = tissue
    pct = replace(cfg, window_x="percentile", percentiles=(0.0, 100.0))
    w = volume_window(pct, "x", vol)
    assert w.lo == float(tissue.min()) and w.hi == float(tissue.max())
