"""Score predicted volumes against target volumes: per-subject CSV plus mean and std.

``kind="image"``: SSIM, PSNR, VIF, MAE (and LPIPS) in the target's units (``metrics.py``).
``kind="ct"``: synthetic CT against real CT in Hounsfield units: body MAE, PSNR, SSIM, bone Dice
and tumour MAE (``metrics_ct.py``); ``labels`` (tumour masks) are optional."""
from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import nibabel as nib
import numpy as np

from cyclemedgan.config import DataConfig, choices
from cyclemedgan.data.io import list_volumes, load_volume, to_canonical
from cyclemedgan.errors import UserError
from cyclemedgan.metrics import compare, lesion_contrast
from cyclemedgan.metrics_ac import ac_scores
from cyclemedgan.metrics_ct import CT_METRICS, ct_scores
from cyclemedgan.metrics_lpips import LPIPS

METRICS = ("ssim", "psnr", "psnr_fit", "vif", "mae", "ghost", "lpips")
# attenuation along in-plane chords through the crop (metrics_ac.py), beside the HU scores
AC_KEYS = ("ac_abs", "ac_p95", "ac_over5", "ac_abs_tumour")

KINDS = choices(DataConfig, "evaluation")  # what data.evaluation chooses for a run


def canonical_spacing(affine: np.ndarray) -> tuple[float, float, float]:
    """Voxel size (mm) along each axis of the RAS+ canonical array of a volume with ``affine``."""
    out = np.empty(3)
    out[nib.io_orientation(affine)[:, 0].astype(int)] = nib.affines.voxel_sizes(affine)  # array axis -> world axis
    return tuple(float(v) for v in out)


def _match(pred: Path, target: Path, mask: Path | None) -> list[tuple[str, Path, Path, Path | None]]:
    for p, what in ((pred, "--pred"), (target, "--target")):
        if not p.exists():
            raise UserError(f"{what} not found: {p}")
    if pred.is_dir() != target.is_dir():
        raise UserError("--pred and --target must both be volumes or both be folders")
    if mask is not None and not mask.exists():
        raise UserError(f"--mask not found: {mask}")
    if not pred.is_dir():
        return [(pred.name.split(".nii")[0], pred, target, mask)]
    preds = {v.name: v for v in list_volumes(pred)}
    targets = {v.name: v for v in list_volumes(target)}
    common = sorted(set(preds) & set(targets))
    if not common:
        raise UserError(f"no file names in common between {pred} and {target}")
    missing = sorted(set(targets) - set(preds))
    if missing:
        raise UserError(f"no prediction for {len(missing)} target(s), e.g. {missing[0]}")
    out = []
    for name in common:
        m = (mask / name if mask.is_dir() else mask) if mask is not None else None
        if m is not None and not m.exists():
            raise UserError(f"no mask for {name} in {mask}")
        out.append((name.split(".nii")[0], preds[name], targets[name], m))
    return out


def summarize(rows: list[dict], keys: list[str]) -> dict[str, tuple[float, float]]:
    """Mean and (sample, ddof=1) std of each metric over subjects."""
    out = {}
    for k in keys:
        vals = np.array([r[k] for r in rows], dtype=np.float64)
        vals = vals[np.isfinite(vals)] if np.isfinite(vals).any() else vals  # e.g. a patient without tumour mask
        out[k] = (float(np.mean(vals)), float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0)
    return out


def evaluate_paths(pred: str | Path, target: str | Path, mask: str | Path | None = None,
                   out: str | Path | None = None, lpips_weights: str | None = None,
                   verbose: bool = False, kind: str = "image") -> tuple[list[dict], dict]:
    """Per-subject metrics (list of dicts) and their summary {metric: (mean, std)}. For
    ``kind="ct"``, ``mask`` is the tumour mask (volume or folder; optional)."""
    if kind not in KINDS:
        raise UserError(f"unknown evaluation kind '{kind}'; valid: {', '.join(KINDS)}")
    items = _match(Path(pred), Path(target), Path(mask) if mask else None)
    why_no_lpips = LPIPS.unavailable(lpips_weights)
    lpips_net = LPIPS(lpips_weights) if why_no_lpips is None else None
    rows = []
    for subject, p, t, m in items:
        pv, pimg = load_volume(p)
        tv, timg = load_volume(t)
        if pv.shape != tv.shape:
            raise UserError(f"{p} has shape {pv.shape}, its target {t} has {tv.shape}")
        if not np.allclose(pimg.affine, timg.affine, atol=1e-3):
            raise UserError(f"{p} and {t} have different affines (not co-registered)")
        mv = None
        if m is not None:
            mv, mimg = load_volume(m)
            if mv.shape != tv.shape:
                raise UserError(f"mask {m} has shape {mv.shape}, target has {tv.shape}")
            mv = to_canonical(mv > 0, timg.affine)
        try:
            if kind == "ct":
                pc, tc = to_canonical(pv, timg.affine), to_canonical(tv, timg.affine)
                r = ct_scores(pc, tc, mv, lpips_net)
                sx, sy, _ = canonical_spacing(timg.affine)
                if np.isclose(sx, sy, rtol=1e-4):  # chords need square pixels
                    r.update({k: v for k, v in ac_scores(pc, tc, (sx, sx), mv).items() if k in AC_KEYS})
                else:
                    r.update(dict.fromkeys(AC_KEYS, float("nan")))
                    if verbose:
                        print(f"{subject}: in-plane spacing {sx:g} x {sy:g} mm is not square: no chord (ACF) scores")
            else:
                r = compare(to_canonical(pv, timg.affine), to_canonical(tv, timg.affine), mv, lpips_net)
        except ValueError as e:
            raise UserError(f"{subject}: {e}") from None
        rows.append({"subject": subject, **r})
    keys = [k for k in ((*CT_METRICS, *AC_KEYS) if kind == "ct" else METRICS) if k in rows[0]]
    summary = summarize(rows, keys)
    if out is not None:
        write_csv(rows, summary, keys, Path(out))
    if verbose:
        for k in keys:
            mean, std = summary[k]
            print(f"{k.upper():>8}: {mean:.4f} +- {std:.4f}  (n={len(rows)})")
        if why_no_lpips:
            print(f"LPIPS: {why_no_lpips}")
        if out is not None:
            print(f"per-subject metrics: {out}")
    return rows, summary


def write_csv(rows: list[dict], summary: dict, keys: list[str], out: Path) -> None:
    """Per-subject rows, then ``mean`` and ``std`` rows; written atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=out.parent)
    with os.fdopen(fd, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["subject"] + keys)
        for r in rows:
            w.writerow([r["subject"]] + [f"{r[k]:.6f}" for k in keys])
        w.writerow(["mean"] + [f"{summary[k][0]:.6f}" for k in keys])
        w.writerow(["std"] + [f"{summary[k][1]:.6f}" for k in keys])
    os.replace(tmp, out)


def lesion_rows(folders: dict[str, Path], labels: Path, mask: Path) -> list[dict]:
    """Tumour CNR (``metrics.lesion_contrast``: whole tumour, and enhancing tumour = label 4)
    per subject of the label folder ``labels`` (with its brain masks in ``mask``), per image
    source of ``folders`` ({image name: folder of volumes of the same file names}): one dict
    {subject, image, cnr_whole, cnr_enhancing} per (subject, image)."""
    rows = []
    for lab in list_volumes(labels):
        labels_v, img = load_volume(lab)
        lab_c = to_canonical(np.rint(labels_v).astype(np.int16), img.affine)
        brain = to_canonical(load_volume(mask / lab.name)[0] > 0, img.affine)
        for name, folder in folders.items():
            v, vimg = load_volume(folder / lab.name)
            v = to_canonical(v, vimg.affine)
            rows.append({"subject": lab.name.split(".nii")[0], "image": name,
                         "cnr_whole": lesion_contrast(v, lab_c, brain),
                         "cnr_enhancing": lesion_contrast(v, lab_c, brain, (4,))})
    return rows
