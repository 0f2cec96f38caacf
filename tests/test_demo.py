"""`cyclemedgan demo` end to end on tiny synthetic data, with a "shipped" checkpoint and the paired bound."""
import csv
import shutil

import pytest

from cyclemedgan.cli import main


def test_demo_writes_report_and_figure(tiny_config_path, tiny_extractor, tmp_path, capsys):
    out = tmp_path / "demo"
    base = ["--config", str(tiny_config_path), "--set", f"loss.extractor={tiny_extractor}", "--no-progress"]
    with pytest.raises(SystemExit) as e:
        main(["train", *base, "--out", str(tmp_path / "long")])
    assert e.value.code == 0
    shutil.copytree(tmp_path / "long", tmp_path / "start")  # a start other than the shipped model gets its own row
    with pytest.raises(SystemExit) as e:
        main(["demo", *base, "--out", str(out), "--shipped-checkpoint", str(tmp_path / "long"),
              "--paired-steps", "3", "--set", f"train.init_from={tmp_path / 'start'}"])
    assert e.value.code == 0
    report = (out / "report.md").read_text()
    rows = [ln for ln in report.splitlines() if ln.startswith("| ") and "±" in ln]
    assert [r.split(" (")[0].split(" `")[0] for r in rows] == [
        "| Cycle-MedGAN, shipped model", "| Cycle-MedGAN, this run", "| Start: G1 of", "| No correction",
        "| Paired L1 upper bound: supervised, not unpaired"]
    assert "this run (from `" in report and "shipped model" in report and "(3 steps" in report
    assert "starting from" in report
    assert report.count("| S00") == 2  # per-subject rows of both validation subjects
    # Fig. 3: Input | shipped | this run | start | paired bound | Target, an image and an |error|
    # row for each of the 2 validation subjects
    import matplotlib.pyplot as plt

    from cyclemedgan.report.figures import DPI, PANEL_IN

    assert plt.imread(out / "figure.png").shape[:2] == (round(2 * PANEL_IN * DPI * 2), round(PANEL_IN * DPI * 6))
    assert sorted(p.name for p in (out / "cyclemedgan" / "pred-demo").iterdir()) == ["S005.nii.gz", "S006.nii.gz"]
    assert f"report: {out / 'report.md'}" in capsys.readouterr().out
    import json

    from scripts.make_results_tables import render

    results = json.loads((out / "results.json").read_text())
    assert [r["name"] for r in results["rows"]][3] == "No correction (motion-corrupted input)"
    assert results["n"] == 2 and {"ssim", "psnr", "psnr_fit", "ghost", "lpips"} <= set(results["keys"])
    table = render(out / "results.json")
    assert table in report  # README's tables are rendered from this file the way the report is
    # results.json holds each row's own metrics CSV, and the report's per-subject table is that
    csvs = [out / "shipped" / "pred-metrics.csv", out / "cyclemedgan" / "pred-demo-metrics.csv",
            out / "start" / "pred-metrics.csv", out / "input-metrics.csv", out / "paired" / "pred-demo-metrics.csv"]
    for row, path in zip(results["rows"], csvs, strict=True):
        scores = {r["subject"]: r for r in csv.DictReader(path.open())}
        for k in results["keys"]:
            assert row["summary"][k] == pytest.approx([float(scores["mean"][k]), float(scores["std"][k])], abs=1e-6)
            assert [p[k] for p in row["per_subject"]] == pytest.approx([float(scores[s][k]) for s in ("S005", "S006")],
                                                                        abs=1e-6)
    for i, subject in enumerate(("S005", "S006")):
        cells = [f"{r['per_subject'][i]['ssim']:.4f} / {r['per_subject'][i]['psnr']:.2f}" for r in results["rows"]]
        assert f"| {subject} | " + " | ".join(cells) + " |" in report.splitlines()

