"""What a run writes as it goes (rank 0): metrics.csv, TensorBoard scalars (``tb/``) and sample
grids (``samples/stepNNNNNN.png``: the fixed source slices, G1 of them, the fixed targets and,
for unpaired runs, G2 of those)."""
from __future__ import annotations

import csv
from pathlib import Path

import torch


def save_sample_grid(path: Path, rows: list[tuple[str, torch.Tensor]]) -> None:
    """rows of (title, (N, 1, H, W) in [-1, 1]) -> one PNG, grey in [-1, 1] for all."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = rows[0][1].shape[0]
    fig, axes = plt.subplots(n, len(rows), figsize=(2 * len(rows), 2 * n), squeeze=False)
    for j, (title, imgs) in enumerate(rows):
        for i in range(n):
            ax = axes[i][j]
            ax.imshow(imgs[i, 0].float().numpy().T, cmap="gray", vmin=-1, vmax=1, origin="lower")
            ax.axis("off")
            if i == 0:
                ax.set_title(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


class RunLog:
    """Rows of named scalars to metrics.csv (appended on resume, keeping the file's columns) and
    TensorBoard; ``extra`` names columns that appear only in some rows (the tune scores)."""

    def __init__(self, run_dir: Path, extra: list[str]):
        from torch.utils.tensorboard import SummaryWriter

        self.run_dir, self.extra = run_dir, extra
        self.csv_path = run_dir / "metrics.csv"
        self.tb = SummaryWriter(str(run_dir / "tb"))
        self.file = self.csv_path.open("a", newline="")
        self.csv = None

    def write(self, row: dict) -> None:
        if self.csv is None:
            fields = list(row) + [k for k in self.extra if k not in row]
            resumed = self.csv_path.stat().st_size > 0
            if resumed:  # keep the columns the file already has (a run from an older version may have fewer)
                with self.csv_path.open(newline="") as f:
                    fields = next(csv.reader(f), fields)
            self.csv = csv.DictWriter(self.file, fieldnames=fields, restval="", extrasaction="ignore")
            if not resumed:
                self.csv.writeheader()
        self.csv.writerow(row)
        self.file.flush()
        for k, v in row.items():
            if k != "step":
                self.tb.add_scalar(k, v, row["step"])

    @torch.no_grad()
    def samples(self, step: int, model, fixed_x: torch.Tensor, fixed_y: torch.Tensor, centre: slice,
                both_ways: bool, device: torch.device) -> None:
        """One grid of the fixed slices (their 2.5D stacks' ``centre``) through the model."""
        model.eval()
        fy = model.translate(fixed_x.to(device), "AtoB").cpu()
        fx = model.translate(fixed_y.to(device), "BtoA").cpu() if both_ways else None
        model.train()
        save_sample_grid(self.run_dir / "samples" / f"step{step:06d}.png",
                         [("x", fixed_x[:, centre]), ("G1(x)", fy[:, centre]), ("y", fixed_y[:, centre])]
                         + ([("G2(y)", fx[:, centre])] if fx is not None else []))

    def close(self) -> None:
        self.tb.close()
        self.file.close()
