"""``cyclemedgan compare``: Table I and Fig. 3 of Armanious et al. 2019 in one command.

Every method is trained with the same data, seed, batch size and number of optimizer steps,
translates the same validation subjects and is scored by the same metrics. Rows:

  none                       the source image itself ("no correction"; image tasks)
  bulk                       the bulk-density reference (synthetic CT, ``data.evaluation: ct``):
                             body 0 HU, air -1000 HU, the body taken from the real CT
  unit                       UNIT (Liu et al. 2017) with its own loss weights and optimiser
  cyclegan                   Cycle-MedGAN's networks with lambda_cP = lambda_cS = 0
  cyclemedgan                the full objective, Eq. 6
  cyclemedgan-no-style       ablation: lambda_cS = 0
  cyclemedgan-no-perceptual  ablation: lambda_cP = 0
  paired                     the supervised upper bound: G1 trained with L1 on the train_x subjects'
                             own co-registered targets (not unpaired; how much the budget allows)
  pretrained                 with ``train.init_from`` only: that checkpoint's G1 as it is, before any
                             of the runs above fine-tunes it (what the unpaired training adds)

With ``train.init_from`` (e.g. G1 trained on motion simulated in the clean train_y volumes), the
ResNet/U-Net methods (CycleGAN, Cycle-MedGAN and its ablations, paired) all start from it; UNIT,
whose encoders and decoders have another shape, starts from ``unit.init_from`` (a UNIT run trained
with ``unit.paired`` on the same pairs) or, where that is empty, from scratch.

Each method's run directory is OUT/<method>/ (OUT/<method>-seed<N>/ for further seeds), a
checkpoint ``cyclemedgan translate`` takes. When the config scores tune subjects during training
(``train.tune_every``), each method is scored with its best-on-tune checkpoint (OUT/<method>/best/),
never one chosen on the validation subjects. A method already trained is not retrained. Writes
OUT/table.md, table.csv, figure.png, curves.png, report.html (and tumour.png / lesion rows when
the data config names tumour labels).
"""
from __future__ import annotations

import csv
import dataclasses
import html
import json
from pathlib import Path

import numpy as np
import yaml

from cyclemedgan.config import Config, learns_train_x_targets, load_config, replace, to_dict
from cyclemedgan.data.datasets import PairedVolume, validation_pairs
from cyclemedgan.data.io import copy_as_nii_gz, list_volumes, load_volume, save_volume, to_canonical
from cyclemedgan.errors import UserError
from cyclemedgan.evaluate import evaluate_paths
from cyclemedgan.metrics import lesion_contrast
from cyclemedgan.metrics_ct import bulk_density, ct_field_of_view
from cyclemedgan.report import HIGHER_IS_BETTER, markdown_table
from cyclemedgan.checkpoint import read_run
from cyclemedgan.training.trainer import train
from cyclemedgan.translate import translate_path

NO_CORRECTION = "none"
BULK = "bulk"
THREE_CLASS = "three-class"
PRETRAINED = "pretrained"
RECIPES: dict[str, dict] = {
    "unit": {"method": "unit", "train": {"lr": 1e-4, "weight_decay": 1e-4, "pool_size": 0}},
    "cyclegan": {"method": "cyclegan", "loss": {"lambda_cp": 0.0, "lambda_cs": 0.0}},
    "cyclemedgan": {"method": "cyclemedgan"},
    "cyclemedgan-no-style": {"method": "cyclemedgan", "loss": {"lambda_cs": 0.0}},
    "cyclemedgan-no-perceptual": {"method": "cyclemedgan", "loss": {"lambda_cp": 0.0}},
    "paired": {"method": "paired", "loss": {"lambda_cp": 0.0, "lambda_cs": 0.0}},
}
METHODS = (NO_CORRECTION, BULK, THREE_CLASS, PRETRAINED, *RECIPES)
FIXED = (NO_CORRECTION, BULK, THREE_CLASS, PRETRAINED)  # rows without training
OWN_START = ("unit",)  # cannot take train.init_from: starts from unit.init_from ("" = random)
NAMES = {"none": "No correction (input)", "bulk": "Bulk density (body 0 HU, air -1000 HU)",
         "three-class": "Three-class PET map (air / fat / soft tissue from the PET alone)", "unit": "UNIT", "cyclegan": "CycleGAN",
         "cyclemedgan": "Cycle-MedGAN", "cyclemedgan-no-style": "Cycle-MedGAN w/o style",
         "cyclemedgan-no-perceptual": "Cycle-MedGAN w/o perceptual",
         "paired": "Paired L1 (supervised, not unpaired)",
         "pretrained": "Start: G1 of train.init_from, not fine-tuned"}
FIGURE_METHODS = ("unit", "cyclegan", "cyclemedgan")


def method_config(cfg: Config, method: str, seed: int) -> Config:
    """``cfg`` with one method's recipe applied (same data, steps, batch size; the given seed)."""
    if method not in RECIPES:
        raise UserError(f"unknown method '{method}'; valid: {', '.join(METHODS)}")
    recipe = RECIPES[method]
    sections = {k: v for k, v in recipe.items() if isinstance(v, dict)}
    train_section = {**sections.pop("train", {}), "seed": seed}
    if method in OWN_START:
        train_section["init_from"] = cfg.unit.init_from
    if learns_train_x_targets(dataclasses.replace(cfg, method=recipe["method"])) and "train_x" in cfg.train.tune_roles:
        # the paired bound learns train_x's own CT: it is chosen on the tune subjects alone
        train_section["tune_roles"] = tuple(r for r in cfg.train.tune_roles if r != "train_x") or ("tune",)
    return replace(cfg, name=f"{cfg.name}-{method}", method=recipe["method"], train=train_section, **sections)


def run_dir_of(out: Path, method: str, seed: int, first_seed: int) -> Path:
    return out / method if seed == first_seed else out / f"{method}-seed{seed}"


def _prepare_validation(pairs: list[PairedVolume], out: Path) -> dict[str, Path]:
    dirs = {k: out / "data" / k for k in ("input", "target", "mask", "labels")}
    for p in pairs:
        for key, src in (("input", p.source), ("target", p.target), ("mask", p.mask), ("labels", p.labels)):
            if src is not None:
                copy_as_nii_gz(src, dirs[key] / f"{p.subject}.nii.gz")
    return {k: d for k, d in dirs.items() if d.is_dir()}


def _bulk_density(tgt: Path, out: Path) -> Path:
    """The bulk-density reference of every real CT in ``tgt``, on its grid -> ``out``."""
    for v in list_volumes(tgt):
        dst = out / v.name
        if not dst.is_file():
            ct, img = load_volume(v)
            save_volume(bulk_density(ct), img, dst)
    return out


def _three_class(cfg: Config, inp: Path, out: Path) -> Path:
    """The three-class PET map (``tissue_map.py``) of every PET in ``inp``, fitted on the train_x
    PETs and train_y CTs of the split (unpaired; no CT of a scored patient) -> ``out``."""
    from cyclemedgan.data.datasets import source_path, target_path
    from cyclemedgan.data.split import read_split, subjects_with_role
    from cyclemedgan.tissue_map import fit, save, three_class

    rows = read_split(cfg.data.split_file)
    m = fit([load_volume(source_path(cfg.data, s))[0] for s in subjects_with_role(rows, "train_x")],
            [load_volume(target_path(cfg.data, s))[0] for s in subjects_with_role(rows, "train_y")])
    out.mkdir(parents=True, exist_ok=True)
    save(m, out.parent / "three-class.json")
    for v in list_volumes(inp):
        pet, img = load_volume(v)
        save_volume(three_class(pet, m), img, out / v.name)
    return out


def default_methods(ct: bool, warm: bool = False) -> list[str]:
    """Every row: the baseline (the input, or for synthetic CT the bulk-density reference and
    the three-class PET map), the starting G1 where the methods start from one (``warm``), and
    every trained method."""
    return [*([BULK, THREE_CLASS] if ct else [NO_CORRECTION]), *([PRETRAINED] if warm else []), *RECIPES]


def chosen_checkpoint(run_dir: Path) -> Path:
    """The checkpoint a run is scored with: its best-on-tune one (``best/``) where the run kept
    one, else its last."""
    return run_dir / "best" if (run_dir / "best" / "meta.json").is_file() else run_dir


def _translate_once(ckpt: Path, inp: Path, pred: Path) -> Path:
    """Every volume of ``inp`` translated by ``ckpt`` into ``pred``, unless all are there already."""
    want = {v.name for v in list_volumes(inp)}
    if not pred.is_dir() or {v.name for v in list_volumes(pred)} != want:
        translate_path(ckpt, inp, pred, progress=False)
    return pred


def _translated(run_dir: Path, inp: Path) -> Path:
    ckpt = chosen_checkpoint(run_dir)
    return _translate_once(ckpt, inp, run_dir / ("pred-best" if ckpt != run_dir else "pred"))


def _lesion_rows(folders: dict[str, Path], dirs: dict[str, Path]) -> list[dict]:
    """Tumour CNR (whole tumour, and enhancing tumour = label 4) per subject, per image source."""
    rows = []
    for lab in list_volumes(dirs["labels"]):
        labels_v, img = load_volume(lab)
        labels = to_canonical(np.rint(labels_v).astype(np.int16), img.affine)
        mask = to_canonical(load_volume(dirs["mask"] / lab.name)[0] > 0, img.affine)
        for name, folder in folders.items():
            v, vimg = load_volume(folder / lab.name)
            v = to_canonical(v, vimg.affine)
            rows.append({"subject": lab.name.split(".nii")[0], "image": name,
                         "cnr_whole": lesion_contrast(v, labels, mask),
                         "cnr_enhancing": lesion_contrast(v, labels, mask, (4,))})
    return rows


def run_compare(config: str, overrides: list[str], methods: list[str] | None, steps: int | None,
                out: str | Path, seeds: list[int] | None = None, progress: bool = True) -> Path:
    cfg = load_config(config, overrides)
    if steps is not None:
        cfg = replace(cfg, train={"steps": steps})
    ct = cfg.data.evaluation == "ct"
    warm = bool(cfg.train.init_from)
    methods = list(methods or default_methods(ct, warm))
    for m in methods:
        if m not in METHODS:
            raise UserError(f"unknown method '{m}'; valid: {', '.join(METHODS)}")
        if m in (BULK, THREE_CLASS) and not ct:
            raise UserError(f"the {m} row is for synthetic CT only (data.evaluation: ct)")
        if m == PRETRAINED and not warm:
            raise UserError("the 'pretrained' row needs train.init_from (the checkpoint the methods start from)")
    seeds = seeds or [cfg.train.seed]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    dirs = _prepare_validation(validation_pairs(cfg.data), out)
    inp, tgt = dirs["input"], dirs["target"]
    mask = dirs.get("mask")

    results: list[dict] = []  # one per (method, seed)
    for seed in seeds:
        for m in methods:
            if m in FIXED:
                if seed != seeds[0]:
                    continue
                if m == PRETRAINED:
                    pred = _translate_once(Path(cfg.train.init_from), inp, out / "data" / "pretrained")
                elif m == THREE_CLASS:
                    pred = _three_class(cfg, inp, out / "data" / "three-class")
                else:
                    pred = inp if m == NO_CORRECTION else _bulk_density(tgt, out / "data" / "bulk")
                wall, run, best_step, tuned_on = 0.0, None, None, ""
            else:
                run = run_dir_of(out, m, seed, seeds[0])
                mcfg = method_config(cfg, m, seed)
                tuned_on = " + ".join(mcfg.train.tune_roles)
                train(mcfg, run, progress=progress)
                wall = read_run(run)[1]["elapsed_s"]
                tuned = read_run(chosen_checkpoint(run))[1].get("best_tune", {})
                best_step = tuned.get("step") if "score" in tuned else None
                pred = _translated(run, inp)
            csv_out = run / "val-metrics.csv" if run else out / f"{m}-val-metrics.csv"
            per, summary = evaluate_paths(pred, tgt, dirs.get("labels") if ct else mask, out=csv_out,
                                          kind="ct" if ct else "image")
            results.append({"method": m, "seed": seed, "per_subject": per, "summary": summary,
                            "wall_s": wall, "run": run, "pred": pred, "best_step": best_step,
                            "tuned_on": tuned_on})
    keys = list(results[0]["summary"])
    _write_tables(out, results, keys, seeds)
    _curves(out / "curves.png", [r for r in results if r["run"] is not None])
    first = {r["method"]: r["pred"] for r in results if r["seed"] == seeds[0]}
    fig_cols = [(NAMES[m], first[m]) for m in FIGURE_METHODS if m in first]
    same_modality = cfg.data.output_window == "input"
    lesions = []
    if "labels" in dirs and "mask" in dirs and not ct:
        lesions = _lesion_rows({NAMES[m]: p for m, p in first.items()} | {"Target": tgt}, dirs)
        _write_lesions(out, lesions)
    err_max = 500.0 if ct else None  # HU
    _figure(out / "figure.png", fig_cols, inp, tgt, dirs.get("labels"), same_modality, crop=False, mask=mask,
            err_max=err_max, ct=ct)
    if "labels" in dirs:
        _figure(out / "tumour.png", fig_cols, inp, tgt, dirs["labels"], same_modality, crop=True, mask=mask,
                err_max=err_max, ct=ct)
    _html(out, cfg, config, overrides, steps, methods, seeds, results, keys, lesions)
    print(f"\ntable: {out / 'table.md'}\nreport: {out / 'report.html'}")
    return out


def _write_tables(out: Path, results: list[dict], keys: list[str], seeds: list[int]) -> None:
    n = len(results[0]["per_subject"])
    parts = []
    for seed in seeds:
        rows = [(f"{NAMES[r['method']]}", r["summary"]) for r in results
                if r["seed"] == seed or r["run"] is None]
        title = f"## Seed {seed}" if len(seeds) > 1 else "## Results"
        parts.append(f"{title}\n\n{markdown_table(rows, keys, n)}")
    time_lines = [f"- {NAMES[r['method']]} (seed {r['seed']}): {r['wall_s'] / 60:.1f} min"
                  + (("; scored at step 0: its start (train.init_from), which no tune point of the run beat"
                      if r.get("best_step") == 0 else
                      f"; scored at step {r['best_step']} (best on the {r['tuned_on']} subjects)") if r.get("best_step") is not None else
                     "; scored at its last step")
                  for r in results if r["run"] is not None]
    ct = "bone_dice" in keys
    per_subject = ["| method | seed | " + " | ".join(r["subject"] for r in results[0]["per_subject"]) + " |",
                   "|---|---|" + "---|" * n]
    cell = ((lambda p: f"{p['mae']:.1f} / {p['ssim']:.3f} / {p['bone_dice']:.2f}") if ct
            else (lambda p: f"{p['ssim']:.4f} / {p['psnr']:.2f}"))
    for r in results:
        per_subject.append(f"| {NAMES[r['method']]} | {r['seed']} | " + " | ".join(
            cell(p) for p in r["per_subject"]) + " |")
    what = "body MAE (HU) / SSIM / bone Dice" if ct else "SSIM / PSNR (dB)"
    (out / "table.md").write_text("\n\n".join(parts) + "\n\nTraining wall time:\n" + "\n".join(time_lines)
                                  + f"\n\nPer subject, {what}:\n\n" + "\n".join(per_subject) + "\n")
    with (out / "table.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["method", "seed", "n", "train_wall_s"] + [f"{k}_{s}" for k in keys for s in ("mean", "std")]
                   + [f"best_{k}" for k in keys])
        for seed in seeds:
            group = [r for r in results if r["seed"] == seed or r["run"] is None]
            best = {k: (max if HIGHER_IS_BETTER[k] else min)(r["summary"][k][0] for r in group) for k in keys}
            for r in group:
                s = r["summary"]
                w.writerow([r["method"], r["seed"], n, round(r["wall_s"], 1)]
                           + [f"{s[k][i]:.6f}" for k in keys for i in (0, 1)]
                           + [int(s[k][0] == best[k]) for k in keys])


def _write_lesions(out: Path, rows: list[dict]) -> None:
    with (out / "lesions.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _curves(path: Path, results: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4))
    for r in results:
        with (r["run"] / "metrics.csv").open() as f:
            rows = list(csv.DictReader(f))
        if not rows:
            continue
        label = f"{NAMES[r['method']]} (seed {r['seed']})"
        for ax, key in zip(axes, ("G/total", "D/total")):
            pts = [(float(x["time_s"]) / 60, float(x[key])) for x in rows if x.get(key)]
            if pts:
                ax.plot(*zip(*pts), label=label)
        base = "tune/psnr_ref" if "tune/psnr_ref" in rows[0] else "tune/psnr_input"
        tune = [(float(x["time_s"]) / 60, float(x["tune/psnr"]) - float(x[base]))
                for x in rows if x.get("tune/psnr")]
        if tune:
            axes[2].plot(*zip(*tune), marker=".", label=label)
    titles = ("generator objective (total)", "discriminator objective (total)",
              "tune subjects: PSNR of output - PSNR of baseline (dB)\n(baseline: the input; for CT the bulk-density reference)")
    for ax, title in zip(axes, titles):
        ax.set_xlabel("training time (min)")
        ax.set_title(title, fontsize=10)
    axes[0].set_yscale("log")
    axes[1].set_yscale("log")
    axes[2].axhline(0.0, color="k", lw=0.8)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _pick_slices(tgt: Path, labels: Path | None) -> list[tuple[str, int]]:
    """Two validation slices: through the largest tumour area when labels exist, else the
    slice at 55% height of the first two subjects."""
    picks = []
    for v in list_volumes(tgt)[:2]:
        if labels is not None and (labels / v.name).exists():
            lv, img = load_volume(labels / v.name)
            area = (to_canonical(lv, img.affine) > 0).sum(axis=(0, 1))
            k = int(np.argmax(area))
        else:
            tv, img = load_volume(v)
            k = int(0.55 * to_canonical(tv, img.affine).shape[2])
        picks.append((v.name, k))
    if len(picks) == 1:
        picks.append((picks[0][0], max(0, picks[0][1] - 5)))
    return picks


def _figure(path: Path, columns: list[tuple[str, Path]], inp: Path, tgt: Path, labels: Path | None,
            same_modality: bool, crop: bool, mask: Path | None = None, err_max: float | None = None,
            ct: bool = False) -> None:
    """Rows per slice: Input | methods | Target (outputs and target in the target's 0.5-99.5
    percentile window; the input in its own when it is another modality), then |error| maps
    (0 to ``err_max`` in the target's units, default 30% of that window; inside the evaluation
    mask only, where there is one; for synthetic CT (``ct``) inside the CT's field of view only,
    as ``metrics_ct`` scores it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = [("Input", inp)] + columns + [("Target", tgt)]
    picks = _pick_slices(tgt, labels)
    fig, axes = plt.subplots(2 * len(picks), len(cols), figsize=(2.3 * len(cols), 4.6 * len(picks)), squeeze=False)
    for r, (name, k) in enumerate(picks):
        tv, timg = load_volume(tgt / name)
        target = to_canonical(tv, timg.affine)[:, :, k]
        lo, hi = np.percentile(to_canonical(tv, timg.affine), [0.5, 99.5])
        inside = np.ones_like(target, bool)
        if ct:
            inside = ct_field_of_view(to_canonical(tv, timg.affine))[:, :, k]
        if mask is not None and (mask / name).exists():
            mv, mimg = load_volume(mask / name)
            inside = to_canonical(mv, mimg.affine)[:, :, k] > 0
        box = (slice(None), slice(None))
        if crop and labels is not None:
            lv, limg = load_volume(labels / name)
            les = to_canonical(lv, limg.affine)[:, :, k] > 0
            if les.any():
                ii, jj = np.nonzero(les)
                m = 12
                box = (slice(max(0, ii.min() - m), ii.max() + m), slice(max(0, jj.min() - m), jj.max() + m))
        for c, (title, folder) in enumerate(cols):
            v, vimg = load_volume(folder / name)
            vol = to_canonical(v, vimg.affine)
            img = vol[:, :, k]
            wlo, whi = (lo, hi) if (title != "Input" or same_modality) else np.percentile(vol, [0.5, 99.5])
            ax, axe = axes[2 * r][c], axes[2 * r + 1][c]
            ax.imshow(img[box].T, cmap="gray", vmin=wlo, vmax=whi, origin="lower")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(title, fontsize=9)
            if c == 0:
                ax.set_ylabel(f"{name.split('.nii')[0]}\nslice {k}", fontsize=8)
            if title == "Target" or (title == "Input" and not same_modality):
                axe.axis("off")
            else:
                err = np.where(inside, np.abs(img - target), np.nan)
                im = axe.imshow(err[box].T, cmap="magma", vmin=0, vmax=err_max or 0.3 * (hi - lo), origin="lower")
                axe.set_facecolor("white")
                axe.set_xticks([])
                axe.set_yticks([])
                if c == (0 if same_modality else 1):
                    axe.set_ylabel("|error| (mask)" if mask is not None else
                                   "|error| (CT field of view)" if ct else "|error|", fontsize=8)
                if c == len(cols) - 2:
                    fig.colorbar(im, ax=axe, fraction=0.046, pad=0.02).ax.tick_params(labelsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _md_to_html_table(md: str) -> str:
    """The first markdown table in ``md`` as HTML (bold cells stay bold)."""
    lines, started = [], False
    for ln in md.splitlines():
        if ln.startswith("|"):
            started = True
            if not ln.startswith("|---"):
                lines.append(ln)
        elif started:
            break
    out = ["<table>"]
    for i, ln in enumerate(lines):
        cells = [c.strip() for c in ln.strip("|").split("|")]
        tag = "th" if i == 0 else "td"
        row = "".join(f"<{tag}>{html.escape(c).replace('**', '')}</{tag}>" if "**" not in c
                      else f"<{tag}><b>{html.escape(c.replace('**', ''))}</b></{tag}>" for c in cells)
        out.append(f"<tr>{row}</tr>")
    return "\n".join(out + ["</table>"])


def _html(out: Path, cfg: Config, config: str, overrides: list[str], steps: int | None, methods: list[str],
          seeds: list[int], results: list[dict], keys: list[str], lesions: list[dict]) -> None:
    table_md = (out / "table.md").read_text()
    tables = "".join(f"<h3>{html.escape(part.splitlines()[0].lstrip('# '))}</h3>{_md_to_html_table(part)}"
                     for part in table_md.split("\n## ") if "|" in part)
    cmd = (f"cyclemedgan compare --config {config}" + "".join(f" --set {o}" for o in overrides)
           + f" --methods {' '.join(methods)}" + (f" --steps-per-method {steps}" if steps else "")
           + f" --seeds {' '.join(map(str, seeds))} --out {out}")
    lesion_html = ""
    if lesions:
        rows = "".join(f"<tr><td>{r['subject']}</td><td>{html.escape(r['image'])}</td>"
                       f"<td>{r['cnr_whole']:.3f}</td><td>{r['cnr_enhancing']:.3f}</td></tr>" for r in lesions)
        lesion_html = ("<h2>Is the tumour still there?</h2><p>Tumour contrast-to-noise ratio against the rest "
                       "of the brain, (mean tumour - mean brain) / std brain, per subject; a translation that "
                       "keeps the pathology is close to the target's value.</p><table><tr><th>subject</th>"
                       f"<th>image</th><th>CNR whole tumour</th><th>CNR enhancing (label 4)</th></tr>{rows}</table>"
                       '<img src="tumour.png" style="max-width:100%">')
    ct_note = ("<p>Synthetic CT scored in Hounsfield units (cyclemedgan/metrics_ct.py): MAE inside the body (real "
               "CT &gt; -500 HU); PSNR and SSIM on -1000..1500 HU (data range 2500 HU) inside the body; bone Dice of "
               "&gt; 250 HU; MAE inside the tumour mask. The bulk-density row (body 0 HU, air -1000 HU, body from the "
               "real CT) is what a two-class attenuation map gives: a synthetic CT that does not beat it on MAE is "
               "not useful for attenuation correction. Error maps: 0-500 HU.</p>" if "bone_dice" in keys else "")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>cyclemedgan compare: {html.escape(cfg.name)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}pre{{background:#f4f4f4;padding:8px;overflow:auto}}</style>
</head><body><h1>{html.escape(cfg.name)}: method comparison</h1>
<p>Every method: same training subjects, batch size {cfg.train.batch_size}, {cfg.train.steps} optimizer steps,
seed(s) {', '.join(map(str, seeds))}; scored on {len(results[0]['per_subject'])} validation subjects
(mean &plusmn; std over subjects; best mean in bold). With budgets this short a ranking can be noise.</p>
{ct_note}{tables}<h2>Images (Fig. 3)</h2><img src="figure.png" style="max-width:100%">
<h2>Training curves</h2><img src="curves.png" style="max-width:100%">{lesion_html}
<h2>Per subject and timings</h2><pre>{html.escape(table_md)}</pre>
<h2>Command</h2><pre>{html.escape(cmd)}</pre>
<h2>Config</h2><pre>{html.escape(yaml.safe_dump(json.loads(json.dumps(to_dict(cfg))), sort_keys=False))}</pre>
</body></html>"""
    (out / "report.html").write_text(page)
