"""Render README's results tables from committed results files (never typed by hand).

``results/motion-demo.json`` is a copy of ``runs/demo/results.json`` written by ``make demo``
(``cyclemedgan demo``); its table goes between ``<!-- results:motion -->`` and
``<!-- /results:motion -->`` in README.md and docs/tasks/motion.md (where those markers are).
``results/petct-baselines-table.csv`` is a copy of the ``table.csv`` written by ``cyclemedgan
compare --config configs/pet2ct-sts.yaml --methods bulk three-class pretrained --set
train.init_from=weights/pet2ct-sts`` (its "pretrained" row is the shipped model, not fine-tuned):
its first seed's rows, the columns of ``CSV_KEYS``, between ``<!-- results:petct -->`` and
``<!-- /results:petct -->``.

    .venv/bin/python scripts/make_results_tables.py [--check]
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

from cyclemedgan.compare import NAMES
from cyclemedgan.report.tables import markdown_table

ROOT = Path(__file__).resolve().parents[1]
TABLES = {"motion": ROOT / "results" / "motion-demo.json", "petct": ROOT / "results" / "petct-baselines-table.csv"}
# row names of a compare table.csv where its method key says less than the command behind it
ROW_NAMES = {"petct": {"pretrained": "Shipped model `weights/pet2ct-sts` (unpaired Cycle-MedGAN), as it is",
                       "bulk": "Two-class map, body outline from the real CT (0 HU, air -1000 HU)"}}
PAGES = [ROOT / "README.md", ROOT / "docs" / "tasks" / "motion.md", ROOT / "docs" / "tasks" / "pet2ct.md"]
# the columns of a compare table.csv shown in the pages (the CSV holds more)
CSV_KEYS = ["mae", "ssim", "bone_dice", "bone_surface_dice", "mae_bone", "ac_abs", "ac_over5"]


def render(results: Path, names: dict[str, str] | None = None) -> str:
    if results.suffix == ".csv":
        return render_csv(results, names or {})
    data = json.loads(results.read_text())
    rows = [(r["name"], {k: tuple(v) for k, v in r["summary"].items()}) for r in data["rows"]]
    return markdown_table(rows, data["keys"], data["n"]).strip()


def render_csv(results: Path, names: dict[str, str]) -> str:
    """A compare table.csv -> the markdown table of its first seed's rows, columns ``CSV_KEYS``;
    ``names``: row names by method key, over compare's own."""
    with results.open() as f:
        lines = list(csv.DictReader(f))
    first = lines[0]["seed"]
    lines = [r for r in lines if r["seed"] == first]
    rows = [(names.get(r["method"], NAMES.get(r["method"], r["method"])),
             {k: (float(r[f"{k}_mean"]), float(r[f"{k}_std"])) for k in CSV_KEYS}) for r in lines]
    return markdown_table(rows, CSV_KEYS, int(lines[0]["n"])).strip()


def update(text: str, name: str, table: str) -> str:
    pattern = re.compile(rf"(<!-- results:{name} -->\n).*?(\n<!-- /results:{name} -->)", re.S)
    return pattern.sub(lambda m: m.group(1) + table + m.group(2), text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 where a page's table differs from its results file")
    args = ap.parse_args()
    stale = []
    for page in PAGES:
        if not page.is_file():
            continue
        text = page.read_text()
        new = text
        for name, results in TABLES.items():
            if f"<!-- results:{name} -->" in new:
                new = update(new, name, render(results, ROW_NAMES.get(name)))
        if new != text:
            stale.append(page)
            if not args.check:
                page.write_text(new)
    if args.check and stale:
        print("stale results tables in: " + ", ".join(str(p.relative_to(ROOT)) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
