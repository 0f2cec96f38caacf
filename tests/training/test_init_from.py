"""train.init_from: a run's generators start from those of another run (here a paired one)."""
import pytest
import torch

from cyclemedgan.checkpoint import read_run
from cyclemedgan.config import replace
from cyclemedgan.errors import UserError
from cyclemedgan.training.loop import train


def test_init_from_starts_g1_from_a_paired_run(tune_config, tmp_path, capsys):
    paired = train(replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0},
                           train={"tune_every": 0}), tmp_path / "p", progress=False)
    from cyclemedgan.models import build_model
    from cyclemedgan.checkpoint import load_weights
    from cyclemedgan.training.init_from import init_generators

    ref = build_model(read_run(paired)[0], inference=True).g1
    load_weights(paired, {"g1": ref})
    model = build_model(tune_config)
    assert init_generators(tune_config, paired, model.generator_nets()) == ["g1"]
    for a, b in zip(ref.state_dict().values(), model.g1.state_dict().values()):
        assert torch.equal(a, b)
    run = train(replace(tune_config, train={"init_from": str(paired), "steps": 1, "tune_every": 1}),
                tmp_path / "c", progress=False)
    assert read_run(run)[1]["done"]
    assert "start (" in capsys.readouterr().out  # the start is scored at step 0 and competes for best/
    assert read_run(run / "best")[1]["best_tune"]["step"] in (0, 1)
    other = replace(tune_config, model={"ngf": tune_config.model.ngf * 2})
    with pytest.raises(UserError, match="model.ngf"):
        init_generators(other, paired, build_model(other).generator_nets())
