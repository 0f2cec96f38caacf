"""Configs written before a key moved: their keys under the current names.

Older YAML files, dotted ``--set`` overrides and the ``config.json`` of every checkpoint (shipped
``weights/*`` included, never rewritten) held the paired-training settings under ``data`` and
``loss``; they are now the ``paired`` section. ``migrate`` moves them before the dataclasses are
built (``loading.py``), ``MOVED`` maps an old dotted override to its new key.
"""
from __future__ import annotations

from cyclemedgan.config.schema import ConfigError

# old dotted key -> new dotted key
MOVED = {
    "data.paired_from": "paired.pairs",
    "data.bulk_threshold": "paired.bulk_threshold",
    "data.simulated_draws": "paired.draws",
    "data.simulated_clean_pairs": "paired.clean_pairs",
    "loss.paired_g2": "paired.g2",
}


def migrate(raw: dict) -> dict:
    """A copy of the config dict ``raw`` (whole, or some sections of it) with every old key of
    ``MOVED`` under its new name; ``raw`` is left as it is. An old key beside its new one with a
    different value is a ``ConfigError``."""
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    for old, new in MOVED.items():
        (sec, key), (new_sec, new_key) = old.split("."), new.split(".")
        node = out.get(sec)
        if not isinstance(node, dict) or key not in node:
            continue
        value = node.pop(key)
        target = out.setdefault(new_sec, {})
        if not isinstance(target, dict):  # _build says it must be a mapping
            continue
        if new_key in target and target[new_key] != value:
            raise ConfigError(f"'{old}' (the old name of '{new}') is {value!r} but '{new}' is "
                              f"{target[new_key]!r}; keep only '{new}'")
        target[new_key] = value
    return out
