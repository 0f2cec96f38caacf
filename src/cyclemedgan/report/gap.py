"""The share of a simulation gap that unpaired fine-tuning closes (issue 18's model-B experiment).

A corrector trained on pairs simulated by motion model A (the *start*) meets data corrupted by
model B; a corrector trained on pairs simulated by B (the *ceiling*) says what B's data allows.
For a method fine-tuned from the start without pairs, of one metric's validation mean,

    share = (fine-tuned - start) / (ceiling - start)

0 keeps the start, 1 reaches the ceiling, below 0 moves away from it. A share is given only
where the gap |ceiling - start| is at least ``min_gap`` (issue 18: 0.5 dB of PSNR); below that it
would divide noise by noise.
"""
from __future__ import annotations

import csv
import statistics
from pathlib import Path

START = "pretrained"  # compare's row of the start (train.init_from), not fine-tuned
UNTRAINED = ("none", "bulk", "three-class", START)


def read_compare_table(path: str | Path) -> dict[tuple[str, int], dict[str, float]]:
    """compare's table.csv as {(method, seed): {metric: validation mean}}."""
    with Path(path).open(newline="") as f:
        return {(r["method"], int(r["seed"])): {k[:-5]: float(v) for k, v in r.items() if k.endswith("_mean")}
                for r in csv.DictReader(f)}


def read_evaluate_means(path: str | Path) -> dict[str, float]:
    """The ``mean`` row of an ``evaluate --out`` CSV as {metric: mean}."""
    with Path(path).open(newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["subject"] == "mean")
    return {k: float(v) for k, v in row.items() if k != "subject"}


def gap_rows(tables: dict[str, dict[tuple[str, int], dict[str, float]]], ceiling: dict[str, float],
             metric: str = "psnr", min_gap: float = 0.5) -> list[dict]:
    """One row per (selection, fine-tuned method) of ``tables`` ({selection name: compare table}):
    the metric's mean and sd over seeds, and its share of the gap between the start (the
    ``pretrained`` row) and ``ceiling`` (None where the gap is below ``min_gap``)."""
    rows = []
    for selection, table in tables.items():
        start = next(v[metric] for (m, _), v in table.items() if m == START)
        gap = ceiling[metric] - start
        for method in dict.fromkeys(m for m, _ in table if m not in UNTRAINED):
            values = [v[metric] for (m, _), v in table.items() if m == method]
            mean = statistics.fmean(values)
            rows.append({"selection": selection, "method": method, "seeds": len(values), "mean": mean,
                         "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
                         "share": (mean - start) / gap if abs(gap) >= min_gap else None,
                         "start": start, "ceiling": ceiling[metric]})
    return rows


def gap_markdown(rows: list[dict], metric: str = "psnr") -> str:
    """``gap_rows`` as a markdown table, the start and the ceiling in its caption."""
    head = (f"{metric}, validation mean: start {rows[0]['start']:.4f}, ceiling {rows[0]['ceiling']:.4f}, gap "
            f"{rows[0]['ceiling'] - rows[0]['start']:+.4f}\n\n")
    lines = [f"| method | checkpoint | seeds | {metric} mean ± sd over seeds | share of the gap |", "|---|---|---|---|---|"]
    for r in rows:
        share = "gap below the bar" if r["share"] is None else f"{r['share']:+.2f}"
        lines.append(f"| {r['method']} | {r['selection']} | {r['seeds']} | {r['mean']:.4f} ± {r['sd']:.4f} | {share} |")
    return head + "\n".join(lines) + "\n"


def gap_report(tables: dict[str, dict[tuple[str, int], dict[str, float]]], ceiling: dict[str, float],
               metrics: dict[str, float] | None = None) -> str:
    """One ``gap_markdown`` table per metric of ``metrics`` ({metric: min_gap}; default PSNR with
    issue 18's 0.5 dB bar and SSIM with none), each headed by the input's mean (the ``none`` row)."""
    metrics = metrics or {"psnr": 0.5, "ssim": 0.0}
    first = next(iter(tables.values()))
    parts = []
    for metric, min_gap in metrics.items():
        rows = gap_rows(tables, ceiling, metric, min_gap)
        inputs = [v[metric] for (m, _), v in first.items() if m == "none"]
        lead = ""
        if inputs:  # the share of doing nothing: where the start harms, the input itself closes some
            gap = rows[0]["ceiling"] - rows[0]["start"]
            share = f", share {(inputs[0] - rows[0]['start']) / gap:+.2f}" if abs(gap) >= min_gap else ""
            lead = f"input {inputs[0]:.4f}{share}; "
        parts.append(lead + gap_markdown(rows, metric))
    return "\n".join(parts)


def gap_report_of_files(last_table: Path, tune_table: Path, ceiling_csv: Path) -> str:
    """``gap_report`` of compare's ``--select last`` and default table.csv files and the ceiling's
    ``evaluate --out`` CSV (the files ``scripts/gap_share.py`` and the rendered task-page table read)."""
    tables = {"last (no pairs)": read_compare_table(last_table),
              "best on tune pairs (oracle)": read_compare_table(tune_table)}
    return gap_report(tables, read_evaluate_means(ceiling_csv))
