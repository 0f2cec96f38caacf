"""Checkpoints: a real kill -9, once after a checkpoint and once in the middle of writing one: the
run resumes to exactly the weights of an uninterrupted run, and an interrupted write is recovered;
a mismatched or corrupt training state is refused."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from safetensors.torch import load_file

from cyclemedgan.config import replace, to_dict
from cyclemedgan.errors import UserError
from cyclemedgan.checkpoint import COMMIT, PAUSE_ENV, load_state, read_run, recover
from cyclemedgan.training.loop import train


STEPS = 10


def _start(config_path, run_dir, pause: float) -> subprocess.Popen:
    env = {**os.environ, PAUSE_ENV: str(pause)}
    return subprocess.Popen([sys.executable, "-m", "cyclemedgan.cli", "train", "--config", str(config_path),
                             "--out", str(run_dir), "--no-progress"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 180.0) -> None:
    t0 = time.time()
    while not ready():
        assert proc.poll() is None, "training ended before it could be killed"
        assert time.time() - t0 < timeout, "timed out waiting to kill"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _step(run_dir) -> int:
    try:
        return json.loads((run_dir / "meta.json").read_text())["step"]
    except (OSError, ValueError, KeyError):
        return -1


def test_kill_9_mid_write_and_after_a_checkpoint_resumes_bit_identical(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": STEPS, "checkpoint_every": 2, "pool_size": 3, "log_every": 1,
                         "sample_every": 100})
    config_path = tmp_path / "run.yaml"
    config_path.write_text(json.dumps(to_dict(cfg)))
    whole = train(cfg, tmp_path / "whole", progress=False)

    run = tmp_path / "killed"
    # 1) killed in the middle of its first checkpoint write (renames paused 0.5 s each)
    proc = _start(config_path, run, pause=0.5)
    _kill_when(proc, lambda: (run / COMMIT).is_file() and (run / "model.safetensors").is_file())
    assert (run / COMMIT).is_file()  # the write was cut short
    # 2) resumed in a new process, killed again once a later checkpoint is complete
    proc = _start(config_path, run, pause=0.1)  # slowed a little, so a fast machine cannot finish first
    _kill_when(proc, lambda: _step(run) >= 4 and not (run / COMMIT).is_file())
    assert not json.loads((run / "meta.json").read_text())["done"]
    # 3) resumed here to the end
    train(cfg, run, progress=False)
    assert _step(run) == STEPS
    a, b = load_file(str(whole / "model.safetensors")), load_file(str(run / "model.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k  # bit-identical on the CPU


def test_an_unfinished_write_is_discarded_and_a_mismatched_state_refused(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": 4, "checkpoint_every": 2, "sample_every": 100})
    run = train(cfg, tmp_path / "r", progress=False, stop_at=2)
    (run / "model.safetensors.tmp").write_bytes(b"half a file")  # killed before the commit record
    recover(run)
    assert not list(run.glob("*.tmp")) and read_run(run)[1]["step"] == 2
    state = load_state(run)
    torch.save({**state, "step": 1}, run / "training_state.pt")  # from another checkpoint
    with pytest.raises(UserError, match="inconsistent"):
        load_state(run)


def test_a_corrupt_training_state_is_refused(tiny_config, tiny_extractor, tmp_path):
    from cyclemedgan.errors import UserError

    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 4})
    run = train(cfg, tmp_path / "r", progress=False, stop_at=2)
    state = run / "training_state.pt"
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    with pytest.raises(UserError, match="unreadable training state"):
        train(cfg, run, progress=False)
