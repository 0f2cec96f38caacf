"""Rules defined once: each test names the one place in src/ that holds a rule, and fails when a
copy of it appears elsewhere (a copy drifts: two output-window rules, three two-class maps and
two Fig. 3 drawings did before)."""
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cyclemedgan"


def _holders(pattern: str) -> set[str]:
    rx = re.compile(pattern)
    return {str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if rx.search(p.read_text())}


def test_the_two_class_ct_map_is_drawn_in_metrics_ct_only():
    # 0 HU in a body, -1000 HU elsewhere: metrics_ct.two_class
    assert _holders(r"np\.where\([^)]*0\.0,\s*-1000\.0") == {"metrics_ct.py"}


def test_the_output_window_rule_is_stated_in_data_units_only():
    # "input": the source's own window; else the target domain's: data.units.output_window
    assert _holders(r"output_window\s*==\s*\"input\"\s*else") == {"data/units.py"}
    assert _holders(r"def output_window\(") <= {"data/units.py", "translate.py"}  # translate's delegates


def test_fig3_is_drawn_in_one_place():
    # the comparison figure (rows of slices, one column per method), used by compare and demo
    holders = _holders(r"def comparison_figure\(|def _figure\(")
    assert len(holders) == 1 and next(iter(holders)).startswith("report"), holders
