"""What validate checks beyond types: every choice field names its valid values, tune roles, intervals."""
import pytest
from conftest import REPO

from cyclemedgan.config import ConfigError, load_config, replace, validate


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
    with pytest.raises(ConfigError, match=f"{field} is 'nonsense'; valid: {', '.join(map(str, valid))}"):
        load_config(REPO / "configs/motion-ixi.yaml", [f"{field}=nonsense"])
    assert len(LITERALS) >= 16  # every field that takes one of a few words declares them


@pytest.mark.parametrize("roles", [("val",), ("train_y",), ("tune", "tune"), ()])
def test_tune_roles_never_score_validation_or_trained_targets(tune_config, roles):
    with pytest.raises(ConfigError, match="tune_roles"):
        validate(replace(tune_config, train={"tune_roles": roles}))


@pytest.mark.parametrize("field", ["log_every", "sample_every", "checkpoint_every"])
def test_a_zero_interval_is_refused_before_training(field):
    """Steps between logs, samples and checkpoints: 0 was a ZeroDivisionError at step 1."""
    with pytest.raises(ConfigError, match="train.log_every, sample_every and checkpoint_every must be positive"):
        load_config(REPO / "configs/motion-ixi.yaml", [f"train.{field}=0"])
