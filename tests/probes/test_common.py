"""What the probes share: a run's generators, loaded; a role's source and target slices."""
import numpy as np
import torch

from cyclemedgan.config import replace
from cyclemedgan.data.slices import foreground_fraction


def test_load_generators_gives_the_saved_generators_in_eval_mode(tiny_config, tmp_path):
    from cyclemedgan.checkpoint import save_checkpoint
    from cyclemedgan.models import build_model
    from cyclemedgan.probes.common import load_generators

    torch.manual_seed(1)
    saved = build_model(tiny_config, inference=True)
    save_checkpoint(tmp_path / "run", tiny_config, saved.generator_nets(), {"step": 3})
    cfg, meta, model = load_generators(tmp_path / "run")
    assert cfg == tiny_config and meta["step"] == 3 and not model.training
    assert getattr(model, "extractor", None) is None  # inference: no feature extractor
    for name, net in model.generator_nets().items():
        ref = saved.generator_nets()[name].state_dict()
        assert all(torch.equal(v, ref[k]) for k, v in net.state_dict().items()), name


def test_subject_slices_keep_the_same_foreground_slices_of_source_and_target(tiny_config):
    from cyclemedgan.probes.common import subject_slices

    cfg = replace(tiny_config, data={"task": "folders", "source_pattern": "{subject}_T2.nii.gz"})
    xs, ys = subject_slices(cfg, role="val")
    assert len(xs) == len(ys) == 2  # S005, S006
    every, _ = subject_slices(replace(cfg, data={"min_foreground": 0.0}), role="val")
    for x, y, all_x in zip(xs, ys, every):
        assert x.shape == y.shape and x.shape[1:] == (1, 32, 32) and x.dtype == torch.float32
        assert np.all(foreground_fraction(x[:, 0].numpy()) >= cfg.data.min_foreground)
        assert 0 < len(x) < len(all_x)  # the empty slices were left out, of both
