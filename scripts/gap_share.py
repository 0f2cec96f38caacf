"""The share of the model-B gap each unpaired method closes (issue 18, docs/experiments.md).

    python scripts/gap_share.py runs/modelB --ceiling runs/modelB/ceiling-b3/val-metrics.csv

reads ``cyclemedgan compare``'s OUT/table.csv (best-on-tune checkpoints: an oracle choice on the
tune pairs) and OUT/last/table.csv (``--select last``: no pairs used), and the ceiling's
``cyclemedgan evaluate --out`` CSV; prints one table per metric (``report/gap.py``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cyclemedgan.report.gap import gap_markdown, gap_rows, read_compare_table, read_evaluate_means


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("compare_out", help="cyclemedgan compare's --out folder")
    p.add_argument("--ceiling", required=True, help="evaluate --out CSV of the corrector trained under model B")
    p.add_argument("--metrics", nargs="+", default=["psnr", "ssim"])
    p.add_argument("--min-gap", type=float, nargs="+", default=[0.5, 0.0],
                   help="smallest gap with a share, one per metric (default 0.5 dB PSNR; SSIM always)")
    a = p.parse_args()
    out = Path(a.compare_out)
    tables = {"last (no pairs)": out / "last" / "table.csv", "best on tune pairs (oracle)": out / "table.csv"}
    tables = {k: read_compare_table(v) for k, v in tables.items() if v.is_file()}
    ceiling = read_evaluate_means(a.ceiling)
    for metric, min_gap in zip(a.metrics, a.min_gap):
        print(gap_markdown(gap_rows(tables, ceiling, metric, min_gap), metric))


if __name__ == "__main__":
    main()
