"""The README stays a short guide, the docs pages say what they hold, docs/cli.md is current and
no relative link in README.md or docs/ points at a missing file. Fast: reads text, trains nothing."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = ["docs/method.md", "docs/tasks/motion.md", "docs/tasks/brats.md", "docs/tasks/pet2ct.md",
         "docs/scale.md", "docs/speed.md", "docs/cli.md", "docs/experiments.md"]
OPENING = "What this page holds"
MAX_LINES, MAX_PROSE_WORDS = 250, 1500

FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"`+[^`]*`+")


def unfenced_lines(text: str) -> list[str]:
    """Lines outside fenced code blocks (the fences themselves left out)."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            out.append(line)
    return out


def prose_lines(text: str) -> list[str]:
    """Lines outside fenced code blocks and outside table rows."""
    return [line for line in unfenced_lines(text) if not line.lstrip().startswith("|")]


def relative_links(text: str) -> list[str]:
    """Targets of markdown links outside code, without http(s)/mailto links or pure anchors."""
    targets = []
    for line in prose_lines(text) + [l for l in text.splitlines() if l.lstrip().startswith("|")]:
        for target in LINK.findall(CODE_SPAN.sub("", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
                continue
            targets.append(target.split("#", 1)[0])
    return targets


def test_prose_counting_rules():
    text = "# T\n\nsome prose here\n\n```bash\nnot counted at all\n```\n| not | counted |\nend\n"
    words = sum(len(l.split()) for l in prose_lines(text))
    assert words == 2 + 3 + 1


def test_readme_is_short():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    words = sum(len(line.split()) for line in prose_lines(text))
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines (limit {MAX_LINES})"
    assert words <= MAX_PROSE_WORDS, f"README.md has {words} words of prose (limit {MAX_PROSE_WORDS})"


@pytest.mark.parametrize("task", ["motion", "petct"])
def test_readme_has_the_two_commands_and_a_marked_table_per_task(task):
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    begin, end = text.find(f"<!-- results:{task} -->"), text.find(f"<!-- /results:{task} -->")
    assert 0 <= begin < end, f"the {task} results table needs its two marker comments"
    assert "| method |" in text[begin:end]


def test_readme_results_hold_no_table_typed_by_hand():
    import re

    results = README.read_text(encoding="utf-8").split("## Results", 1)[1].split("\n## ", 1)[0]
    typed = re.sub(r"<!-- results:(\w+) -->.*?<!-- /results:\1 -->", "", results, flags=re.S)
    assert not [line for line in typed.splitlines() if line.startswith("|")], "a table outside the rendered blocks"


@pytest.mark.parametrize("page", PAGES)
def test_page_says_what_it_holds(page):
    path = ROOT / page
    assert path.is_file(), f"{page} is missing"
    first = next(l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#"))
    assert first.startswith(OPENING), f"{page}: first paragraph should start with {OPENING!r}, starts {first[:60]!r}"


def test_cli_page_is_current():
    script = ROOT / "scripts" / "make_cli_docs.py"
    r = subprocess.run([sys.executable, str(script), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_link_finder():
    text = "see [a](docs/a.md#x), [b](https://x.org), [c](#here), `[d](not/a/link.md)`, ![f](img/f.png)\n"
    assert relative_links(text) == ["docs/a.md", "img/f.png"]


def test_relative_links_point_to_files():
    files = [README] + sorted((ROOT / "docs").rglob("*.md"))
    missing = []
    for f in files:
        for target in relative_links(f.read_text(encoding="utf-8")):
            if target and not (f.parent / target).exists():
                missing.append(f"{f.relative_to(ROOT)}: {target}")
    assert not missing, "broken relative links:\n" + "\n".join(missing)


def _results_tables_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_results_tables", ROOT / "scripts" / "make_results_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_results_tables_are_rendered_from_the_committed_results():
    import subprocess
    import sys

    script = _results_tables_script()
    pages = {page: page.read_text(encoding="utf-8") for page in script.PAGES if page.is_file()}
    for name in script.TABLES:  # every table has its markers somewhere, so --check below sees it
        assert any(f"<!-- results:{name} -->" in text and f"<!-- /results:{name} -->" in text
                   for text in pages.values()), f"no page holds the {name} results table"
    for page in sorted((ROOT / "docs" / "tasks").glob("*.md")):  # and --check reads every task page
        assert page in pages, f"{page.relative_to(ROOT)} is not in make_results_tables.PAGES"
    r = subprocess.run([sys.executable, "scripts/make_results_tables.py", "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


RENDERED = re.compile(r"<!-- results:([\w-]+) -->.*?<!-- /results:\1 -->", re.S)
METRIC = re.compile(r"\b(ssim|psnr|mae|dice|vif|lpips|score)", re.I)
# a table of results by row: its first column names methods, subjects, patients, images or runs
BY_ROW = re.compile(r"^\s*\|?\s*(method|subject|patient|image|run|name|fold)s?\s*\|", re.I)
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def table_headers(text: str) -> list[str]:
    """The header row of every markdown table outside fenced code (the line above a |---| rule)."""
    lines = unfenced_lines(text)
    return [head for head, rule in zip(lines, lines[1:])
            if "|" in head and "|" in rule and TABLE_RULE.match(rule)]


def test_table_header_finder():
    text = ("| method | SSIM ↑ |\n|---|---|\n| a | 1 |\n\n```\n| x | MAE |\n|---|---|\n```\n"
            "<!-- results:m-s -->\n| subject | PSNR |\n|---|---|\n<!-- /results:m-s -->\n"
            "| key | value |\n|:---|---:|\n")
    assert table_headers(text) == ["| method | SSIM ↑ |", "| subject | PSNR |", "| key | value |"]
    assert table_headers(RENDERED.sub("", text)) == ["| method | SSIM ↑ |", "| key | value |"]
    assert [bool(METRIC.search(h)) for h in table_headers(text)] == [True, True, False]
    assert not METRIC.search("| indices | ablation |") and METRIC.search("| MAE bone | bone Dice |")
    assert BY_ROW.match("| subject | Cycle-MedGAN |") and BY_ROW.match("| image | pat0003 whole |")
    assert not BY_ROW.match("| key | value |") and not BY_ROW.match("| what | licence |")


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "docs" / "tasks").glob("*.md")))
def test_task_pages_hold_no_results_table_typed_by_hand(page):
    """A task page's results tables are rendered from committed results files
    (scripts/make_results_tables.py); tables of settings or options may stay."""
    typed = RENDERED.sub("", (ROOT / "docs" / "tasks" / page).read_text(encoding="utf-8"))
    metric_tables = [head for head in table_headers(typed) if METRIC.search(head) or BY_ROW.match(head)]
    assert not metric_tables, f"docs/tasks/{page}: results tables typed by hand: {metric_tables}"


def test_a_table_of_several_results_files_takes_the_later_files_named_rows_only(tmp_path):
    script = _results_tables_script()
    head = "method,seed,n,mae_mean,mae_std\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(head + "bulk,0,8,107.8,14.8\npretrained,0,8,99.5,19.1\n")
    b.write_text(head + "bulk,0,8,107.8,14.8\npretrained,0,8,102.8,30.5\n")
    text = script.render([a, b], [{"pretrained": "shipped"}, {"pretrained": "simulated"}], ["mae"])
    rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1:] == [script.NAMES["bulk"], "shipped", "simulated"]  # the later bulk row is not repeated
    assert "102.80" in text and text.count("107.80") == 1
    b.write_text(head + "pretrained,0,4,102.8,30.5\n")
    with pytest.raises(SystemExit, match="4 subjects"):
        script.render([a, b], [{}, {"pretrained": "simulated"}], ["mae"])
