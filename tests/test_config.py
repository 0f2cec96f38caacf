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


# the keys of the paired section before it existed (config/migrate.py)
OLD_PAIRED = {("data", "paired_from"): "pairs", ("data", "bulk_threshold"): "bulk_threshold",
              ("data", "simulated_draws"): "draws", ("data", "simulated_clean_pairs"): "clean_pairs",
              ("loss", "paired_g2"): "g2"}


@pytest.mark.parametrize("folder", sorted(p.parent.name for p in (REPO / "weights").glob("*/config.json")))
def test_shipped_config_json_keeps_its_paired_settings_under_the_new_names(folder):
    """Each shipped config.json (old keys under data / loss) loads with the same values in
    ``paired``, and is not rewritten."""
    import json

    from cyclemedgan.config import PairedConfig, read_config_json

    path = REPO / "weights" / folder / "config.json"
    text = path.read_text()
    raw = json.loads(text)
    cfg = read_config_json(path)
    for (sec, old), new in OLD_PAIRED.items():
        assert getattr(cfg.paired, new) == raw[sec].get(old, getattr(PairedConfig(), new)), (sec, old)
        assert old not in to_dict(cfg)[sec]
    assert path.read_text() == text


def test_old_paired_keys_in_yaml_give_the_same_config_as_the_new_section(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text("method: paired\ndata: {paired_from: train_y, simulated_draws: 3, simulated_clean_pairs: true,"
                   " bulk_threshold: 0.5}\nloss: {lambda_cp: 0.0, lambda_cs: 0.0, paired_g2: true}\n")
    new.write_text("method: paired\nloss: {lambda_cp: 0.0, lambda_cs: 0.0}\n"
                   "paired: {pairs: train_y, draws: 3, clean_pairs: true, bulk_threshold: 0.5, g2: true}\n")
    cfg = load_config(new)
    assert load_config(old) == cfg and cfg.paired.draws == 3 and cfg.paired.g2
    # an old dotted override still works, and one on either name replaces the file's value
    assert load_config(new, ["data.simulated_draws=5"]).paired.draws == 5
    assert load_config(old, ["paired.draws=5"]).paired.draws == 5
    assert load_config(old, ["loss.paired_g2=false"]) == replace(cfg, paired={"g2": False})
    d = to_dict(cfg)
    assert d["paired"]["pairs"] == "train_y" and "paired_from" not in d["data"] and "paired_g2" not in d["loss"]


def test_an_old_paired_key_beside_its_new_one_must_agree(tmp_path):
    from cyclemedgan.config import migrate

    p = tmp_path / "c.yaml"
    p.write_text("data: {paired_from: train_y}\npaired: {pairs: train_x}\n")
    with pytest.raises(ConfigError, match="'data.paired_from' .*'paired.pairs'") as e:
        load_config(p)
    assert "\n" not in str(e.value)
    with pytest.raises(ConfigError, match="paired.draws"):
        from_dict({"data": {"simulated_draws": 2}, "paired": {"draws": 3}})
    raw = {"data": {"paired_from": "train_y"}, "paired": {"pairs": "train_y"}}  # the same value: fine
    assert migrate(raw) == {"data": {}, "paired": {"pairs": "train_y"}}
    assert raw == {"data": {"paired_from": "train_y"}, "paired": {"pairs": "train_y"}}  # left as it was


def test_a_saved_config_holds_the_paired_section(tmp_path):
    import json

    from cyclemedgan.config import read_config_json, save_config

    cfg = load_config(REPO / "configs/motion-ixi-sim.yaml")
    save_config(cfg, tmp_path / "config.json")
    raw = json.loads((tmp_path / "config.json").read_text())
    assert raw["paired"] == {"pairs": "train_y", "bulk_threshold": 0.02, "draws": 16, "clean_pairs": False, "g2": True}
    assert not {old for sec, old in OLD_PAIRED} & (set(raw["data"]) | set(raw["loss"]))
    assert read_config_json(tmp_path / "config.json") == cfg
