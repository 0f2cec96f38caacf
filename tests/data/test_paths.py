"""Where a subject's volumes are: the folders task's patterns, the motion cache key."""
from dataclasses import replace

import numpy as np
import pytest
from conftest import phantom, write_nifti

from cyclemedgan.config import DataConfig, MotionConfig
from cyclemedgan.data.paths import motion_cache_dir, optional_path, source_path, target_path
from cyclemedgan.errors import UserError


def test_folders_task_finds_each_domain_by_its_pattern_under_root(tmp_path):
    for pattern in ("{subject}_pet.nii.gz", "{subject}_ct.nii.gz"):
        write_nifti(tmp_path / pattern.format(subject="P1"), phantom((8, 8, 4)))
    cfg = DataConfig(task="folders", root=str(tmp_path), file_pattern="{subject}_ct.nii.gz",
                     source_pattern="{subject}_pet.nii.gz")
    assert source_path(cfg, "P1") == tmp_path / "P1_pet.nii.gz"
    assert target_path(cfg, "P1") == tmp_path / "P1_ct.nii.gz"
    assert optional_path(cfg, "", "P1") is None  # no mask pattern: no mask
    with pytest.raises(UserError, match="domain X volume of subject P2 not found"):
        source_path(cfg, "P2")
    with pytest.raises(UserError, match="file of subject P1 not found"):
        optional_path(cfg, "{subject}_mask.nii.gz", "P1")
    with pytest.raises(UserError, match="needs data.source_pattern"):
        source_path(replace(cfg, source_pattern=""), "P1")
    with pytest.raises(UserError, match="unknown data.task 'nope'; valid: motion, folders"):
        target_path(replace(cfg, task="nope"), "P1")


def test_the_motion_cache_is_keyed_by_the_simulation_not_by_the_bank():
    cfg = DataConfig(cache_dir="c", motion=MotionConfig(seed=1))
    key = motion_cache_dir(cfg)
    assert key.parent.name == "c" and key.name.startswith("motion-")
    assert motion_cache_dir(replace(cfg, motion=MotionConfig(seed=1, bank_events=(2, 3)))) == key
    assert motion_cache_dir(replace(cfg, motion=MotionConfig(seed=2))) != key
    assert motion_cache_dir(replace(cfg, file_pattern="{subject}_T2.nii.gz")) != key
    assert motion_cache_dir(replace(cfg, root="elsewhere")) == key  # same files elsewhere: same cache
