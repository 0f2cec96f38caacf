"""``cyclemedgan demo``: the main job on the embedded IXI data, end to end.

1. Simulates motion on the validation subjects and writes their corrupted (input) and clean
   (target) volumes to OUT/data/.
2. Trains Cycle-MedGAN on the training subjects (unpaired) into OUT/cyclemedgan/, scoring the
   tune subjects as it goes; its best-on-tune checkpoint (OUT/cyclemedgan/best/) is the one used.
3. Trains the paired upper bound (same generator, L1 on the train_x subjects' own pairs; not
   unpaired) into OUT/paired/, unless ``paired_steps`` is 0.
4. Translates the validation inputs with the shipped checkpoint, this run, its starting G1
   (``train.init_from``, where set) and the bound.
5. Scores each, and the uncorrected input, against the motion-free truth.
6. Writes OUT/report.md (table: shipped model, this run, input, paired bound) and OUT/figure.png.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from cyclemedgan.checkpoint import read_run
from cyclemedgan.compare import chosen_checkpoint
from cyclemedgan.config import load_config, replace
from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.data.io import copy_as_nii_gz
from cyclemedgan.evaluate import METRICS, evaluate_paths
from cyclemedgan.report.figures import comparison_figure, pick_slices
from cyclemedgan.report.tables import HIGHER_IS_BETTER, MethodResult, markdown_table, subject_table
from cyclemedgan.training.loop import train
from cyclemedgan.translate import translate_path


INPUT_ROW = "No correction (motion-corrupted input)"


def _describe(meta: dict) -> str:
    tuned = meta.get("best_tune", {})
    at = (f"step {tuned['step']} of {meta['steps']}, best on the tune subjects" if "score" in tuned
          else f"{meta['steps']} steps")
    return f"{at}; {meta['elapsed_s'] / 60:.1f} min training on {meta.get('device', 'cpu')}"


def run_demo(config: str, overrides: list[str], out: str | Path, minutes: float | None,
             long_checkpoint: str | None, progress: bool = True, paired_steps: int = 600) -> Path:
    """Steps 1-6 of the module docstring with the config file ``config`` and its dotted
    ``overrides``: Cycle-MedGAN trained for ``minutes`` (None: train.steps), the paired bound for
    ``paired_steps`` (0: none), ``long_checkpoint`` (the shipped run directory; None or missing:
    no row) scored beside them. Returns the path of OUT/report.md."""
    cfg = load_config(config, overrides)
    out = Path(out)
    times: dict[str, float] = {}

    t = time.time()
    inp, tgt = out / "data" / "input", out / "data" / "target"
    inp.mkdir(parents=True, exist_ok=True)
    tgt.mkdir(parents=True, exist_ok=True)
    pairs = validation_pairs(cfg.data)
    for p in pairs:
        copy_as_nii_gz(p.source, inp / f"{p.subject}.nii.gz")
        copy_as_nii_gz(p.target, tgt / f"{p.subject}.nii.gz")
    times["data"] = time.time() - t

    run_dir = train(cfg, out / "cyclemedgan", minutes=minutes, progress=progress)
    _, meta = read_run(run_dir)
    times["train"] = meta["elapsed_s"]  # the run's own training time (also when it was reused)
    paired_dir = None
    if paired_steps > 0:
        pcfg = replace(cfg, name=f"{cfg.name}-paired", method="paired",
                       loss={"lambda_cp": 0.0, "lambda_cs": 0.0}, train={"steps": paired_steps})
        paired_dir = train(pcfg, out / "paired", progress=progress)
        times["train_paired"] = read_run(paired_dir)[1]["elapsed_s"]

    t = time.time()
    rows, long_note = _translations(cfg, inp, out, run_dir, paired_dir, long_checkpoint, progress)
    times["translate"] = time.time() - t
    t = time.time()
    results = [_scored(name, folder, tgt, inp, out) for name, folder in rows]
    times["evaluate"] = time.time() - t
    keys = [k for k in METRICS if k in results[0].summary]

    subjects = [p.subject for p in pairs]
    figure = out / "figure.png"
    comparison_figure(figure, [(_short(r.name), r.pred) for r in results if r.pred != inp], inp, tgt,
                      pick_slices(tgt, names=[f"{s}.nii.gz" for s in subjects[:3]]))
    report = out / "report.md"
    report.write_text(_report_text(cfg, config, overrides, results, keys, subjects, meta, times, long_note, run_dir))
    (out / "timings.json").write_text(json.dumps({k: round(v, 1) for k, v in times.items()}, indent=2))
    write_results(out / "results.json", results, keys)
    print(f"\nreport: {report}\nfigure: {figure}\nrun directory (for translate --checkpoint): {run_dir}")
    return report


def _translations(cfg, inp: Path, out: Path, run_dir: Path, paired_dir: Path | None, long_checkpoint: str | None,
                  progress: bool) -> tuple[list[tuple[str, Path]], str]:
    """The validation inputs translated by the shipped checkpoint (where found), this run's chosen
    checkpoint, its starting G1 (where it is not the shipped one) and the paired bound: the
    report's rows as (row name, folder of volumes), the input itself among them, and a note for
    a shipped checkpoint that is missing ("" otherwise)."""
    rows, long_note = [], ""
    if long_checkpoint:
        if Path(long_checkpoint).is_dir():
            lcfg, lmeta = read_run(long_checkpoint)
            translate_path(long_checkpoint, inp, out / "shipped" / "pred", progress=progress)
            rows.append((f"{_kind(lcfg)}, shipped model `{long_checkpoint}` ({_describe(lmeta)})",
                         out / "shipped" / "pred"))
        else:
            long_note = f"\nThe shipped checkpoint {long_checkpoint} was not found, so it is not scored.\n"
    chosen = chosen_checkpoint(run_dir)
    translate_path(chosen, inp, run_dir / "pred-demo", progress=progress)
    start = f"from `{cfg.train.init_from}`, " if cfg.train.init_from else ""
    rows.append((f"Cycle-MedGAN, this run ({start}{_describe(read_run(chosen)[1])})", run_dir / "pred-demo"))
    same_start = bool(long_checkpoint) and Path(cfg.train.init_from or ".").resolve() == Path(long_checkpoint).resolve()
    if cfg.train.init_from and not same_start:  # what the unpaired training added to its starting G1
        translate_path(cfg.train.init_from, inp, out / "start" / "pred", progress=progress)
        rows.append((f"Start: G1 of `{cfg.train.init_from}`, before the unpaired training "
                     f"({_describe(read_run(cfg.train.init_from)[1])})", out / "start" / "pred"))
    rows.append((INPUT_ROW, inp))
    if paired_dir is not None:
        pchosen = chosen_checkpoint(paired_dir)
        translate_path(pchosen, inp, paired_dir / "pred-demo", progress=progress)
        rows.append((f"Paired L1 upper bound: supervised, not unpaired ({_describe(read_run(pchosen)[1])})",
                     paired_dir / "pred-demo"))
    return rows, long_note


def _scored(name: str, folder: Path, tgt: Path, inp: Path, out: Path) -> MethodResult:
    """One report row: the volumes of ``folder`` scored against ``tgt`` into <folder>-metrics.csv
    beside it (the input's: OUT/input-metrics.csv)."""
    csv_out = folder.parent / f"{folder.name}-metrics.csv" if folder != inp else out / "input-metrics.csv"
    per, summary = evaluate_paths(folder, tgt, out=csv_out)
    return MethodResult(name, folder, per, summary)


def _short(name: str) -> str:
    """A row name as a figure column title: "Cycle-MedGAN, this run (from ...)" -> "this run"."""
    return name.split(" (")[0].split(" `")[0].replace("Cycle-MedGAN, ", "").replace(": supervised, not unpaired", "")


def write_results(path: Path, results: list[MethodResult], keys: list[str]) -> None:
    """The demo's numbers as JSON (README and docs tables are rendered from a committed copy by
    ``scripts/make_results_tables.py``): {"keys", "n", "rows"}, per row its name,
    {metric: [mean, std]} and per subject {subject, metric: value}."""
    rows = [{"name": r.name, "summary": {k: list(r.summary[k]) for k in keys},
             "per_subject": [{"subject": p["subject"], **{k: p[k] for k in keys}} for p in r.per_subject]}
            for r in results]
    path.write_text(json.dumps({"keys": keys, "n": len(rows[0]["per_subject"]), "rows": rows}, indent=1) + "\n")


# Differences smaller than these are "no change" (half the table's last digit or less).
SAME = {"ssim": 5e-4, "psnr": 0.01, "psnr_fit": 0.01, "vif": 5e-4, "lpips": 5e-4, "ghost": 0.005}


def _verdict(results: list[MethodResult]) -> str:
    """Per row but the input's, a markdown bullet: the same as the uncorrected input (``SAME``),
    better on every metric, on none, or on which."""
    base = next(r.summary for r in results if r.name == INPUT_ROW)
    lines = []
    for r in results:
        name, s = r.name, r.summary
        if name == INPUT_ROW:
            continue
        same = [k for k in s if abs(s[k][0] - base[k][0]) <= SAME.get(k, 5e-4 * abs(base[k][0]))]
        better = [k for k in s if k not in same and (s[k][0] > base[k][0]) == HIGHER_IS_BETTER[k]]
        if len(same) == len(s):
            lines.append(f"- {name}: **the same as the uncorrected input** on every metric (within "
                         "0.0005 SSIM / VIF and 0.01 dB): it has not moved from the identity map.")
        elif len(better) == len(s):
            lines.append(f"- {name}: better than the uncorrected input on every metric.")
        elif not better:
            lines.append(f"- {name}: does **not** beat the uncorrected input on any metric yet.")
        else:
            lines.append(f"- {name}: beats the uncorrected input on {', '.join(k.upper() for k in better)} only"
                         + (f", the same on {', '.join(k.upper() for k in same)}." if same else "."))
    return "\n".join(lines)


def _kind(cfg) -> str:
    """What a checkpoint is, for a table row."""
    if cfg.method == "paired" and cfg.paired.pairs == "train_y":
        return "Simulated-pairs corrector (G1 trained on motion simulated in the clean train_y volumes)"
    if cfg.method == "paired" and cfg.paired.pairs == "bulk":
        return "Bulk start (G1 trained on two-class pseudo-CT made from the PET itself, no CT)"
    if cfg.method == "paired" and cfg.paired.pairs == "ct_sim":
        return "Simulated-PET model (G1 trained on PET simulated from the train_y CTs, no pair)"
    if cfg.method == "paired":
        return "Paired L1 (supervised, not unpaired)"
    return {"cyclemedgan": "Cycle-MedGAN", "cyclegan": "CycleGAN", "unit": "UNIT"}.get(cfg.method, cfg.method)


def _generator(cfg) -> str:
    m = cfg.model
    net = (f"U-Net generators (ngf {m.ngf}, depth {m.unet_depth})" if m.generator == "unet"
           else f"ResNet generators (ngf {m.ngf}, {m.n_blocks} residual blocks)")
    return net + (f" starting from `{cfg.train.init_from}`" if cfg.train.init_from else "")


def _report_text(cfg, config: str, overrides: list[str], results: list[MethodResult], keys: list[str],
                 subjects: list[str], meta: dict, times: dict[str, float], long_note: str, run_dir: Path) -> str:
    """OUT/report.md: Table I of ``results`` (``keys`` columns), the verdicts, per subject SSIM /
    PSNR of each row (``subjects`` in the order of their rows), and how the run (``run_dir``,
    its ``meta``) was made and timed (``times``, s)."""
    m = cfg.data.motion
    sub_lines = subject_table([r.name for r in results], [r.per_subject for r in results]).splitlines()
    cmd = f"cyclemedgan demo --config {config}" + "".join(f" --set {o}" for o in overrides)
    return f"""# cyclemedgan demo: MR motion correction on IXI T1

Validation: {len(subjects)} held-out IXI subjects (never seen in training), each a motion-corrupted
volume (TorchIO RandomMotion in k-space: up to {m.degrees} degrees, {m.translation_mm} mm,
{m.num_transforms} motion events, seeded per subject) scored against its own motion-free volume.
Metrics inside a head mask computed from the target, in the volumes' own intensity units
(see README, "Metrics").

{markdown_table([(r.name, r.summary) for r in results], keys, len(subjects))}

{_verdict(results)}
{long_note}
Per subject, SSIM / PSNR (dB):

{chr(10).join(sub_lines)}

Figure: `figure.png` (rows: input, outputs and target of three validation subjects, axial slice,
same grey window; below each, |output - target|).

## How this was made
- Command: `{cmd}`
- Run directory: `{run_dir}` ({meta['steps']} steps, batch {cfg.train.batch_size}, {_generator(cfg)},
  lambda_cyc {cfg.loss.lambda_cyc}, lambda_cP {cfg.loss.lambda_cp},
  lambda_cS {cfg.loss.lambda_cs}, lambda_id {cfg.loss.lambda_id}; {meta['machine']})
- Time (s): data {times['data']:.0f}, training {times['train']:.0f}, paired bound
  {times.get('train_paired', 0):.0f}, translation {times['translate']:.0f}, evaluation {times['evaluate']:.0f}
- Checkpoints: each run is scored with the checkpoint that did best on the 4 `tune` subjects
  during training (never chosen on the validation subjects above).
- Trained unpaired: corrupted slices of the `train_x` subjects, clean slices of the disjoint
  `train_y` subjects of `{cfg.data.split_file}`; {meta['train_slices']['x']} + {meta['train_slices']['y']} slices.
"""
