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

from cyclemedgan.report.gap import gap_report_of_files


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("compare_out", help="cyclemedgan compare's --out folder")
    p.add_argument("--ceiling", required=True, help="evaluate --out CSV of the corrector trained under model B")
    a = p.parse_args()
    out = Path(a.compare_out)
    files = (out / "last" / "table.csv", out / "table.csv", Path(a.ceiling))
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SystemExit(f"gap_share.py: error: not found: {', '.join(missing)} (run compare with and without --select last)")
    print(gap_report_of_files(*files))

if __name__ == "__main__":
    main()
