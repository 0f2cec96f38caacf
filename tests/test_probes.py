"""The probes' own logic on toy inputs with known answers, and their command line (``cyclemedgan
probe NAME``, ``python -m cyclemedgan.probes NAME``). The probes on real runs and data are tested
beside what they probe: test_cli.py (change, hiding), tests/training/test_tune.py (filters,
detect), test_pet2ct_sts.py (outline, tissues, regions, choose)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import REPO, cli
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


def _one_line_error(text: str) -> str:
    err = text.strip()
    assert err.startswith("cyclemedgan: error:") and "\n" not in err and "Traceback" not in err
    return err


def test_probe_verb_runs_a_probe_and_gives_one_line_errors(tmp_path, capsys):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "metrics.csv").write_text("step,loss,tune/ssim,tune/psnr,tune/score\n"
                                                "10,0.5,,,\n50,0.4,0.70,25.0,0.10\n100,0.3,0.71,25.2,0.30\n")
    assert cli("probe", "choose", tmp_path / "A") == 0
    assert "step  100 score +0.300" in capsys.readouterr().out
    assert cli("probe", "choose", tmp_path / "missing") == 2
    assert "missing has no metrics.csv" in _one_line_error(capsys.readouterr().err)
    assert cli("probe", "regions", REPO / "configs" / "pet2ct-sts.yaml", tmp_path) == 2
    assert "no tune patient has a prediction" in _one_line_error(capsys.readouterr().err)
    assert cli("probe", "filters", tmp_path / "nope.yaml") == 2
    _one_line_error(capsys.readouterr().err)


def test_python_m_cyclemedgan_probes_is_the_probe_verb(tmp_path):
    r = subprocess.run([sys.executable, "-m", "cyclemedgan.probes", "change", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "not a checkpoint directory" in _one_line_error(r.stderr)
    r = subprocess.run([sys.executable, "-m", "cyclemedgan.probes", "--help"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "cyclemedgan probe" in r.stdout
    assert all(name in r.stdout for name in ("filters", "change", "detect", "hiding", "outline", "tissues",
                                              "regions", "choose"))
