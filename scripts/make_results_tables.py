"""Render README's results tables from committed results files (never typed by hand).

``results/motion-demo.json`` is a copy of ``runs/demo/results.json`` written by ``make demo``
(``cyclemedgan demo``); its table goes between ``<!-- results:motion -->`` and
``<!-- /results:motion -->`` in README.md and docs/tasks/motion.md (where those markers are).

    .venv/bin/python scripts/make_results_tables.py [--check]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from cyclemedgan.report.tables import markdown_table

ROOT = Path(__file__).resolve().parents[1]
TABLES = {"motion": ROOT / "results" / "motion-demo.json"}
PAGES = [ROOT / "README.md", ROOT / "docs" / "tasks" / "motion.md"]


def render(results: Path) -> str:
    data = json.loads(results.read_text())
    rows = [(r["name"], {k: tuple(v) for k, v in r["summary"].items()}) for r in data["rows"]]
    return markdown_table(rows, data["keys"], data["n"]).strip()


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
            new = update(new, name, render(results))
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
