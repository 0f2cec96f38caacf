"""The probes' command line: ``cyclemedgan probe NAME`` and ``python -m cyclemedgan.probes NAME``."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO, cli


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
