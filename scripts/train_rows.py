"""Train rows of ``cyclemedgan compare`` side by side, each in its own process, exactly as compare
trains them (``method_config``, ``run_dir_of``): the same compare command then finds them trained
and only scores them.

    python scripts/train_rows.py --config configs/motion-ixi.yaml --set train.threads=1 \
        --methods cyclegan cyclemedgan --steps-per-method 1000 --seeds 0 1 --jobs 2 --out runs/compare
    cyclemedgan compare --config configs/motion-ixi.yaml --set train.threads=1 \
        --methods none pretrained cyclegan cyclemedgan --steps-per-method 1000 --seeds 0 1 --out runs/compare

compare itself trains one row after the other; this is for a machine with room for several (two
CPU cores at ``train.threads=1``, or one GPU: scripts/gpu/motion_runs.sh). Rows without training
(none, pretrained, bulk, three-class) are compare's alone. A row that fails is reported when it ends
(its log is OUT/<row>.log) and the others go on; the exit status is 1 if any failed, 2 for a
config that cannot be used (one line, before any row starts).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from cyclemedgan.compare import RECIPES, method_config, run_dir_of
from cyclemedgan.config import load_config, replace
from cyclemedgan.config.schema import ConfigError
from cyclemedgan.errors import UserError
from cyclemedgan.training.loop import train


def _train_one(a: argparse.Namespace, method: str, seed: int, first_seed: int) -> None:
    """Train one (method, seed) row into compare's run directory for it."""
    cfg = load_config(a.config, a.overrides)
    if a.steps_per_method is not None:
        cfg = replace(cfg, train={"steps": a.steps_per_method})
    train(method_config(cfg, method, seed), run_dir_of(Path(a.out), method, seed, first_seed), progress=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--methods", nargs="+", required=True, choices=sorted(RECIPES))
    ap.add_argument("--steps-per-method", type=int)
    ap.add_argument("--seeds", type=int, nargs="+", help="as compare's --seeds (default: train.seed)")
    ap.add_argument("--jobs", type=int, default=2, help="rows trained at once")
    ap.add_argument("--out", required=True)
    ap.add_argument("--one", nargs=3, type=int, metavar=("METHOD", "SEED", "FIRST_SEED"), help=argparse.SUPPRESS)
    a = ap.parse_known_args()[0] if "--one" in sys.argv else ap.parse_args()
    if a.one:  # a child: one row (the trainer's data workers need a process that may have children)
        _train_one(a, a.methods[a.one[0]], a.one[1], a.one[2])
        return 0
    try:  # a config that cannot be used fails here, once, not in every row
        seeds = a.seeds or [load_config(a.config, a.overrides).train.seed]
    except (ConfigError, UserError, OSError) as e:
        print(f"train_rows: error: {e}", file=sys.stderr)
        return 2
    todo = [(i, s) for s in seeds for i in range(len(a.methods))]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    running: dict[subprocess.Popen, Path] = {}
    failed = 0
    while todo or running:
        while todo and len(running) < a.jobs:
            i, s = todo.pop(0)
            run = run_dir_of(out, a.methods[i], s, seeds[0])
            log = (out / f"{run.name}.log").open("a")
            running[subprocess.Popen([sys.executable, *sys.argv, "--one", str(i), str(s), str(seeds[0])],
                                     stdout=log, stderr=subprocess.STDOUT)] = run
        time.sleep(1)
        for proc in [p for p in running if p.poll() is not None]:
            run = running.pop(proc)
            ok = proc.returncode == 0
            last = "" if ok else (out / f"{run.name}.log").read_text().strip().splitlines()[-1:]
            print(f"{run}: {'trained' if ok else 'failed: ' + ''.join(last)}", flush=True)
            failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
