import pytest
from conftest import REPO

from cyclemedgan.config import Config, ConfigError, from_dict, load_config, replace, to_dict


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
])
def test_bad_overrides_name_the_problem(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(REPO / "configs/motion-ixi.yaml", [override])


def test_unknown_yaml_key_lists_valid_keys(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("model: {ngff: 3}\n")
    with pytest.raises(ConfigError, match="valid keys here: in_channels, ngf"):
        load_config(p)


def test_defaults_are_frozen():
    cfg = Config()
    with pytest.raises(Exception):
        cfg.train.steps = 3  # type: ignore[misc]


def _literal_fields(cls=None, prefix=""):
    import dataclasses
    import typing

    from cyclemedgan.config import Config

    cls = cls or Config
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            yield from _literal_fields(tp, f"{prefix}{f.name}.")
        elif typing.get_origin(tp) is typing.Literal:
            yield f"{prefix}{f.name}", typing.get_args(tp)


LITERALS = list(_literal_fields())


@pytest.mark.parametrize("field, valid", LITERALS, ids=[f for f, _ in LITERALS])
def test_every_choice_field_refuses_a_bad_value_naming_the_valid_ones(field, valid):
    with pytest.raises(ConfigError, match=f"{field} is 'nonsense'; valid: {', '.join(valid)}"):
        load_config(REPO / "configs/motion-ixi.yaml", [f"{field}=nonsense"])
    assert len(LITERALS) >= 16  # every field that takes one of a few words declares them


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
