"""Run under torchrun by test_distributed.py (not a test itself): CONFIG_JSON OUT_DIR.

OUT/a: the command line's train verb, 4 steps on every rank; OUT/b: the same run stopped after
step 2 and resumed (on the same ranks); OUT/c: stopped after step 2 and left unfinished."""
import json
import sys
from pathlib import Path

from cyclemedgan.cli import run
from cyclemedgan.config import from_dict
from cyclemedgan.training.loop import train

config, out = sys.argv[1], Path(sys.argv[2])
run(["train", "--config", config, "--out", str(out / "a"), "--no-progress"])
cfg = from_dict(json.loads(Path(config).read_text()))
train(cfg, out / "b", progress=False, stop_at=2)
train(cfg, out / "b", progress=False)
train(cfg, out / "c", progress=False, stop_at=2)
