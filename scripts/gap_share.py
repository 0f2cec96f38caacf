"""The share of the model-B gap each unpaired method closes (issue 18, docs/experiments.md).

    python scripts/gap_share.py runs/modelB --ceiling runs/modelB/ceiling-b3/val-metrics.csv

reads ``cyclemedgan compare``'s OUT/table.csv (best-on-tune checkpoints: an oracle choice on the
tune pairs) and OUT/last/table.csv (``--select last``: no pairs used), and the ceiling's
``cyclemedgan evaluate --out`` CSV; prints one table per metric, PSNR (a share where the gap is >= 0.5 dB) and SSIM
(``report/gap.py``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cyclemedgan.report.gap import gap_report, read_compare_table, read_evaluate_means


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("compare_out", help="cyclemedgan compare's --out folder")
    p.add_argument("--ceiling", required=True, help="evaluate --out CSV of the corrector trained under model B")
    a = p.parse_args()
    out = Path(a.compare_out)
    tables = {"last (no pairs)": out / "last" / "table.csv", "best on tune pairs (oracle)": out / "table.csv"}
    tables = {k: read_compare_table(v) for k, v in tables.items() if v.is_file()}
    print(gap_report(tables, read_evaluate_means(a.ceiling)))


if __name__ == "__main__":
    main()
