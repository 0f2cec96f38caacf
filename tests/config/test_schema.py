import pytest

from cyclemedgan.config import Config


def test_defaults_are_frozen():
    cfg = Config()
    with pytest.raises(Exception):
        cfg.train.steps = 3  # type: ignore[misc]


# each module-level list of valid values in src/ and the config field whose Literal declares it
CHOICE_LISTS = [
    ("cyclemedgan.losses.adversarial", "GAN_MODES", "ModelConfig", "gan_mode"),
    ("cyclemedgan.models.cyclegan", "GENERATORS", "ModelConfig", "generator"),
    ("cyclemedgan.models", "METHODS", "Config", "method"),
    ("cyclemedgan.data.paths", "TASKS", "DataConfig", "task"),
    ("cyclemedgan.networks.patch_discriminator", "NORMS", "ModelConfig", "d_norm"),
    ("cyclemedgan.networks.resnet_generator", "UPSAMPLES", "ModelConfig", "upsample"),
    ("cyclemedgan.data.units", "WINDOW_KINDS", "DataConfig", "window_x"),
    ("cyclemedgan.data.units", "WINDOW_KINDS", "DataConfig", "window_y"),
    ("cyclemedgan.data.units", "BACKGROUNDS", "DataConfig", "background"),
    ("cyclemedgan.data.slices", "FIT_MODES", "DataConfig", "fit_mode"),
    ("cyclemedgan.evaluate", "KINDS", "DataConfig", "evaluation"),
]


@pytest.mark.parametrize("module, name, section, field", CHOICE_LISTS,
                         ids=[f"{c[1]}-{c[3]}" for c in CHOICE_LISTS])
def test_each_list_of_choices_is_the_literal_of_its_config_field(module, name, section, field):
    import importlib
    import typing

    from cyclemedgan.config import schema

    hints = typing.get_type_hints(getattr(schema, section))
    assert getattr(importlib.import_module(module), name) == typing.get_args(hints[field])


def test_choices_reads_a_literal_field_and_refuses_any_other():
    from cyclemedgan.config import DataConfig, ModelConfig, choices

    assert choices(ModelConfig, "gan_mode") == ("lsgan", "vanilla")
    assert choices(DataConfig, "fit_mode") == ("pad_crop", "resize")
    with pytest.raises(TypeError, match="ModelConfig.ngf is not a Literal"):
        choices(ModelConfig, "ngf")
