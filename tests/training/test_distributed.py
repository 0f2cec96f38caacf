"""torchrun with 2 CPU processes (gloo): both ranks end with the same weights, equal to a single
process trained on the same global batches; resume works on the same number of ranks only."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from cyclemedgan.config import replace, to_dict
from cyclemedgan.errors import UserError
from cyclemedgan.training.loop import train

from conftest import net_outputs

# The two ranks' mean gradients, averaged by DDP, equal the single process's batch-mean gradient
# up to float32 summation order. Weights are compared through what the networks compute: a conv
# bias just before an instance norm has a gradient of exactly zero in exact arithmetic, so its
# float noise (1e-8), normalised by Adam, moves that bias by up to lr per step in either run
# without changing any output. Tolerance on the outputs of G1, G2, D1 and D2 for fixed inputs:
ATOL = 2e-5  # measured: 2.9e-6 (4 steps moved the outputs by 0.19)


def test_two_gloo_ranks_match_one_process_on_the_same_global_batch(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": 4, "batch_size": 4, "pool_size": 0, "checkpoint_every": 100,
                         "sample_every": 100, "log_every": 2, "workers": 0, "threads": 1})
    config = tmp_path / "cfg.json"
    config.write_text(json.dumps(to_dict(cfg)))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                           "--master_port", "29533", str(Path(__file__).with_name("ddp_run.py")), str(config),
                           str(tmp_path)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]

    meta = json.loads((tmp_path / "a" / "meta.json").read_text())
    assert meta["world_size"] == 2 and meta["step"] == 4
    digests = meta["weights_sha1_per_rank"]
    assert len(digests) == 2 and digests[0] == digests[1]  # DDP kept the ranks' weights identical

    single = train(cfg, tmp_path / "single", progress=False)
    init = train(replace(cfg, train={"steps": 1, "lr": 1e-12}), tmp_path / "init", progress=False)
    a, s, i = (net_outputs(cfg, p) for p in (tmp_path / "a", single, init))
    moved = max((s[k] - i[k]).abs().max().item() for k in s)
    diff = max((a[k] - s[k]).abs().max().item() for k in s)
    print(f"DDP vs single process: max output difference {diff:.2e}, the 4 steps moved outputs by {moved:.2e}")
    assert moved > 1000 * ATOL and diff < ATOL, (diff, moved)

    a, b = (load_file(str(p / "model.safetensors")) for p in (tmp_path / "a", tmp_path / "b"))
    assert all(torch.equal(a[k], b[k]) for k in a)  # stopped and resumed on 2 ranks: bit-identical
    with pytest.raises(UserError, match="nproc_per_node 2"):
        train(cfg, tmp_path / "c", progress=False)  # a 2-rank run does not resume on 1 process
