"""Which checkpoint does the tune rule choose, run by run?

``cyclemedgan probe choose RUN_DIR [RUN_DIR ...]``: from each run's metrics.csv, the tune point
``tune.better`` picks (for synthetic CT: body MAE below the reference first, then the score) with
its score, MAE and SSIM (and each tune role's score and MAE where several were scored); runs named
``NAME_sK`` (seeds) are then averaged under NAME. Works on runs trained before a change of the rule.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from cyclemedgan.errors import UserError
from cyclemedgan.training.tune import better


def tune_point(run: str) -> dict[str, float]:
    """The row of ``run``'s metrics.csv the tune rule picks: its tune/ columns (prefix dropped)
    and its step."""
    path = Path(run) / "metrics.csv"
    if not path.is_file():
        raise UserError(f"{run} has no metrics.csv")
    with path.open() as f:
        rows = [{k[5:]: float(v) for k, v in r.items() if k.startswith("tune/") and v != ""} | {"step": int(r["step"])}
                for r in csv.DictReader(f) if r.get("tune/score")]
    if not rows:
        raise UserError(f"{run}: no tune point in metrics.csv (train.tune_every was 0?)")
    base = "ref" if "mae_ref" in rows[0] else "input"
    best = rows[0]
    for r in rows[1:]:
        best = r if better(r, best, base) else best
    return best


def choose(run_dirs: list[str]) -> dict[str, dict[str, float]]:
    """The tune point each run's rule picks -> {run: row}; prints them and the mean over the
    seeds of each NAME_sK group."""
    picked = {}
    for run in run_dirs:
        best = picked[run] = tune_point(run)
        roles = sorted({k.split("/")[0] for k in best if "/" in k})
        extra = "".join(f" | {r} {best[f'{r}/score']:+.3f}" + (f" {best[f'{r}/mae']:.1f} HU" if f"{r}/mae" in best else "")
                        for r in roles)
        mae = f" MAE {best['mae']:.1f} (ref {best['mae_ref']:.1f})" if "mae" in best else ""
        print(f"{Path(run).name:24s} step {best['step']:4d} score {best['score']:+.3f}{mae} SSIM {best['ssim']:.3f}{extra}")
    groups: dict[str, list[dict]] = {}
    for run, row in picked.items():
        groups.setdefault(re.sub(r"_s\d+$", "", Path(run).name), []).append(row)
    for name, rows in groups.items():
        if len(rows) > 1:
            mean = {k: float(np.mean([r[k] for r in rows])) for k in ("score", "mae", "ssim") if k in rows[0]}
            print(f"{name:24s} mean of {len(rows)}: " + "  ".join(f"{k} {v:.3f}" for k, v in mean.items()))
    return picked
