"""scripts/train_rows.py: compare's rows trained side by side, then scored by compare untouched."""
import json
import subprocess
import sys

from conftest import REPO

from cyclemedgan.compare import run_compare
from cyclemedgan.config import to_dict


def test_rows_trained_side_by_side_are_the_rows_compare_would_train(tiny_config, tiny_extractor, tmp_path):
    tree = to_dict(tiny_config)
    tree["loss"].update(extractor=str(tiny_extractor), lambda_cs=0.0)
    cfg_path = tmp_path / "c.yaml"
    cfg_path.write_text(json.dumps(tree))  # JSON is YAML
    out = tmp_path / "cmp"
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "train_rows.py"), "--config", str(cfg_path),
                        "--methods", "cyclegan", "paired", "--steps-per-method", "2", "--seeds", "0", "1",
                        "--jobs", "2", "--out", str(out)], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stderr
    runs = ["cyclegan", "paired", "cyclegan-seed1", "paired-seed1"]
    assert sorted(r.stdout.split()) == sorted([f"{out / n}:" for n in runs] + ["trained"] * 4)
    trained = {n: (out / n / "model.safetensors").stat().st_mtime_ns for n in runs}
    for n in runs:
        assert json.loads((out / n / "meta.json").read_text())["step"] == 2
    report = run_compare(str(cfg_path), [], ["none", "cyclegan", "paired"], 2, out, seeds=[0, 1], progress=False)
    assert {n: (out / n / "model.safetensors").stat().st_mtime_ns for n in runs} == trained  # not retrained
    assert "CycleGAN" in (report / "table.md").read_text()

    bad = subprocess.run([sys.executable, str(REPO / "scripts" / "train_rows.py"), "--config", str(cfg_path),
                          "--methods", "cyclegan", "--set", "train.lr=-1", "--out", str(tmp_path / "bad")],
                         capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "train_rows: error: train.steps, batch_size, lr must be positive"] and not (tmp_path / "bad").exists()
