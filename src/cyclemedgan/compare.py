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
  three-class                the three-class PET map (synthetic CT): air / fat / soft tissue from the
                             PET alone, fitted on the unpaired training data (``tissue_map.py``)
  pretrained                 with ``train.init_from`` only: that checkpoint's G1 as it is, before any
                             of the runs above fine-tunes it (what the unpaired training adds)

With ``train.init_from`` (e.g. G1 trained on motion simulated in the clean train_y volumes), the
ResNet/U-Net methods (CycleGAN, Cycle-MedGAN and its ablations, paired) all start from it; UNIT,
whose encoders and decoders have another shape, starts from ``unit.init_from`` (a UNIT run trained
with ``unit.paired`` on the same pairs) or, where that is empty, from scratch.

Each method's run directory is OUT/<method>/ (OUT/<method>-seed<N>/ for further seeds), a
checkpoint ``cyclemedgan translate`` takes. When the config scores tune subjects during training
(``train.tune_every``), each method is scored with its best-on-tune checkpoint (OUT/<method>/best/),
never one chosen on the validation subjects. ``select="last"`` (``--select last``) scores each
trained row with its last checkpoint instead: a choice made without any paired data, for a user
whose tune subjects have no ground truth; it writes its report under OUT/last/. A method already
trained is not retrained, so the two selections of one comparison share its runs. Writes
OUT/table.md, table.csv, figure.png, curves.png, report.html (and tumour.png / lesions.csv when
the data config names tumour labels), drawn by ``report/``; this module only runs the methods.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from cyclemedgan.baselines import bulk_density_folder, three_class_folder
from cyclemedgan.checkpoint import read_run
from cyclemedgan.config import Config, learns_train_x_targets, load_config, replace
from cyclemedgan.data.validation import PairedVolume, validation_pairs
from cyclemedgan.data.io import copy_as_nii_gz, list_volumes
from cyclemedgan.errors import UserError
from cyclemedgan.evaluate import evaluate_paths, lesion_rows
from cyclemedgan.report.figures import comparison_figure, loss_curves, pick_slices
from cyclemedgan.report.html import write_page
from cyclemedgan.report.tables import MethodResult, write_lesions, write_tables
from cyclemedgan.training.loop import train
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
SELECTIONS = ("tune", "last")  # the checkpoint a trained row is scored with: best on tune, or the last


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
    """The run directory of ``method`` trained with ``seed``: OUT/<method>/ for the first seed,
    OUT/<method>-seed<N>/ for the others."""
    return out / method if seed == first_seed else out / f"{method}-seed{seed}"


def default_methods(ct: bool, warm: bool = False) -> list[str]:
    """Every row: the baseline (the input, or for synthetic CT the bulk-density reference and
    the three-class PET map), the starting G1 where the methods start from one (``warm``), and
    every trained method."""
    return [*([BULK, THREE_CLASS] if ct else [NO_CORRECTION]), *([PRETRAINED] if warm else []), *RECIPES]


def chosen_checkpoint(run_dir: Path, select: str = "tune") -> Path:
    """The checkpoint a run is scored with: with ``select="tune"`` its best-on-tune one
    (``best/``) where the run kept one, else (and with ``select="last"``) its last."""
    return run_dir / "best" if select == "tune" and (run_dir / "best" / "meta.json").is_file() else run_dir


def _check_methods(methods: list[str], ct: bool, warm: bool) -> None:
    """A UserError for a method name that is unknown, or whose row this config cannot have."""
    for m in methods:
        if m not in METHODS:
            raise UserError(f"unknown method '{m}'; valid: {', '.join(METHODS)}")
        if m in (BULK, THREE_CLASS) and not ct:
            raise UserError(f"the {m} row is for synthetic CT only (data.evaluation: ct)")
        if m == PRETRAINED and not warm:
            raise UserError("the 'pretrained' row needs train.init_from (the checkpoint the methods start from)")


def _prepare_validation(pairs: list[PairedVolume], out: Path) -> dict[str, Path]:
    """The validation volumes copied to OUT/data/{input,target,mask,labels}/<subject>.nii.gz;
    returns {kind: folder} of the kinds the data has."""
    dirs = {k: out / "data" / k for k in ("input", "target", "mask", "labels")}
    for p in pairs:
        for key, src in (("input", p.source), ("target", p.target), ("mask", p.mask), ("labels", p.labels)):
            if src is not None:
                copy_as_nii_gz(src, dirs[key] / f"{p.subject}.nii.gz")
    return {k: d for k, d in dirs.items() if d.is_dir()}


def _translate_once(ckpt: Path, inp: Path, pred: Path) -> Path:
    """Every volume of ``inp`` translated by ``ckpt`` into ``pred``, unless all are there already."""
    want = {v.name for v in list_volumes(inp)}
    if not pred.is_dir() or {v.name for v in list_volumes(pred)} != want:
        translate_path(ckpt, inp, pred, progress=False)
    return pred


def _translated(run_dir: Path, inp: Path, select: str) -> Path:
    """``inp`` translated by the run's chosen checkpoint -> RUN/pred-best/ (or RUN/pred/)."""
    ckpt = chosen_checkpoint(run_dir, select)
    return _translate_once(ckpt, inp, run_dir / ("pred-best" if ckpt != run_dir else "pred"))


def _evaluate(pred: Path, dirs: dict[str, Path], ct: bool, csv_out: Path) -> tuple[list[dict], dict]:
    """``evaluate_paths`` of ``pred`` against the targets (for synthetic CT with the tumour
    labels, else inside the mask where there is one); writes ``csv_out``."""
    return evaluate_paths(pred, dirs["target"], dirs.get("labels") if ct else dirs.get("mask"), out=csv_out,
                          kind="ct" if ct else "image")


def _baseline_result(cfg: Config, m: str, seed: int, dirs: dict[str, Path], ct: bool, out: Path,
                     report: Path) -> MethodResult:
    """A row without training (``FIXED``): its predictions (the input itself, or made under
    OUT/data/), scored into REPORT/<m>-val-metrics.csv."""
    inp = dirs["input"]
    if m == PRETRAINED:
        pred = _translate_once(Path(cfg.train.init_from), inp, out / "data" / "pretrained")
    elif m == THREE_CLASS:
        pred = three_class_folder(cfg, inp, out / "data" / "three-class")
    else:
        pred = inp if m == NO_CORRECTION else bulk_density_folder(dirs["target"], out / "data" / "bulk")
    per, summary = _evaluate(pred, dirs, ct, report / f"{m}-val-metrics.csv")
    return MethodResult(NAMES[m], pred, per, summary, method=m, seed=seed)


def _trained_result(cfg: Config, m: str, seed: int, run: Path, dirs: dict[str, Path], ct: bool,
                    progress: bool, select: str = "tune") -> MethodResult:
    """A trained row: ``method_config`` trained into ``run`` (unless it is there already), its
    chosen checkpoint translating the validation inputs, scored into RUN/val-metrics.csv
    (RUN/val-metrics-last.csv with ``select="last"``)."""
    mcfg = method_config(cfg, m, seed)
    train(mcfg, run, progress=progress)
    wall = read_run(run)[1]["elapsed_s"]
    tuned = read_run(chosen_checkpoint(run, select))[1].get("best_tune", {}) if select == "tune" else {}
    pred = _translated(run, dirs["input"], select)
    per, summary = _evaluate(pred, dirs, ct, run / ("val-metrics.csv" if select == "tune" else "val-metrics-last.csv"))
    return MethodResult(NAMES[m], pred, per, summary, method=m, seed=seed, run=run, wall_s=wall,
                        best_step=tuned.get("step") if "score" in tuned else None,
                        tuned_on=" + ".join(mcfg.train.tune_roles))


def run_compare(config: str, overrides: list[str], methods: list[str] | None, steps: int | None,
                out: str | Path, seeds: list[int] | None = None, progress: bool = True, select: str = "tune") -> Path:
    """Train, translate and score every method of ``methods`` (default: ``default_methods``) with
    the config file ``config`` and its dotted ``overrides``, each for ``steps`` optimizer steps
    (None: train.steps) and each seed of ``seeds`` (None: train.seed), each trained row scored with
    the checkpoint ``select`` picks (``chosen_checkpoint``); writes the report files of the module
    docstring under ``out`` (``out``/last/ for ``select="last"``) and returns that folder as a Path."""
    if select not in SELECTIONS:
        raise UserError(f"unknown checkpoint selection '{select}'; valid: {', '.join(SELECTIONS)}")
    cfg = load_config(config, overrides)
    if steps is not None:
        cfg = replace(cfg, train={"steps": steps})
    ct = cfg.data.evaluation == "ct"
    warm = bool(cfg.train.init_from)
    methods = list(methods or default_methods(ct, warm))
    _check_methods(methods, ct, warm)
    seeds = seeds or [cfg.train.seed]
    out = Path(out)
    report = out if select == "tune" else out / "last"
    report.mkdir(parents=True, exist_ok=True)
    dirs = _prepare_validation(validation_pairs(cfg.data), out)
    results: list[MethodResult] = []  # one per (method, seed); rows without training for the first seed only
    for seed in seeds:
        for m in methods:
            if m not in FIXED:
                results.append(_trained_result(cfg, m, seed, run_dir_of(out, m, seed, seeds[0]), dirs, ct, progress,
                                               select))
            elif seed == seeds[0]:
                results.append(_baseline_result(cfg, m, seed, dirs, ct, out, report))
    _write_report(report, cfg, _command(config, overrides, methods, steps, seeds, out, select), seeds, results, dirs)
    print(f"\ntable: {report / 'table.md'}\nreport: {report / 'report.html'}")
    return report


def _command(config: str, overrides: list[str], methods: list[str], steps: int | None, seeds: list[int],
             out: Path, select: str = "tune") -> str:
    """The ``cyclemedgan compare`` command line of this comparison, for the report."""
    return (f"cyclemedgan compare --config {config}" + "".join(f" --set {o}" for o in overrides)
            + f" --methods {' '.join(methods)}" + (f" --steps-per-method {steps}" if steps else "")
            + f" --seeds {' '.join(map(str, seeds))}" + (f" --select {select}" if select != "tune" else "")
            + f" --out {out}")


def _write_report(out: Path, cfg: Config, command: str, seeds: list[int], results: list[MethodResult],
                  dirs: dict[str, Path]) -> None:
    """Tables, curves, lesion rows (labels and mask, image tasks), figures and report.html under OUT."""
    ct = cfg.data.evaluation == "ct"
    keys = list(results[0].summary)
    write_tables(out, results, keys, seeds)
    loss_curves(out / "curves.png", [(f"{r.name} (seed {r.seed})", r.run) for r in results if r.run is not None])
    first = {r.method: r.pred for r in results if r.seed == seeds[0]}
    lesions = []
    if "labels" in dirs and "mask" in dirs and not ct:
        lesions = lesion_rows({NAMES[m]: p for m, p in first.items()} | {"Target": dirs["target"]},
                              dirs["labels"], dirs["mask"])
        write_lesions(out / "lesions.csv", lesions)
    columns = [(NAMES[m], first[m]) for m in FIGURE_METHODS if m in first]
    inp, tgt, labels = dirs["input"], dirs["target"], dirs.get("labels")
    style = {"same_modality": cfg.data.output_window == "input", "mask": dirs.get("mask"),
             "err_max": 500.0 if ct else None, "ct": ct}  # error maps of synthetic CT: 0-500 HU
    comparison_figure(out / "figure.png", columns, inp, tgt, pick_slices(tgt, labels), labels=labels, **style)
    if labels is not None:
        comparison_figure(out / "tumour.png", columns, inp, tgt, pick_slices(tgt, labels), labels=labels,
                          crop=True, **style)
    write_page(out, cfg, command, seeds, results, keys, lesions)
