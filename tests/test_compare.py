"""`cyclemedgan compare` end to end on tiny synthetic data (1 step per method), and PET -> CT on a
few IBSI patients, scored in HU beside the bulk-density and three-class rows."""
import csv
import json

import nibabel as nib
import numpy as np
import pytest
from conftest import PET2CT_STS as CONFIG, REPO

from cyclemedgan.cli import main
from cyclemedgan.compare import METHODS, NAMES, method_config, run_compare
from cyclemedgan.errors import UserError
from cyclemedgan.report.figures import DPI, PANEL_IN
from cyclemedgan.report.tables import HIGHER_IS_BETTER, LABELS


def _scores_csv(path):
    """An evaluate CSV: {subject, then "mean" and "std": {metric: float}}."""
    return {r["subject"]: {k: float(v) for k, v in r.items() if k != "subject"} for r in csv.DictReader(path.open())}


def _table_md_matches_the_csv_and_the_runs_scores(out, rows):
    """Every cell of table.md's Table I is the mean ± std that table.csv holds, bold where the CSV
    marks it best, and those are the runs' own val-metrics.csv means; its per-subject SSIM / PSNR
    are the runs' per-subject scores."""
    md = (out / "table.md").read_text()
    table = [ln for ln in md.split("## Results")[1].split("Training wall time")[0].splitlines() if ln.startswith("|")]
    keys = [c[: -len("_mean")] for c in rows[0] if c.endswith("_mean")]
    assert table[0] == "| method | " + " | ".join(
        f"{LABELS[k]} {'↑' if HIGHER_IS_BETTER[k] else '↓'}" for k in keys) + " |"
    assert len(table) == 2 + len(rows)
    for line, row in zip(table[2:], rows):
        m = row["method"]
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == NAMES[m]
        scores = _scores_csv(out / m / "val-metrics.csv" if m != "none" else out / "none-val-metrics.csv")
        for k, cell in zip(keys, cells[1:], strict=True):
            mean, std = float(row[f"{k}_mean"]), float(row[f"{k}_std"])
            assert (mean, std) == pytest.approx((scores["mean"][k], scores["std"][k]), abs=1e-6), (m, k)
            d = 2 if k in ("psnr", "psnr_fit", "mae", "ghost") else 4
            text = f"{mean:.{d}f} ± {std:.{d}f}"
            assert cell == (f"**{text}**" if row[f"best_{k}"] == "1" else text), (m, k)
        per = [f"{v['ssim']:.4f} / {v['psnr']:.2f}" for s, v in scores.items() if s not in ("mean", "std")]
        assert f"| {NAMES[m]} | 0 | " + " | ".join(per) + " |" in md.splitlines(), m


def png_size(path) -> tuple[int, int]:
    """(width, height) of a PNG in pixels."""
    import matplotlib.pyplot as plt

    h, w = plt.imread(path).shape[:2]
    return w, h


def test_recipes_differ_only_where_they_should(tiny_config):
    base = tiny_config
    cg = method_config(base, "cyclegan", 3)
    assert (cg.loss.lambda_cp, cg.loss.lambda_cs, cg.train.seed) == (0.0, 0.0, 3)
    assert cg.model == base.model and cg.train.steps == base.train.steps
    unit = method_config(base, "unit", 3)
    assert unit.method == "unit" and unit.train.lr == 1e-4 and unit.train.weight_decay == 1e-4
    assert method_config(base, "cyclemedgan-no-style", 0).loss.lambda_cs == 0.0
    assert method_config(base, "cyclemedgan-no-perceptual", 0).loss.lambda_cp == 0.0


def test_the_paired_bound_is_chosen_on_tune_alone_when_train_x_scores_the_others(tiny_config):
    from cyclemedgan.config import replace

    both = replace(tiny_config, train={"tune_roles": ("tune", "train_x")})
    assert method_config(both, "cyclemedgan", 0).train.tune_roles == ("tune", "train_x")
    assert method_config(both, "cyclegan", 0).train.tune_roles == ("tune", "train_x")
    assert method_config(both, "paired", 0).train.tune_roles == ("tune",)  # it learns train_x's targets


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
    _table_md_matches_the_csv_and_the_runs_scores(out, rows)
    # Fig. 3: Input | UNIT | CycleGAN | Cycle-MedGAN | Target, over the image and |error| rows of 2 slices
    assert png_size(out / "figure.png") == (round(PANEL_IN * DPI * 5), round(2 * PANEL_IN * DPI * 2))
    page = (out / "report.html").read_text()
    first_table = page.split("<table>")[1].split("</table>")[0]
    assert first_table.count("<tr>") == 1 + 4 and "<td>Cycle-MedGAN</td>" in first_table
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


def test_compare_scores_best_on_tune_checkpoints_and_the_paired_bound(tiny_config, tiny_extractor, tmp_path):
    """With tune subjects and a tune curve, every trained row is scored with its best/ checkpoint,
    and the paired bound is a row of its own."""
    from cyclemedgan.compare import run_compare
    from cyclemedgan.data.split import SubjectRow, read_split, write_split

    rows = [SubjectRow(r.subject, r.age, r.sex, "tune" if r.subject == "S004" else r.role)
            for r in read_split(tiny_config.data.split_file)]
    write_split(rows, tmp_path / "split.csv")
    from cyclemedgan.config import to_dict

    tree = to_dict(tiny_config)
    tree["data"]["split_file"] = str(tmp_path / "split.csv")
    tree["loss"].update(extractor=str(tiny_extractor), lambda_cs=0.0)
    tree["train"]["tune_every"] = 1
    cfg_path = tmp_path / "c.yaml"
    cfg_path.write_text(json.dumps(tree))  # JSON is YAML
    out = run_compare(str(cfg_path), [], ["none", "cyclemedgan", "paired"], 2, tmp_path / "cmp", progress=False)
    table = (out / "table.md").read_text()
    assert "Paired L1 (supervised, not unpaired)" in table
    assert "scored at step" in table and "(best on the tune subjects)" in table
    for m in ("cyclemedgan", "paired"):
        assert (out / m / "best" / "meta.json").is_file() and len(list((out / m / "pred-best").iterdir())) == 2

    # --select last: the same runs (not retrained), scored with their last checkpoints, under OUT/last/
    trained = (out / "cyclemedgan" / "model.safetensors").stat().st_mtime_ns
    last = run_compare(str(cfg_path), [], ["none", "cyclemedgan"], 2, tmp_path / "cmp", progress=False, select="last")
    assert last == out / "last" and (out / "cyclemedgan" / "model.safetensors").stat().st_mtime_ns == trained
    table = (last / "table.md").read_text()
    assert "scored at its last step" in table and "best on the tune" not in table
    assert "--select last" in (last / "report.html").read_text()
    assert len(list((out / "cyclemedgan" / "pred").iterdir())) == 2
    assert (out / "cyclemedgan" / "val-metrics-last.csv").is_file() and (out / "table.md").is_file()
    with pytest.raises(UserError, match="unknown checkpoint selection 'middle'"):
        run_compare(str(cfg_path), [], ["none"], 2, tmp_path / "cmp", progress=False, select="middle")


def test_warm_start_rows_start_from_init_from_and_unit_from_its_own(tiny_config_path, tiny_extractor, tmp_path):
    """With train.init_from, the ResNet/U-Net methods start from that G1, UNIT from unit.init_from
    (here empty: cold), and the
    starting G1 itself is a row ("pretrained")."""
    from cyclemedgan.compare import default_methods, run_compare
    from cyclemedgan.config import load_config, replace
    from cyclemedgan.training.loop import train

    cfg = load_config(tiny_config_path, [f"loss.extractor={tiny_extractor}"])
    start = train(replace(cfg, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0}, train={"steps": 2}),
                  tmp_path / "start", progress=False)
    assert default_methods(False, warm=True)[:2] == ["none", "pretrained"]
    warm = replace(cfg, train={"init_from": str(start)})
    assert method_config(warm, "cyclegan", 0).train.init_from == str(start)
    assert method_config(warm, "unit", 0).train.init_from == ""
    out = run_compare(str(tiny_config_path), [f"loss.extractor={tiny_extractor}", f"train.init_from={start}"],
                      ["none", "pretrained", "cyclegan"], 1, tmp_path / "cmp", progress=False)
    rows = list(csv.DictReader((out / "table.csv").open()))
    assert [r["method"] for r in rows] == ["none", "pretrained", "cyclegan"]
    assert len(list((out / "data" / "pretrained").iterdir())) == 2
    from cyclemedgan.errors import UserError

    with pytest.raises(UserError, match="needs train.init_from"):
        run_compare(str(tiny_config_path), [], ["pretrained"], 1, tmp_path / "cmp2", progress=False)


TINY = ["model.ngf=4", "model.n_blocks=1", "model.ndf=8", "model.n_layers_d=2", "train.batch_size=2",
        "train.log_every=1", "train.sample_every=2", "train.checkpoint_every=2", "train.tune_every=2",
        "train.init_from="]  # tiny networks cannot start from the shipped start


def _subset_split(path, keep: dict[str, int]):
    """The IBSI split with only the first ``keep[role]`` patients of each role (a faster compare)."""
    rows = list(csv.DictReader((REPO / "data" / "ibsi-sts-petct" / "split.csv").open()))
    kept = [r for r in rows if sum(q["role"] == r["role"] for q in rows[:rows.index(r) + 1]) <= keep[r["role"]]]
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(kept)
    return path


def test_compare_petct_scores_in_hu_with_the_bulk_density_row(tmp_path):
    split = _subset_split(tmp_path / "split.csv", {"train_x": 3, "train_y": 3, "tune": 1, "val": 1})
    out = run_compare(str(CONFIG), TINY + [f"data.split_file={split}", "train.tune_roles=[tune]"],
                      ["bulk", "three-class", "cyclegan"], steps=2, out=tmp_path / "cmp", progress=False)
    rows = {r["method"]: r for r in csv.DictReader((out / "table.csv").open())}
    assert set(rows) == {"bulk", "three-class", "cyclegan"}
    assert float(rows["three-class"]["mae_mean"]) < 150 and (out / "data" / "three-class.json").is_file()
    assert {"mae_mean", "ssim_mean", "bone_dice_mean", "mae_tumour_mean"} <= set(rows["bulk"])
    assert float(rows["bulk"]["bone_dice_mean"]) == 0.0
    table = (out / "table.md").read_text()
    assert "Bulk density" in table and "Three-class PET map" in table and "bone Dice" in table and "STS_004" in table
    # the CycleGAN prediction is a float32 CT in HU on the PET grid, with the PET's affine
    pet = nib.load(str(out / "data" / "input" / "STS_004.nii.gz"))
    sct = nib.load(str(out / "cyclegan" / "pred-best" / "STS_004.nii.gz"))
    assert sct.shape == pet.shape and np.allclose(sct.affine, pet.affine)
    hu = np.asarray(sct.dataobj)
    assert hu.dtype == np.float32 and -1000.0 <= hu.min() and hu.max() <= 1500.0
    assert (out / "figure.png").is_file() and (out / "tumour.png").is_file() and (out / "report.html").is_file()
    with (out / "cyclegan" / "metrics.csv").open() as f:
        header = next(csv.reader(f))
    assert "tune/mae_ref" in header and "tune/psnr_ref" in header
