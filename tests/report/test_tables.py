"""Table I and compare's table.md / table.csv from hand-made results (no training)."""
import csv
from pathlib import Path

import pytest

from cyclemedgan.report.tables import LABELS, MethodResult, comparison_markdown, markdown_table, write_table_csv

KEYS = ["ssim", "psnr", "mae"]


def _result(method, seed, ssim, psnr, mae, run=True, best_step=None):
    per = [{"subject": "S1", "ssim": ssim - 0.01, "psnr": psnr - 1, "mae": mae + 1},
           {"subject": "S2", "ssim": ssim + 0.01, "psnr": psnr + 1, "mae": mae - 1}]
    summary = {"ssim": (ssim, 0.0141), "psnr": (psnr, 1.4142), "mae": (mae, 1.4142)}
    return MethodResult(method.upper(), Path(method), per, summary, method=method, seed=seed,
                        run=Path(f"runs/{method}-{seed}") if run else None, wall_s=90.0, best_step=best_step,
                        tuned_on="tune")


def test_markdown_table_bolds_the_best_mean_per_column_by_its_direction():
    rows = [("a", {"ssim": (0.5, 0.1), "mae": (3.0, 0.5)}), ("b", {"ssim": (0.7, 0.1), "mae": (4.0, 0.5)})]
    lines = markdown_table(rows, ["ssim", "mae"], 7).splitlines()
    assert lines[0] == "| method | SSIM ↑ | MAE ↓ |"
    assert lines[2] == "| a | 0.5000 ± 0.1000 | **3.00 ± 0.50** |"  # lower MAE is better
    assert lines[3] == "| b | **0.7000 ± 0.1000** | 4.00 ± 0.50 |"
    assert lines[-1] == "mean ± std over n = 7 validation subjects; best mean in bold."
    assert "**" not in markdown_table(rows[:1], ["ssim", "mae"], 7)  # one row: nothing to beat


def test_rows_without_training_join_every_seed_and_the_csv_marks_each_seeds_best(tmp_path):
    results = [_result("none", 0, 0.60, 20.0, 5.0, run=False), _result("cyclegan", 0, 0.70, 21.0, 6.0, best_step=3),
               _result("cyclegan", 1, 0.50, 19.0, 4.0, best_step=0)]
    md = comparison_markdown(results, KEYS, [0, 1])
    seed0, seed1 = md.split("## Seed 0\n\n")[1].split("## Seed 1\n\n")
    assert [ln.split(" |")[0] for ln in seed0.splitlines() if ln.startswith("| ") and "±" in ln] == ["| NONE", "| CYCLEGAN"]
    assert "| NONE | **0.6000 ± 0.0141** | **20.00 ± 1.41** | 5.00 ± 1.41 |" in seed1  # seed 1's run: lower MAE
    assert "- CYCLEGAN (seed 0): 1.5 min; scored at step 3 (best on the tune subjects)" in md
    assert "- CYCLEGAN (seed 1): 1.5 min; scored at step 0: its start" in md
    assert "| CYCLEGAN | 1 | 0.4900 / 18.00 | 0.5100 / 20.00 |" in md  # per subject SSIM / PSNR
    write_table_csv(tmp_path / "t.csv", results, KEYS, [0, 1])
    rows = list(csv.DictReader((tmp_path / "t.csv").open()))
    assert [(r["method"], r["seed"]) for r in rows] == [("none", "0"), ("cyclegan", "0"), ("none", "0"), ("cyclegan", "1")]
    assert [(r["best_ssim"], r["best_mae"]) for r in rows] == [("0", "1"), ("1", "0"), ("1", "0"), ("0", "1")]
    assert rows[1]["psnr_mean"] == "21.000000" and rows[1]["train_wall_s"] == "90.0" and rows[0]["n"] == "2"


def test_no_column_label_breaks_a_markdown_table():
    """A '|' in a label would split its column in every markdown table."""
    assert not [k for k, label in LABELS.items() if "|" in label]


def test_subject_table_rows_are_subjects_and_refuses_other_subjects():
    from cyclemedgan.report.tables import subject_table

    a = [{"subject": "S1", "ssim": 0.5, "psnr": 20.0}, {"subject": "S2", "ssim": 0.6, "psnr": 21.0}]
    b = [{"subject": "S1", "ssim": 0.7, "psnr": 22.0}, {"subject": "S2", "ssim": 0.8, "psnr": 23.456}]
    lines = subject_table(["A (step 3)", "B: supervised"], [a, b]).splitlines()
    assert lines[0] == "| subject | A | B |" and lines[3] == "| S2 | 0.6000 / 21.00 | 0.8000 / 23.46 |"
    with pytest.raises(ValueError, match="same subjects"):
        subject_table(["A", "B"], [a, b[::-1]])
