"""The detect probe: its AUC and separation on toy discriminators with known answers, and the
probe itself on the tiny tune subject."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import mannwhitneyu

from cyclemedgan.probes.detect import auc, separation


class MeanD(torch.nn.Module):
    """A discriminator that scores each pixel by its value (``sign`` flips it): (B, C, H, W) -> (B, 1, H, W)."""

    def __init__(self, sign: float = 1.0):
        super().__init__()
        self.sign = sign

    def forward(self, x):
        return self.sign * x.mean(dim=1, keepdim=True)


def _slices(seed: int, n: int = 5, offset: float = 0.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return offset + 0.1 * torch.randn(n, 1, 8, 8, generator=g)  # (N, 1, 8, 8), values near offset


def test_auc_is_the_mann_whitney_statistic_with_ties_counted_half():
    assert auc(torch.tensor([2.0, 3.0]), torch.tensor([0.0, 1.0])) == 1.0
    assert auc(torch.tensor([0.0, 1.0]), torch.tensor([2.0, 3.0])) == 0.0
    assert auc(torch.tensor([1.0]), torch.tensor([1.0])) == 0.5
    g = np.random.default_rng(0)
    a, b = g.integers(0, 5, 40).astype(float), g.integers(1, 6, 30).astype(float)  # many ties
    expected = mannwhitneyu(a, b).statistic / (a.size * b.size)
    assert auc(torch.from_numpy(a), torch.from_numpy(b)) == pytest.approx(expected)


def test_separation_of_a_discriminator_that_sees_the_artifact():
    x = _slices(0, offset=-0.5)  # "corrupted": 0.3 darker than its clean twin, slice by slice
    out = separation(MeanD(), [x], [x + 0.3])
    assert out["slices"] == 5 and out["d_clean"] == pytest.approx(out["d_corrupted"] + 0.3, abs=1e-5)
    assert out["clean_scored_higher"] == 1.0 and out["auc_same_subject"] == 1.0
    # LSGAN, real target 1, D(x) = mean(x) < 1: -dL/dx points up everywhere, as y - x does
    assert out["grad_cosine"] > 0.9 and out["grad_cosine_positive"] == 1.0

    blind = separation(MeanD(-1.0), [x], [x + 0.3])  # D upside down: clean looks worse, gradient wrong way
    assert blind["clean_scored_higher"] == 0.0 and blind["auc_same_subject"] == 0.0
    assert blind["grad_cosine"] < -0.9 and blind["grad_cosine_positive"] == 0.0


def test_separation_takes_the_auc_within_each_subject_then_averages():
    a, b = _slices(1, offset=0.0), _slices(2, n=3, offset=5.0)  # two heads, far apart in brightness
    out = separation(MeanD(), [a, b], [a + 0.2, b - 0.2])  # D right on the first, wrong on the second
    assert out["slices"] == 8 and out["auc_same_subject"] == 0.5
    assert out["clean_scored_higher"] == pytest.approx(5 / 8)
    pooled = auc(torch.cat([a + 0.2, b - 0.2]).mean(dim=(1, 2, 3)), torch.cat([a, b]).mean(dim=(1, 2, 3)))
    assert pooled != pytest.approx(0.5)  # pooling the heads would mix brightness into the AUC


def test_detect_probe_trains_d_alone_and_reports_on_tune_pairs(tune_config, tmp_path, capsys):
    import json

    from cyclemedgan.config import to_dict
    from cyclemedgan.probes.common import subject_slices
    from cyclemedgan.probes.detect import detect

    (tmp_path / "c.yaml").write_text(json.dumps(to_dict(tune_config)))
    out = detect(str(tmp_path / "c.yaml"), steps=3)
    assert set(out) == {"d_corrupted", "d_clean", "clean_scored_higher", "auc_same_subject", "grad_cosine",
                        "grad_cosine_positive", "final_loss", "slices"}
    xs, ys = subject_slices(tune_config, role="tune")
    assert len(xs) == 1 and out["slices"] == len(xs[0]) == len(ys[0]) > 1  # S005's slices, each once
    for k in ("clean_scored_higher", "grad_cosine_positive"):  # shares of those slices
        assert out[k] * out["slices"] == pytest.approx(round(out[k] * out["slices"]))
    assert np.isfinite([out["d_corrupted"], out["d_clean"], out["final_loss"]]).all() and out["final_loss"] > 0
    assert -1.0 <= out["grad_cosine"] <= 1.0 and out["grad_cosine"] != 0.0  # D's gradient reaches G1(x)
    # the printed line is the returned numbers
    line = capsys.readouterr().out
    assert f"AUC clean vs corrupted within a subject {out['auc_same_subject']:.3f}" in line
    assert f"of {out['slices']} pairs (50% = blind)" in line
    assert detect(str(tmp_path / "c.yaml"), steps=3) == out  # seeded: the same D, the same numbers
