"""Attenuation-correction error on chords (metrics_ac), on water cylinders of known answers."""
from functools import lru_cache

import numpy as np
import pytest

from cyclemedgan.metrics_ac import AC_METRICS, ac_chords, ac_scores
from cyclemedgan.metrics_ct import MU_WATER_511

N, R, MM = 96, 40.0, 2.0  # plane size (px), cylinder radius (px), pixel spacing (mm)
CM = MM / 10.0


@lru_cache
def _disc(cx: int, cy: int) -> np.ndarray:
    """Fraction of each pixel inside a disc of radius R about pixel (cx, cy), 8x8 supersampled."""
    o = (np.arange(8) + 0.5) / 8 - 0.5
    i = np.arange(N)[:, None, None, None] + o[None, None, :, None] - cx
    j = np.arange(N)[None, :, None, None] + o[None, None, None, :] - cy
    return (np.hypot(i, j) < R).mean(axis=(2, 3))


def cylinder(nz: int = 3, centre=(N // 2, N // 2)) -> np.ndarray:
    """Water (0 HU) cylinder along Z in air (-1000 HU), partial volume at its edge, in HU."""
    sl = -1000.0 + 1000.0 * _disc(*centre)
    return np.repeat(sl[:, :, None], nz, axis=2)


def strip_length_cm(offset: np.ndarray) -> np.ndarray:
    """The disc's area in the one-pixel strip of each detector bin / 1 pixel, in cm: the chord
    length 2 sqrt(R^2 - d^2) averaged over the bin (what a partial-volume disc gives)."""
    def area(x):
        x = np.clip(x, -R, R)
        return x * np.sqrt(R * R - x * x) + R * R * np.arcsin(x / R)
    return (area(offset + 0.5) - area(offset - 0.5)) * CM


def test_a_perfect_synthetic_ct_has_no_error_on_any_chord():
    ct = cylinder()
    c = ac_chords(ct, ct, (MM, MM))
    assert c["e"].size > 0 and np.all(c["e"] == 0.0)
    s = ac_scores(ct, ct, (MM, MM))
    assert set(s) == set(AC_METRICS)
    assert all(s[k] == 0.0 for k in ("ac_mean", "ac_abs", "ac_p95", "ac_over5"))
    assert s["n_chords"] == c["e"].size == s["n_complete"] and s["n_truncated"] == 0
    assert np.isnan(s["ac_abs_truncated"]) and np.isnan(s["ac_abs_tumour"])


def test_air_for_water_gives_the_analytic_attenuation_of_a_disc():
    ct = cylinder()
    air = np.full_like(ct, -1000.0)
    c = ac_chords(air, ct, (MM, MM))
    # the chord through the centre: integral -(0.096 /cm x 2 R), on every angle and plane
    centre = c["offset"] == 0
    assert centre.sum() == 180 * ct.shape[2]
    expected = np.expm1(-MU_WATER_511 * 2 * R * CM)  # exp(-0.096 x 16 cm) - 1 = -0.785
    np.testing.assert_allclose(c["e"][centre], expected, rtol=1e-3)
    # chords at offset d: 2 sqrt(R^2 - d^2); away from the edge the point formula holds
    d = c["offset"].astype(float)
    inner = np.abs(d) <= 30
    point = np.expm1(-MU_WATER_511 * 2 * np.sqrt(R**2 - d[inner] ** 2) * CM)
    assert c["e"][inner].mean() == pytest.approx(point.mean(), rel=1e-3)
    # the mean over all body chords, against the length averaged over each one-pixel bin
    analytic = np.expm1(-MU_WATER_511 * strip_length_cm(d))
    assert c["e"].mean() == pytest.approx(analytic.mean(), rel=1e-3)
    assert np.abs(d).max() <= R + 1  # only chords that meet the body
    s = ac_scores(air, ct, (MM, MM))
    assert s["ac_mean"] == pytest.approx(c["e"].mean())
    assert s["ac_abs"] == pytest.approx(-s["ac_mean"])
    assert s["ac_over5"] > 0.95


def test_the_integral_scales_with_the_pixel_spacing():
    ct = cylinder(nz=1)
    air = np.full_like(ct, -1000.0)
    a, b = ac_chords(air, ct, (MM, MM)), ac_chords(air, ct, (2 * MM, 2 * MM))
    np.testing.assert_allclose(np.log1p(b["e"]), 2 * np.log1p(a["e"]), rtol=1e-9)


def test_a_disc_cut_by_the_crop_border_has_truncated_chords_a_centred_one_none():
    centred = cylinder(nz=1)
    s = ac_scores(centred + 100.0 * (centred > -500), centred, (MM, MM))
    assert s["n_truncated"] == 0 and s["n_complete"] == s["n_chords"] > 0
    cut = cylinder(nz=1, centre=(20, N // 2))  # reaches 20 px past the face x = 0
    c = ac_chords(cut, cut, (MM, MM))
    assert c["truncated"].any() and (~c["truncated"]).any()
    # angle 0 integrates along X: all chords where the disc crosses x = 0 (|y - 48| < 34.6 px)
    assert c["truncated"][(c["angle"] == 0) & (np.abs(c["offset"]) <= 34)].all()
    s = ac_scores(cut + 100.0 * (cut > -500), cut, (MM, MM))
    assert s["n_truncated"] == int(c["truncated"].sum()) > 0
    assert s["n_complete"] + s["n_truncated"] == s["n_chords"]
    assert s["ac_abs_truncated"] > 0 and s["ac_abs_complete"] > 0


@pytest.mark.parametrize("delta, sign", [(100.0, 1), (-100.0, -1)])
def test_denser_than_the_ct_is_positive_lighter_negative(delta, sign):
    ct = cylinder(nz=1)
    pred = np.where(ct > -500, ct + delta, ct)
    c = ac_chords(pred, ct, (MM, MM))
    assert np.all(sign * c["e"] >= 0)
    s = ac_scores(pred, ct, (MM, MM))
    assert sign * s["ac_mean"] > 0 and s["ac_abs"] == pytest.approx(abs(s["ac_mean"]))


def test_planes_outside_the_ct_field_of_view_do_not_count_against_the_prediction():
    ct = cylinder(nz=3, centre=(21, N // 2))  # body up to x = 0
    ct[0, :, :] = -1000.0  # the CT did not image the face x = 0
    ct[:, :, 0] = -1000.0  # nor the first axial plane
    pred = ct.copy()
    pred[0, :, :] = 40.0  # the PET shows tissue there
    pred[:, :, 0] = 40.0
    c = ac_chords(pred, ct, (MM, MM))
    assert np.all(c["e"] == 0.0) and 0 not in c["plane"]
    # the body at the edge of what the CT imaged (x = 1) runs out of it: truncated chords
    assert c["truncated"][(c["angle"] == 0) & (np.abs(c["offset"]) <= 34)].all()
    # the same face holding anything but -1000 HU is in view: its tissue in pred counts
    seen = ct.copy()
    seen[0, 0, 1] = -990.0
    s = ac_scores(pred, seen, (MM, MM))
    assert s["ac_mean"] > 0 and s["ac_abs"] > 0


def test_the_tumour_value_takes_only_chords_through_the_tumour():
    ct = cylinder(nz=3)
    pred = ct.copy()
    pred[:, :, 0] = np.where(ct[:, :, 0] > -500, 100.0, ct[:, :, 0])  # error in plane 0 only
    tumour = np.zeros(ct.shape, bool)
    tumour[N // 2 - 3:N // 2 + 3, N // 2 - 3:N // 2 + 3, 2] = True  # in plane 2 only
    s = ac_scores(pred, ct, (MM, MM), tumour)
    assert s["ac_abs"] > 0 and s["ac_abs_tumour"] == 0.0 and s["n_tumour"] > 0
    # tumour at the centre of plane 0: chords through it are the long ones, |e| above the mean
    tumour = np.roll(tumour, -2, axis=2)
    s = ac_scores(pred, ct, (MM, MM), tumour)
    c = ac_chords(pred, ct, (MM, MM), tumour)
    through = c["tumour"]
    assert through.sum() == s["n_tumour"] and set(c["plane"][through]) == {0}
    assert np.all(np.abs(c["offset"][through]) <= 4)  # a 6-px square about the axis
    expected = np.average(np.abs(c["e"][through]), weights=c["tumour_cm"][through])
    assert s["ac_abs_tumour"] == pytest.approx(expected)
    assert s["ac_abs_tumour"] > np.abs(c["e"][c["plane"] == 0]).mean()
    assert np.isnan(ac_scores(pred, ct, (MM, MM), np.zeros(ct.shape, bool))["ac_abs_tumour"])


def test_bad_inputs_raise():
    ct = cylinder(nz=1)
    with pytest.raises(ValueError, match="isotropic"):
        ac_scores(ct, ct, (2.0, 3.0))
    with pytest.raises(ValueError, match="shape"):
        ac_scores(ct[:-1], ct, (MM, MM))
    with pytest.raises(ValueError, match="no body"):
        ac_scores(ct, np.full_like(ct, -1000.0), (MM, MM))
    with pytest.raises(ValueError, match="kVp"):
        ac_scores(ct, ct, (MM, MM), kvp=90)
