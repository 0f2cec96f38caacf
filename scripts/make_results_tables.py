"""Render README's and the task pages' results tables from committed results files.

``results/motion-demo.json`` is a copy of ``runs/demo/results.json`` written by ``make demo``
(``cyclemedgan demo``); two tables are rendered from it: its summary (one row per method, mean ±
std) between ``<!-- results:motion -->`` and ``<!-- /results:motion -->``, and its per-subject
values (one row per validation subject, one column per method, "SSIM / PSNR") between
``<!-- results:motion-subjects -->`` and ``<!-- /results:motion-subjects -->``.
``results/petct-baselines-table.csv`` is a copy of the ``table.csv`` written by ``cyclemedgan
compare --config configs/pet2ct-sts.yaml --methods bulk three-class pretrained --set
train.init_from=weights/pet2ct-sts`` (its "pretrained" row is the shipped model, not fine-tuned):
its first seed's rows, the columns of ``CSV_KEYS``, between ``<!-- results:petct -->`` and
``<!-- /results:petct -->``, followed by the "pretrained" row of ``results/petct-sim-table.csv``, the
same command's table.csv with ``--set train.init_from=weights/pet2ct-sts-sim`` (the simulated-PET
model; its other rows repeat the first file's).
``results/motion-modelb/`` holds the model-B experiment of docs/experiments.md (session 11):
``table.csv`` and ``last-table.csv`` are compare's OUT/table.csv and OUT/last/table.csv, and
``ceiling.csv`` the ceiling's ``evaluate --out`` CSV; the share of the gap each method closes
(``report.gap.gap_report``, as ``scripts/gap_share.py`` prints it) goes between
``<!-- results:motion-modelb -->`` and ``<!-- /results:motion-modelb -->``.
``results/motion-compare/table.csv`` is compare's OUT/table.csv of ``make compare``: its first
seed's rows, every metric, between ``<!-- results:motion-compare -->`` and
``<!-- /results:motion-compare -->``.
``results/petct-compare/table.csv`` is compare's OUT/table.csv of ``make compare-petct``: its first
seed's rows, the columns of ``CSV_KEYS``, between ``<!-- results:petct-compare -->`` and
``<!-- /results:petct-compare -->``; ``results/brats-compare/table.csv``, that of ``make
compare-brats``, SSIM, PSNR, VIF, MAE and LPIPS (the motion-only ghost and fitted PSNR left out), between ``<!-- results:brats-compare -->`` and its end marker.

Each table goes wherever its two markers are in the pages of ``PAGES`` (README.md and
docs/tasks/*.md), never typed by hand; ``--check`` changes nothing and exits 1 where a page's
table differs from its results file.

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
from cyclemedgan.report.gap import gap_report_of_files
from cyclemedgan.report.tables import markdown_table, subject_table

ROOT = Path(__file__).resolve().parents[1]
# table name (its markers) -> (results file, what to render from it: "summary" or "subjects")
TABLES = {"motion": (ROOT / "results" / "motion-demo.json", "summary"),
          "motion-subjects": (ROOT / "results" / "motion-demo.json", "subjects"),
          "petct": ([ROOT / "results" / "petct-baselines-table.csv", ROOT / "results" / "petct-sim-table.csv"],
                    "summary"),
          "motion-modelb": (ROOT / "results" / "motion-modelb", "gap"),
          "motion-compare": (ROOT / "results" / "motion-compare" / "table.csv", "summary"),
          "petct-compare": (ROOT / "results" / "petct-compare" / "table.csv", "summary"),
          "brats-compare": (ROOT / "results" / "brats-compare" / "table.csv", "summary")}
# row names of a compare table.csv where its method key says less than the command behind it
# (one dict per results file where a table has several)
ROW_NAMES = {"petct": [{"pretrained": "Shipped model `weights/pet2ct-sts` (unpaired Cycle-MedGAN), as it is",
                        "bulk": "Two-class map, body outline from the real CT (0 HU, air -1000 HU)"},
                       {"pretrained": "Simulated-PET model `weights/pet2ct-sts-sim` (unpaired: U-Net trained on PET "
                                      "simulated from other patients' CTs)"}],
             "petct-compare": {"bulk": "Two-class map, body outline from the real CT (0 HU, air -1000 HU)"}}
PAGES = [ROOT / "README.md", ROOT / "docs" / "tasks" / "motion.md", ROOT / "docs" / "tasks" / "pet2ct.md",
         ROOT / "docs" / "tasks" / "brats.md"]
# the columns of a compare table.csv shown in the pages where not all of them (the CSV holds more)
CSV_KEYS = ["mae", "ssim", "bone_dice", "bone_surface_dice", "mae_bone", "ac_abs", "ac_over5"]
KEYS = {"petct": CSV_KEYS, "petct-compare": CSV_KEYS, "brats-compare": ["ssim", "psnr", "vif", "mae", "lpips"]}


def render(results, names=None, keys: list[str] | None = None) -> str:
    """A results file's summary table: a demo results.json's rows, or a compare table.csv's
    (columns ``keys``, default: every metric of the CSV), or the rows of several table.csv
    (a list of paths, ``names`` one dict per path) in one table."""
    if isinstance(results, list):
        return render_csvs(results, names or [{}] * len(results), keys)
    if results.suffix == ".csv":
        return render_csv(results, names or {}, keys)
    data = json.loads(results.read_text())
    rows = [(r["name"], {k: tuple(v) for k, v in r["summary"].items()}) for r in data["rows"]]
    return markdown_table(rows, data["keys"], data["n"]).strip()


def render_subjects(results: Path) -> str:
    """A demo results.json -> its per-subject table (``report.tables.subject_table``)."""
    rows = json.loads(results.read_text())["rows"]
    return subject_table([r["name"] for r in rows], [r["per_subject"] for r in rows])


def _csv_rows(results: Path, names: dict[str, str], keys: list[str] | None) -> tuple[list, list[str], int]:
    """A compare table.csv -> ([(method key, row name, {metric: (mean, std)})] of its first seed, keys, n)."""
    with results.open() as f:
        reader = csv.DictReader(f)
        lines = list(reader)
    keys = keys or [c[: -len("_mean")] for c in reader.fieldnames if c.endswith("_mean")]
    first = lines[0]["seed"]
    lines = [r for r in lines if r["seed"] == first]
    rows = [(r["method"], names.get(r["method"], NAMES.get(r["method"], r["method"])),
             {k: (float(r[f"{k}_mean"]), float(r[f"{k}_std"])) for k in keys}) for r in lines]
    return rows, keys, int(lines[0]["n"])


def render_csv(results: Path, names: dict[str, str], keys: list[str] | None = None) -> str:
    """A compare table.csv -> the markdown table of its first seed's rows, columns ``keys``
    (default: every ``*_mean`` column, in the CSV's order); ``names``: row names by method key,
    over compare's own."""
    return render_csvs([results], [names], keys)


def render_csvs(files: list[Path], names: list[dict[str, str]], keys: list[str] | None = None) -> str:
    """Several compare table.csv (of the same subjects) -> one markdown table: the first file's
    rows, then of each later file the rows its ``names`` dict names (the others repeat the first's)."""
    rows, n = [], None
    for i, (path, nm) in enumerate(zip(files, names)):
        got, keys, n_file = _csv_rows(path, nm, keys)
        if n is not None and n_file != n:
            raise SystemExit(f"{path}: {n_file} subjects, the table above it {n}")
        n = n_file
        rows += [(name, vals) for method, name, vals in got if i == 0 or method in nm]
    return markdown_table(rows, keys, n).strip()


def table(name: str) -> str:
    """The markdown of table ``name`` of ``TABLES``, from its results file."""
    results, kind = TABLES[name]
    if kind == "gap":
        return render_gap(results)
    return render_subjects(results) if kind == "subjects" else render(results, ROW_NAMES.get(name), KEYS.get(name))


def render_gap(folder: Path) -> str:
    """results/motion-modelb/ -> the gap-share tables (``report.gap.gap_report``)."""
    return gap_report_of_files(folder / "last-table.csv", folder / "table.csv", folder / "ceiling.csv").strip()


def update(text: str, name: str, table: str) -> str:
    key = re.escape(name)
    pattern = re.compile(rf"(<!-- results:{key} -->\n).*?(\n<!-- /results:{key} -->)", re.S)
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
        for name in TABLES:
            if f"<!-- results:{name} -->" in new:
                new = update(new, name, table(name))
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
