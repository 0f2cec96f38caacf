"""train.channels_last and train.fused_adam change how the step runs, not what it computes."""
import json


from cyclemedgan.config import replace
from cyclemedgan.training.trainer import train

from conftest import net_outputs


def test_channels_last_and_fused_adam_train_the_same_networks(tiny_config, tiny_extractor, tmp_path):
    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)},
                  train={"steps": 3, "sample_every": 100, "checkpoint_every": 100, "workers": 0})
    runs = {name: train(replace(cfg, train=opts), tmp_path / name, progress=False)
            for name, opts in {"plain": {}, "cl": {"channels_last": True, "fused_adam": True},
                               "seed": {"seed": 1}}.items()}
    out = {name: net_outputs(cfg, run) for name, run in runs.items()}
    diff = lambda a, b: max((out[a][k] - out[b][k]).abs().max().item() for k in out[a])  # noqa: E731
    assert diff("plain", "cl") < 1e-4
    assert diff("plain", "seed") > 1e-2  # the comparison can fail: another seed trains other networks
    train_cfg = json.loads((runs["cl"] / "config.json").read_text())["train"]
    assert train_cfg["channels_last"] is True and train_cfg["fused_adam"] is True
