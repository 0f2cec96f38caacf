"""Scoring predicted volumes against their targets: the summary rows, spacing, the kinds."""
import math

import numpy as np
import pytest

from cyclemedgan.errors import UserError
from cyclemedgan.evaluate import canonical_spacing, evaluate_paths, summarize


def test_summary_is_mean_and_sample_std_leaving_out_missing_values():
    rows = [{"mae": 1.0, "tumour": float("nan")}, {"mae": 3.0, "tumour": 2.0}, {"mae": 5.0, "tumour": float("nan")}]
    s = summarize(rows, ["mae", "tumour"])
    assert s["mae"] == pytest.approx((3.0, 2.0))  # ddof=1: sqrt(((1-3)^2 + 0 + (5-3)^2) / 2)
    assert s["tumour"] == (2.0, 0.0)  # one subject with a tumour: its value, no spread
    none = summarize([{"x": float("nan")}], ["x"])["x"]
    assert math.isnan(none[0])


def test_canonical_spacing_follows_the_world_axes():
    # array axis 0 runs along world y (2 mm), axis 1 along z (1 mm), axis 2 along -x (3 mm)
    affine = np.array([[0, 0, -3.0, 0], [2.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 0, 1]])
    assert canonical_spacing(affine) == (3.0, 2.0, 1.0)


def test_an_unknown_kind_is_refused_before_reading_anything(tmp_path):
    with pytest.raises(UserError, match=r"unknown evaluation kind 'hu'; valid: image, ct"):
        evaluate_paths(tmp_path / "nope", tmp_path / "nope", kind="hu")
