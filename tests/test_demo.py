"""`cyclemedgan demo` end to end on tiny synthetic data, with a second ("long") checkpoint."""
import pytest

from cyclemedgan.cli import main


def test_demo_writes_report_and_figure(tiny_config_path, tiny_extractor, tmp_path, capsys):
    out = tmp_path / "demo"
    base = ["--config", str(tiny_config_path), "--set", f"loss.extractor={tiny_extractor}", "--no-progress"]
    with pytest.raises(SystemExit) as e:
        main(["train", *base, "--out", str(tmp_path / "long")])
    assert e.value.code == 0
    with pytest.raises(SystemExit) as e:
        main(["demo", *base, "--out", str(out), "--long-checkpoint", str(tmp_path / "long")])
    assert e.value.code == 0
    report = (out / "report.md").read_text()
    assert "| No correction (motion-corrupted input) |" in report
    assert "Cycle-MedGAN, this run (4 steps" in report and "shipped long run (4 steps" in report
    assert report.count("| S00") == 2  # per-subject rows of both validation subjects
    assert (out / "figure.png").stat().st_size > 10_000
    assert sorted(p.name for p in (out / "cyclemedgan" / "pred").iterdir()) == ["S005.nii.gz", "S006.nii.gz"]
    assert f"report: {out / 'report.md'}" in capsys.readouterr().out
