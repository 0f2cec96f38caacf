"""Write the full ``--help`` of ``cyclemedgan`` and of each of its verbs into docs/cli.md.

The parser is the one the program uses (``cyclemedgan.cli``), imported, never copied; help is
formatted at a fixed width of 100 columns, so the page does not depend on the terminal. Only the
text between ``<!-- cli:begin -->`` and ``<!-- cli:end -->`` is replaced; the hand-written prose
around the markers stays.

    python scripts/make_cli_docs.py            # rewrite docs/cli.md
    python scripts/make_cli_docs.py --check    # exit 1 if docs/cli.md is not current
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

WIDTH = 100
BEGIN, END = "<!-- cli:begin -->", "<!-- cli:end -->"
DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def program_parser() -> argparse.ArgumentParser:
    """The parser ``cyclemedgan`` parses its arguments with."""
    from cyclemedgan import cli

    for name in ("build_parser", "parser", "_parser"):
        build = getattr(cli, name, None)
        if callable(build):
            return build()
    raise SystemExit("make_cli_docs: cyclemedgan.cli has no parser function (build_parser, parser or _parser)")


def _fixed_width(parser: argparse.ArgumentParser) -> None:
    """Format ``parser`` at WIDTH columns whatever the terminal (argparse reads $COLUMNS)."""
    parser.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=WIDTH, max_help_position=32)


def verbs(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """(name, subparser) of every verb, in the order ``--help`` lists them, each followed by its
    own verbs (``probe filters``, ...); aliases once."""
    out, seen = [], set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    out.append((name, sub))
                    out += [(f"{name} {inner}", s) for inner, s in verbs(sub)]
    return out


def generated() -> str:
    """The markdown between the markers: the program's help, then one section per verb."""
    os.environ["COLUMNS"] = str(WIDTH)
    parser = program_parser()
    _fixed_width(parser)
    parts = [f"### `{parser.prog}`", "", "```", parser.format_help().rstrip(), "```"]
    for name, sub in verbs(parser):
        _fixed_width(sub)
        parts += ["", f"### `{parser.prog} {name}`", "", "```", sub.format_help().rstrip(), "```"]
    return "\n".join(parts)


def render(page: str) -> str:
    """``page`` with the text between the markers replaced by ``generated()``."""
    if page.count(BEGIN) != 1 or page.count(END) != 1 or page.index(BEGIN) > page.index(END):
        raise SystemExit(f"make_cli_docs: {DOC} needs one {BEGIN} followed by one {END}")
    head, rest = page.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{generated()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/cli.md is not current; write nothing")
    args = ap.parse_args(argv)
    page = DOC.read_text(encoding="utf-8")
    new = render(page)
    if args.check:
        if new != page:
            print(f"{DOC} is not current: run python scripts/make_cli_docs.py", file=sys.stderr)
            return 1
        print(f"{DOC} is current")
        return 0
    if new != page:
        DOC.write_text(new, encoding="utf-8")
        print(f"wrote {DOC}")
    else:
        print(f"{DOC} already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
