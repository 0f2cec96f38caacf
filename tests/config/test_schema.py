import pytest

from cyclemedgan.config import Config


def test_defaults_are_frozen():
    cfg = Config()
    with pytest.raises(Exception):
        cfg.train.steps = 3  # type: ignore[misc]
