"""`cyclemedgan compare` end to end on tiny synthetic data (1 step per method)."""
import csv
import json

import pytest

from cyclemedgan.cli import main
from cyclemedgan.compare import METHODS, method_config


def test_recipes_differ_only_where_they_should(tiny_config):
    base = tiny_config
    cg = method_config(base, "cyclegan", 3)
    assert (cg.loss.lambda_cp, cg.loss.lambda_cs, cg.train.seed) == (0.0, 0.0, 3)
    assert cg.model == base.model and cg.train.steps == base.train.steps
    unit = method_config(base, "unit", 3)
    assert unit.method == "unit" and unit.train.lr == 1e-4 and unit.train.weight_decay == 1e-4
    assert method_config(base, "cyclemedgan-no-style", 0).loss.lambda_cs == 0.0
    assert method_config(base, "cyclemedgan-no-perceptual", 0).loss.lambda_cp == 0.0


def test_compare_writes_table_figure_curves_report(tiny_config_path, tiny_extractor, tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", "--config", str(tiny_config_path), "--set", f"loss.extractor={tiny_extractor}",
            "--set", "model.n_blocks=2", "--steps-per-method", "1", "--out", str(out), "--no-progress",
            "--methods", "none", "unit", "cyclegan", "cyclemedgan"]
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 0
    for name in ("table.md", "table.csv", "figure.png", "curves.png", "report.html"):
        assert (out / name).is_file(), name
    rows = list(csv.DictReader((out / "table.csv").open()))
    assert [r["method"] for r in rows] == ["none", "unit", "cyclegan", "cyclemedgan"]
    assert all(r["n"] == "2" for r in rows)
    for m in ("unit", "cyclegan", "cyclemedgan"):
        meta = json.loads((out / m / "meta.json").read_text())
        assert meta["step"] == 1 and meta["method"] == m
        assert len(list((out / m / "pred").iterdir())) == 2
    assert "Cycle-MedGAN" in (out / "table.md").read_text()
    # resumes: nothing is retrained the second time
    stamp = (out / "unit" / "model.safetensors").stat().st_mtime_ns
    with pytest.raises(SystemExit):
        main(args)
    assert (out / "unit" / "model.safetensors").stat().st_mtime_ns == stamp
    assert "not retraining" in capsys.readouterr().out


def test_unknown_method_is_a_one_line_error(tiny_config_path, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["compare", "--config", str(tiny_config_path), "--methods", "pix2pix", "--out", str(tmp_path)])
    assert e.value.code == 2
    assert "unknown method 'pix2pix'" in capsys.readouterr().err
    assert set(METHODS) >= {"none", "unit", "cyclegan", "cyclemedgan"}
