"""Configs in and out: YAML files with dotted overrides, dicts, and the config.json of checkpoints
(shipped ones and those of older versions)."""
import pytest
from conftest import OLD_PAIRED, REPO

from cyclemedgan.config import ConfigError, from_dict, load_config, replace, to_dict


def test_motion_config_loads_with_overrides():
    cfg = load_config(REPO / "configs/motion-ixi.yaml", ["train.steps=7", "loss.layer_weights_cp=[1,0,0,2]"])
    assert cfg.train.steps == 7
    assert cfg.loss.layer_weights_cp == (1.0, 0.0, 0.0, 2.0)
    assert cfg.data.image_size == 128


def test_round_trip_through_dict():
    cfg = load_config(REPO / "configs/motion-ixi.yaml")
    assert from_dict(to_dict(cfg)) == cfg
    assert replace(cfg, train={"steps": 3}).train.steps == 3


@pytest.mark.parametrize("override, message", [
    ("train.stepz=3", "unknown config key 'train.stepz'"),
    ("nosection.a=1", "unknown config key 'nosection.a'"),
    ("train.steps=abc", "must be int"),
    ("train.steps=2.5", "must be an integer"),
    ("train.bf16=maybe", "train.bf16 is 'maybe'; valid: auto, true, false"),
    ("train.steps", "key=value"),
    ("model.gan_mode=wgan", "model.gan_mode is 'wgan'; valid: lsgan, vanilla"),
    ("data.output_window=target", "valid: input, domain"),
    ("data.image_size=130", "multiple of 4"),
    ("method=pix2pix", "valid: cyclemedgan, cyclegan, unit"),
    ("train.steps=0", "positive"),
    ("loss.layer_weights_cp=[1,1]", "one weight per extractor layer"),
    ("data.source_scale=[0.9,1.1]", "not data.task motion"),
    ("data.source_scale=[1.1,0.9]", "0 < a <= b"),
])
def test_bad_overrides_name_the_problem(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(REPO / "configs/motion-ixi.yaml", [override])


def test_unknown_yaml_key_lists_valid_keys(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("model: {ngff: 3}\n")
    with pytest.raises(ConfigError, match="valid keys here: in_channels, ngf"):
        load_config(p)


def test_every_shipped_checkpoint_config_still_loads():
    from cyclemedgan.checkpoint import read_run

    for folder in sorted((REPO / "weights").iterdir()):
        if (folder / "config.json").is_file():
            cfg, _ = read_run(folder)
            assert cfg.name, folder


@pytest.mark.parametrize("folder", sorted(p.parent.name for p in (REPO / "weights").glob("*/config.json")))
def test_every_shipped_config_json_still_loads(folder):
    """config.json files written by older versions (e.g. train.bf16 as a boolean) load and validate."""
    from cyclemedgan.config import read_config_json, to_dict

    cfg = read_config_json(REPO / "weights" / folder / "config.json")
    assert to_dict(cfg)["data"]["image_size"] > 0


def test_a_saved_config_holds_the_paired_section(tmp_path):
    import json

    from cyclemedgan.config import read_config_json, save_config

    cfg = load_config(REPO / "configs/motion-ixi-sim.yaml")
    save_config(cfg, tmp_path / "config.json")
    raw = json.loads((tmp_path / "config.json").read_text())
    assert raw["paired"] == {"pairs": "train_y", "bulk_threshold": 0.02, "draws": 16, "sim_seed": 0, "sim_bone": "soft", "clean_pairs": False,
                            "g2": False,
                            "target_weight": 1.0, "weight_above": 250.0, "ssim_weight": 0.0}
    assert not {old for sec, old in OLD_PAIRED} & (set(raw["data"]) | set(raw["loss"]))
    assert read_config_json(tmp_path / "config.json") == cfg


def test_older_configs_with_a_boolean_still_load():
    assert load_config("configs/tiny.yaml", ["train.bf16=true"]).train.bf16 == "true"
    cfg = load_config("configs/tiny.yaml")
    from cyclemedgan.config import from_dict, to_dict

    old = to_dict(cfg)
    old["train"]["bf16"] = False  # as config.json files written before "auto" hold it
    assert from_dict(old).train.bf16 == "false"
