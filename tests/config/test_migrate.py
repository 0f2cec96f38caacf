"""The keys of older configs (the paired settings under data / loss) under their current names."""
import pytest
from conftest import OLD_PAIRED, REPO

from cyclemedgan.config import ConfigError, from_dict, load_config, replace, to_dict


@pytest.mark.parametrize("folder", sorted(p.parent.name for p in (REPO / "weights").glob("*/config.json")))
def test_shipped_config_json_keeps_its_paired_settings_under_the_new_names(folder):
    """Each shipped config.json loads with the values of its old keys under data / loss (or, where it
    was written after the move, of its own ``paired`` section) in ``paired``, and is not rewritten."""
    import json

    from cyclemedgan.config import PairedConfig, read_config_json

    path = REPO / "weights" / folder / "config.json"
    text = path.read_text()
    raw = json.loads(text)
    cfg = read_config_json(path)
    for (sec, old), new in OLD_PAIRED.items():
        want = raw["paired"][new] if "paired" in raw else raw[sec].get(old, getattr(PairedConfig(), new))
        assert getattr(cfg.paired, new) == want, (sec, old)
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
