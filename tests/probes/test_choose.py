"""The choose probe on written tune curves."""
import csv

import pytest

from cyclemedgan.errors import UserError


def test_choose_probe_applies_the_tune_rule_and_averages_seeds(tmp_path, capsys):
    from cyclemedgan.probes.choose import choose

    head = ["step", "loss", "tune/ssim", "tune/psnr", "tune/ssim_ref", "tune/psnr_ref", "tune/mae", "tune/mae_ref",
            "tune/score"]
    curves = {"A_s0": [(50, 0.60, 98.0, -4.2), (100, 0.62, 101.0, -3.8)],  # step 100 scores higher, MAE above ref
              "A_s1": [(50, 0.61, 97.0, -4.0), (100, 0.60, 98.5, -4.1)]}
    for name, rows in curves.items():
        (tmp_path / name).mkdir()
        with (tmp_path / name / "metrics.csv").open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(head)
            w.writerow([10, 0.5] + [""] * 7)  # a step without a tune point
            for step, ssim, mae, score in rows:
                w.writerow([step, 0.5, ssim, 23.0, 0.73, 23.6, mae, 99.0, score])
    picked = choose([str(tmp_path / "A_s0"), str(tmp_path / "A_s1")])
    assert [picked[str(tmp_path / n)]["step"] for n in curves] == [50, 50]
    assert "A  " in capsys.readouterr().out.split("mean of 2")[0].splitlines()[-1]
    with pytest.raises(UserError, match="no metrics.csv"):
        choose([str(tmp_path / "missing")])
