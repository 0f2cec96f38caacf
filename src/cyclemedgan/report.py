"""Tables and figures: the method comparison table (Table I) and the image grid (Fig. 3)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from cyclemedgan.data.io import load_volume, to_canonical

HIGHER_IS_BETTER = {"ssim": True, "psnr": True, "psnr_fit": True, "vif": True, "mae": False, "ghost": False,
                    "lpips": False, "ac_abs": False, "ac_p95": False, "ac_over5": False, "ac_abs_tumour": False,
                    "bone_dice": True, "bone_surface_dice": True, "mae_bone": False, "bone_dice_shift1": True,
                    "mae_tumour": False}
LABELS = {"ssim": "SSIM", "psnr": "PSNR (dB)", "psnr_fit": "PSNR fit (dB)", "vif": "VIF", "mae": "MAE",
          "ghost": "ghost (%)", "lpips": "LPIPS", "ac_abs": "ACF err |e|", "ac_p95": "ACF err p95",
          "ac_over5": "chords > 5%", "ac_abs_tumour": "ACF err tumour",
          "bone_dice": "bone Dice", "bone_surface_dice": "bone surface Dice", "mae_bone": "MAE bone",
          "bone_dice_shift1": "bone Dice, CT shifted 1 voxel", "mae_tumour": "MAE tumour"}


def markdown_table(results: list[tuple[str, dict]], keys: list[str], n: int) -> str:
    """results: (row name, {metric: (mean, std)}); the best mean per column is in bold."""
    best = {}
    for k in keys:
        vals = [s[k][0] for _, s in results]
        best[k] = (max if HIGHER_IS_BETTER[k] else min)(vals)
    lines = ["| method | " + " | ".join(f"{LABELS[k]} {'↑' if HIGHER_IS_BETTER[k] else '↓'}" for k in keys) + " |",
             "|---|" + "---|" * len(keys)]
    for name, s in results:
        cells = []
        for k in keys:
            mean, std = s[k]
            digits = 2 if k in ("psnr", "psnr_fit", "mae", "ghost", "mae_tumour", "mae_bone") else 4
            cell = f"{mean:.{digits}f} ± {std:.{digits}f}"
            cells.append(f"**{cell}**" if mean == best[k] and len(results) > 1 else cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(f"\nmean ± std over n = {n} validation subjects; best mean in bold.")
    return "\n".join(lines)


def load_canonical(path: Path) -> np.ndarray:
    v, img = load_volume(path)
    return to_canonical(v, img.affine)


def comparison_figure(out: Path, subjects: list[str], columns: list[tuple[str, Path]],
                      target_dir: Path, input_dir: Path, slice_frac: float = 0.55) -> None:
    """Fig. 3-style grid: per subject one row of images (Input | methods... | Target, same grey
    window: the target's 0.5-99.5 percentiles) and one row of |output - target| maps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = [("Input", input_dir)] + columns + [("Target", target_dir)]
    fig, axes = plt.subplots(2 * len(subjects), len(cols), figsize=(2.2 * len(cols), 4.4 * len(subjects)),
                             squeeze=False)
    for r, subject in enumerate(subjects):
        target = load_canonical(target_dir / f"{subject}.nii.gz")
        k = int(slice_frac * target.shape[2])
        lo, hi = np.percentile(target, [0.5, 99.5])
        for c, (title, folder) in enumerate(cols):
            img = load_canonical(folder / f"{subject}.nii.gz")[:, :, k]
            ax, axe = axes[2 * r][c], axes[2 * r + 1][c]
            ax.imshow(img.T, cmap="gray", vmin=lo, vmax=hi, origin="lower")
            ax.set_title(title if r == 0 else "", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(f"{subject}\nslice {k}", fontsize=8)
                axe.set_ylabel("|error|", fontsize=8)
            if title != "Target":
                axe.imshow(np.abs(img - target[:, :, k]).T, cmap="magma", vmin=0, vmax=0.3 * (hi - lo), origin="lower")
            axe.axis("off") if title == "Target" else (axe.set_xticks([]), axe.set_yticks([]))
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
