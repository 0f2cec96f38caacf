"""What a run checks before it trains: its run directory holds its own config, its extractor saw no
validation subject, and its start did not learn the train_x targets that would score it."""
import json

import pytest

from cyclemedgan.config import ConfigError, replace, validate
from cyclemedgan.errors import UserError
from cyclemedgan.training.loop import train


def test_a_run_directory_is_reused_only_for_its_own_config(tiny_config, tiny_extractor, tmp_path):
    from cyclemedgan.errors import UserError

    cfg = replace(tiny_config, loss={"extractor": str(tiny_extractor)}, train={"steps": 1})
    train(cfg, tmp_path / "r", progress=False)
    with pytest.raises(UserError, match="another config .*lambda_cs"):
        train(replace(cfg, loss={"lambda_cs": 0.0}), tmp_path / "r", progress=False)


def test_extractor_that_saw_a_validation_subject_is_refused(tiny_config, tiny_extractor, tmp_path):
    import shutil

    from cyclemedgan.errors import UserError

    bad = tmp_path / "ext"
    shutil.copytree(tiny_extractor, bad)
    meta = json.loads((bad / "meta.json").read_text())
    assert meta["train_subjects"] == ["S001", "S002", "S003", "S004"]
    meta["train_subjects"].append("S005")
    (bad / "meta.json").write_text(json.dumps(meta))
    cfg = replace(tiny_config, loss={"extractor": str(bad)}, train={"steps": 1})
    with pytest.raises(UserError, match="validation subject"):
        train(cfg, tmp_path / "r", progress=False)
    assert not (tmp_path / "r").exists()


def test_train_x_is_refused_where_its_targets_were_learnt(tune_config, tmp_path):
    with pytest.raises(ConfigError, match="train_x's own targets"):
        validate(replace(tune_config, method="paired", train={"tune_roles": ("tune", "train_x")}))
    paired = train(replace(tune_config, method="paired", loss={"lambda_cp": 0.0, "lambda_cs": 0.0},
                           train={"tune_every": 0, "steps": 1}), tmp_path / "p", progress=False)
    cfg = replace(tune_config, train={"init_from": str(paired), "steps": 1, "tune_roles": ("tune", "train_x")})
    with pytest.raises(UserError, match="trained on the train_x subjects' own targets"):
        train(cfg, tmp_path / "r", progress=False)
