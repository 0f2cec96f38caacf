"""Typed configuration: frozen dataclasses filled from YAML, with dotted ``--set`` overrides.

Every section is passed explicitly to the code that needs it (``DataConfig`` to the data
pipeline, ``ModelConfig`` to the networks, ...). The whole ``Config`` is written as JSON into
every checkpoint, so ``translate`` needs nothing but the run directory. ``schema.py`` holds the
sections and their fields, ``checks.py`` what is checked at load, ``loading.py`` YAML, overrides
and JSON, ``migrate.py`` the keys of older configs under their current names.
"""
from cyclemedgan.config.checks import learns_train_x_targets, validate
from cyclemedgan.config.loading import (from_dict, load_config, parse_overrides, read_config_json, replace,
                                        save_config, to_dict)
from cyclemedgan.config.migrate import migrate
from cyclemedgan.config.schema import (Config, ConfigError, DataConfig, ExtractorConfig, LossConfig, ModelConfig,
                                       MotionConfig, PairedConfig, TrainConfig, UNITLossConfig, choices)

__all__ = ["Config", "ConfigError", "DataConfig", "ExtractorConfig", "LossConfig", "ModelConfig", "MotionConfig",
           "PairedConfig", "TrainConfig", "UNITLossConfig", "choices", "from_dict", "learns_train_x_targets",
           "load_config", "migrate", "parse_overrides", "read_config_json", "replace", "save_config", "to_dict",
           "validate"]
