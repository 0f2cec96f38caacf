"""Table I of Armanious et al. 2019: one row per method, mean ± std over the validation subjects,
the best mean per column in bold; and the files ``compare`` writes it to (table.md, table.csv,
lesions.csv)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HIGHER_IS_BETTER = {"ssim": True, "psnr": True, "psnr_fit": True, "vif": True, "mae": False, "ghost": False,
                    "lpips": False, "ac_abs": False, "ac_p95": False, "ac_over5": False, "ac_abs_tumour": False,
                    "bone_dice": True, "bone_surface_dice": True, "mae_bone": False, "bone_dice_shift1": True,
                    "mae_tumour": False}
LABELS = {"ssim": "SSIM", "psnr": "PSNR (dB)", "psnr_fit": "PSNR fit (dB)", "vif": "VIF", "mae": "MAE",
          "ghost": "ghost (%)", "lpips": "LPIPS", "ac_abs": "ACF err, mean abs", "ac_p95": "ACF err p95",
          "ac_over5": "chords > 5%", "ac_abs_tumour": "ACF err tumour",
          "bone_dice": "bone Dice", "bone_surface_dice": "bone surface Dice", "mae_bone": "MAE bone",
          "bone_dice_shift1": "bone Dice, CT shifted 1 voxel", "mae_tumour": "MAE tumour"}
TWO_DIGITS = ("psnr", "psnr_fit", "mae", "ghost", "mae_tumour", "mae_bone")  # the rest get 4


@dataclass(frozen=True)
class MethodResult:
    """One method's (or baseline's) predictions on the validation subjects and their scores."""

    name: str                                # row name in tables and figures, e.g. "Cycle-MedGAN"
    pred: Path                               # folder of its predicted volumes, in the target's units
    per_subject: list[dict]                  # ``evaluate_paths`` rows: {"subject": str, metric: float}
    summary: dict[str, tuple[float, float]]  # metric -> (mean, std) over the subjects
    method: str = ""                         # compare's method key: "cyclegan", "none", ...
    seed: int = 0                            # train.seed of the run (rows without training: the first seed)
    run: Path | None = None                  # its run directory; None for rows without training
    wall_s: float = 0.0                      # training wall time (s)
    best_step: int | None = None             # step of the best-on-tune checkpoint it is scored with
    tuned_on: str = ""                       # the roles that checkpoint was chosen on, "tune + train_x"


def best_means(rows: list[tuple[str, dict]], keys: list[str]) -> dict[str, float]:
    """rows: (row name, {metric: (mean, std)}) -> {metric: the best mean of the rows}."""
    return {k: (max if HIGHER_IS_BETTER[k] else min)(s[k][0] for _, s in rows) for k in keys}


def markdown_table(results: list[tuple[str, dict]], keys: list[str], n: int) -> str:
    """Table I as markdown. results: (row name, {metric: (mean, std)}), in row order; keys: the
    metric columns; n: subjects behind each mean (for the note below). The best mean per column is
    in bold (where there is more than one row)."""
    best = best_means(results, keys)
    lines = ["| method | " + " | ".join(f"{LABELS[k]} {'↑' if HIGHER_IS_BETTER[k] else '↓'}" for k in keys) + " |",
             "|---|" + "---|" * len(keys)]
    for name, s in results:
        cells = []
        for k in keys:
            mean, std = s[k]
            digits = 2 if k in TWO_DIGITS else 4
            cell = f"{mean:.{digits}f} ± {std:.{digits}f}"
            cells.append(f"**{cell}**" if mean == best[k] and len(results) > 1 else cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(f"\nmean ± std over n = {n} validation subjects; best mean in bold.")
    return "\n".join(lines)


def seed_rows(results: list[MethodResult], seed: int) -> list[MethodResult]:
    """The rows of one seed's table: that seed's runs and every row without training."""
    return [r for r in results if r.seed == seed or r.run is None]


def _time_line(r: MethodResult) -> str:
    if r.best_step == 0:
        at = "; scored at step 0: its start (train.init_from), which no tune point of the run beat"
    elif r.best_step is not None:
        at = f"; scored at step {r.best_step} (best on the {r.tuned_on} subjects)"
    else:
        at = "; scored at its last step"
    return f"- {r.name} (seed {r.seed}): {r.wall_s / 60:.1f} min{at}"


def subject_table(names: list[str], per_subject: list[list[dict]]) -> str:
    """One row per subject, one column per method (``names``, each cut at its first " (" or ":"),
    cells "SSIM / PSNR"; ``per_subject[m]`` is method m's list of {subject, ssim, psnr}, all in the
    same subject order (demo's report.md and the rendered motion-subjects table)."""
    subjects = [p["subject"] for p in per_subject[0]]
    if any([p["subject"] for p in rows] != subjects for rows in per_subject):
        raise ValueError("every method needs the same subjects in the same order")
    lines = ["| subject | " + " | ".join(n.split(" (")[0].split(":")[0] for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for i, s in enumerate(subjects):
        lines.append(f"| {s} | " + " | ".join(f"{rows[i]['ssim']:.4f} / {rows[i]['psnr']:.2f}" for rows in per_subject)
                     + " |")
    return "\n".join(lines)


def _per_subject_lines(results: list[MethodResult], ct: bool) -> list[str]:
    n = len(results[0].per_subject)
    lines = ["| method | seed | " + " | ".join(p["subject"] for p in results[0].per_subject) + " |",
             "|---|---|" + "---|" * n]
    cell = ((lambda p: f"{p['mae']:.1f} / {p['ssim']:.3f} / {p['bone_dice']:.2f}") if ct
            else (lambda p: f"{p['ssim']:.4f} / {p['psnr']:.2f}"))
    for r in results:
        lines.append(f"| {r.name} | {r.seed} | " + " | ".join(cell(p) for p in r.per_subject) + " |")
    return lines


def comparison_markdown(results: list[MethodResult], keys: list[str], seeds: list[int]) -> str:
    """compare's table.md: Table I per seed (``## Results``, or ``## Seed N`` for several seeds),
    each run's training time and scored step, and per subject SSIM / PSNR (for synthetic CT,
    i.e. ``bone_dice`` in ``keys``: body MAE / SSIM / bone Dice) of every row."""
    n = len(results[0].per_subject)
    parts = []
    for seed in seeds:
        rows = [(r.name, r.summary) for r in seed_rows(results, seed)]
        title = f"## Seed {seed}" if len(seeds) > 1 else "## Results"
        parts.append(f"{title}\n\n{markdown_table(rows, keys, n)}")
    ct = "bone_dice" in keys
    what = "body MAE (HU) / SSIM / bone Dice" if ct else "SSIM / PSNR (dB)"
    return ("\n\n".join(parts) + "\n\nTraining wall time:\n"
            + "\n".join(_time_line(r) for r in results if r.run is not None)
            + f"\n\nPer subject, {what}:\n\n" + "\n".join(_per_subject_lines(results, ct)) + "\n")


def write_table_csv(path: Path, results: list[MethodResult], keys: list[str], seeds: list[int]) -> None:
    """compare's table.csv: per seed, one line per row of that seed's table: method key, seed,
    n, train_wall_s, ``<metric>_mean`` / ``<metric>_std`` (6 decimals), and ``best_<metric>``
    (1 where its mean is the best of the seed's rows)."""
    n = len(results[0].per_subject)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["method", "seed", "n", "train_wall_s"] + [f"{k}_{s}" for k in keys for s in ("mean", "std")]
                   + [f"best_{k}" for k in keys])
        for seed in seeds:
            group = seed_rows(results, seed)
            best = best_means([(r.name, r.summary) for r in group], keys)
            for r in group:
                s = r.summary
                w.writerow([r.method, r.seed, n, round(r.wall_s, 1)]
                           + [f"{s[k][i]:.6f}" for k in keys for i in (0, 1)]
                           + [int(s[k][0] == best[k]) for k in keys])


def write_tables(out: Path, results: list[MethodResult], keys: list[str], seeds: list[int]) -> None:
    """OUT/table.md (``comparison_markdown``) and OUT/table.csv (``write_table_csv``)."""
    (out / "table.md").write_text(comparison_markdown(results, keys, seeds))
    write_table_csv(out / "table.csv", results, keys, seeds)


def write_lesions(path: Path, rows: list[dict]) -> None:
    """lesions.csv: one line per (subject, image) of ``rows`` (their keys are the columns)."""
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
