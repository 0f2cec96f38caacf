"""Fig. 3 of Armanious et al. 2019 (rows of validation slices, one column per method, with
|error| maps) and the training curves of compare's runs."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from cyclemedgan.data.io import list_volumes, load_volume, to_canonical
from cyclemedgan.metrics_ct import ct_field_of_view

PANEL_IN = 2.3  # inches per panel (each slice is an image row and an |error| row); drawn at DPI
DPI = 100


def _canonical(path: Path) -> np.ndarray:
    v, img = load_volume(path)
    return to_canonical(v, img.affine)


def pick_slices(tgt: Path, labels: Path | None = None, names: list[str] | None = None) -> list[tuple[str, int]]:
    """The (file name, axial slice index) pairs Fig. 3 shows: of ``names`` (default: the first two
    volumes of ``tgt``), the slice through the largest tumour area where ``labels`` holds the
    subject's labels, else the slice at 55% height. One subject alone gets a second slice 5 lower."""
    picks = []
    for name in names or [v.name for v in list_volumes(tgt)[:2]]:
        if labels is not None and (labels / name).exists():
            k = int(np.argmax((_canonical(labels / name) > 0).sum(axis=(0, 1))))
        else:
            k = int(0.55 * _canonical(tgt / name).shape[2])
        picks.append((name, k))
    if len(picks) == 1:
        picks.append((picks[0][0], max(0, picks[0][1] - 5)))
    return picks


def _slice_setup(name: str, k: int, tgt: Path, labels: Path | None, mask: Path | None, crop: bool,
                 ct: bool) -> tuple[np.ndarray, tuple[float, float], np.ndarray, tuple[slice, slice]]:
    """For one picked slice: the target slice (X, Y), the target volume's 0.5-99.5 percentile
    window, where |error| is shown (X, Y) bool (the evaluation mask; for CT the CT's field of
    view), and the in-plane box drawn (the tumour with a 12-voxel margin where ``crop``)."""
    tvol = _canonical(tgt / name)
    target = tvol[:, :, k]
    lo, hi = np.percentile(tvol, [0.5, 99.5])
    inside = ct_field_of_view(tvol)[:, :, k] if ct else np.ones_like(target, bool)
    if mask is not None and (mask / name).exists():
        inside = _canonical(mask / name)[:, :, k] > 0
    box = (slice(None), slice(None))
    if crop and labels is not None:
        les = _canonical(labels / name)[:, :, k] > 0
        if les.any():
            ii, jj = np.nonzero(les)
            m = 12
            box = (slice(max(0, ii.min() - m), ii.max() + m), slice(max(0, jj.min() - m), jj.max() + m))
    return target, (lo, hi), inside, box


def _bare(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def comparison_figure(path: Path, columns: list[tuple[str, Path]], inp: Path, tgt: Path,
                      picks: list[tuple[str, int]], same_modality: bool = True, labels: Path | None = None,
                      crop: bool = False, mask: Path | None = None, err_max: float | None = None,
                      ct: bool = False) -> None:
    """Fig. 3 -> ``path`` (PNG, PANEL_IN inches a panel at DPI): per picked (file name, slice) of
    ``pick_slices``, a row Input | one column per (title, folder of volumes) of ``columns`` | Target
    and below it their |output - target| maps. Outputs and target use the target's 0.5-99.5
    percentile window; the input its own when it is another modality (``same_modality`` False; it
    then gets no error map). Error maps run 0 to ``err_max`` in the target's units (default 30% of
    that window), inside ``mask`` where it holds the subject, for synthetic CT (``ct``) inside the
    CT's field of view, as ``metrics_ct`` scores it. ``crop``: zoom on the tumour of ``labels``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = [("Input", inp)] + columns + [("Target", tgt)]
    fig, axes = plt.subplots(2 * len(picks), len(cols), figsize=(PANEL_IN * len(cols), 2 * PANEL_IN * len(picks)),
                             squeeze=False)
    err_label = "|error| (mask)" if mask is not None else "|error| (CT field of view)" if ct else "|error|"
    for r, (name, k) in enumerate(picks):
        target, (lo, hi), inside, box = _slice_setup(name, k, tgt, labels, mask, crop, ct)
        for c, (title, folder) in enumerate(cols):
            vol = _canonical(folder / name)
            img = vol[:, :, k]
            wlo, whi = (lo, hi) if (title != "Input" or same_modality) else np.percentile(vol, [0.5, 99.5])
            ax, axe = axes[2 * r][c], axes[2 * r + 1][c]
            ax.imshow(img[box].T, cmap="gray", vmin=wlo, vmax=whi, origin="lower")
            _bare(ax)
            if r == 0:
                ax.set_title(title, fontsize=9)
            if c == 0:
                ax.set_ylabel(f"{name.split('.nii')[0]}\nslice {k}", fontsize=8)
            if title == "Target" or (title == "Input" and not same_modality):
                axe.axis("off")
                continue
            err = np.where(inside, np.abs(img - target), np.nan)
            im = axe.imshow(err[box].T, cmap="magma", vmin=0, vmax=err_max or 0.3 * (hi - lo), origin="lower")
            axe.set_facecolor("white")
            _bare(axe)
            if c == (0 if same_modality else 1):
                axe.set_ylabel(err_label, fontsize=8)
            if c == len(cols) - 2:
                fig.colorbar(im, ax=axe, fraction=0.046, pad=0.02).ax.tick_params(labelsize=6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def loss_curves(path: Path, runs: list[tuple[str, Path]]) -> None:
    """curves.png -> ``path``: per (label, run directory) of ``runs``, from its metrics.csv, the
    generator and discriminator objectives (log scale) and the tune subjects' PSNR over the
    baseline's (the input; for CT the bulk-density reference), against training time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4))
    for label, run in runs:
        with (run / "metrics.csv").open() as f:
            rows = list(csv.DictReader(f))
        if not rows:
            continue
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
