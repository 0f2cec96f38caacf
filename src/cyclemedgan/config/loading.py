"""Configs in and out: YAML files, dotted ``--set`` overrides, and the JSON every checkpoint holds."""
from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path
from typing import Any, Literal

import yaml

from cyclemedgan.config.checks import validate
from cyclemedgan.config.migrate import MOVED, migrate
from cyclemedgan.config.schema import Config, ConfigError


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Convert a YAML / command-line value to the dataclass field type ``tp``."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"'{key}' must be a mapping, got {value!r}")
        return _build(tp, value, key + ".")
    if origin is tuple:
        if isinstance(value, str):
            value = yaml.safe_load(value if value.strip().startswith("[") else f"[{value}]")
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"'{key}' must be a list, got {value!r}")
        args = typing.get_args(tp)
        elem = args[0]
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, elem, key) for v in value)
        if len(value) != len(args):
            raise ConfigError(f"'{key}' needs {len(args)} values, got {list(value)}")
        return tuple(_coerce(v, a, key) for v, a in zip(value, args))
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ConfigError(f"'{key}' must be true or false, got {value!r}")
    if tp in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"'{key}' must be a number, got {value!r}")
        try:
            out = tp(value)
        except (TypeError, ValueError):
            raise ConfigError(f"'{key}' must be {tp.__name__}, got {value!r}") from None
        if tp is int and float(value) != out:
            raise ConfigError(f"'{key}' must be an integer, got {value!r}")
        return out
    if typing.get_origin(tp) is Literal:  # checked against its values by validate
        if all(type(a) is int for a in typing.get_args(tp)):  # e.g. data.motion.kspace_axis
            return int(value) if not isinstance(value, bool) and str(value).lstrip("-").isdigit() else str(value)
        if isinstance(value, bool):  # a YAML / JSON true or false, e.g. train.bf16 of older configs
            return "true" if value else "false"
        return str(value)
    if tp is str:
        if isinstance(value, bool):  # a YAML / JSON true or false, e.g. train.bf16 of older configs
            return "true" if value else "false"
        return str(value)
    raise ConfigError(f"unsupported type for '{key}'")  # pragma: no cover


def _build(cls: type, values: dict, prefix: str = ""):
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ConfigError(
            f"unknown config key '{prefix}{unknown[0]}'; valid keys here: {', '.join(names)}"
        )
    kwargs = {k: _coerce(v, hints[k], prefix + k) for k, v in values.items()}
    return cls(**kwargs)


def to_dict(cfg: Config) -> dict:
    return dataclasses.asdict(cfg)


def from_dict(values: dict) -> Config:
    """A config dict (YAML, JSON; older key names are moved first, ``migrate.py``) -> ``Config``."""
    return validate(_build(Config, migrate(values)))


def _set_dotted(tree: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = tree
    cls: Any = Config
    for i, k in enumerate(keys):
        hints = typing.get_type_hints(cls)
        if k not in hints:
            where = ".".join(keys[:i]) or "top level"
            raise ConfigError(
                f"unknown config key '{dotted}'; valid keys at {where}: {', '.join(hints)}"
            )
        if i == len(keys) - 1:
            node[k] = value
        else:
            cls = hints[k]
            if not dataclasses.is_dataclass(cls):
                raise ConfigError(f"'{'.'.join(keys[: i + 1])}' is not a section")
            node = node.setdefault(k, {})


def parse_overrides(pairs: list[str]) -> list[tuple[str, Any]]:
    out = []
    for p in pairs:
        if "=" not in p:
            raise ConfigError(f"override '{p}' must look like key=value (e.g. train.steps=100)")
        k, v = p.split("=", 1)
        out.append((k.strip(), yaml.safe_load(v) if v.strip() else ""))
    return out


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Read a YAML file into a ``Config``; ``overrides`` are ``section.key=value`` strings."""
    tree: dict = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        try:
            tree = yaml.safe_load(path.read_text())
        except yaml.YAMLError as e:
            raise ConfigError(f"{path} is not valid YAML: {str(e).splitlines()[0]}") from None
        if tree is None:  # an empty file must not silently mean "train on built-in defaults"
            raise ConfigError(f"{path} is empty; a config needs at least its data section")
        if not isinstance(tree, dict):
            raise ConfigError(f"{path} must hold a mapping of sections")
        tree = migrate(tree)  # before the overrides, so that one of a moved key replaces it
    for k, v in parse_overrides(overrides or []):
        _set_dotted(tree, MOVED.get(k, k), v)
    return from_dict(tree)


def replace(cfg: Config, **sections: dict) -> Config:
    """Return ``cfg`` with some fields of some sections changed, e.g. replace(cfg, train={...})."""
    tree = to_dict(cfg)
    for sec, vals in migrate(sections).items():
        if isinstance(vals, dict):
            tree[sec].update(vals)
        else:
            tree[sec] = vals
    return from_dict(tree)


def save_config(cfg: Config, path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_dict(cfg), indent=2))


def read_config_json(path: str | Path) -> Config:
    return from_dict(json.loads(Path(path).read_text()))
