"""The on-disk slice store: the same slices as in-memory preparation, reused while its inputs are
unchanged, rebuilt when a volume changes, read back slice by slice."""
import os
from dataclasses import replace

import numpy as np
import torch

from cyclemedgan.data.paths import source_path

from cyclemedgan.data.pools import training_stores

from cyclemedgan.data.units import volume_slices, volume_window
from cyclemedgan.data.io import load_volume
from cyclemedgan.data.slices import foreground_fraction, with_context
from conftest import phantom, write_nifti


def test_store_matches_in_memory_slices_with_context(tiny_config, tmp_path):
    cfg = replace(tiny_config.data, task="folders", source_pattern="{subject}_T2.nii.gz", context_slices=2,
                  cache_dir=str(tmp_path))
    sx, sy = training_stores(cfg)
    assert set(sx.subjects) == {"S001", "S002"} and set(sy.subjects) == {"S003", "S004"}
    expected = []
    for s in ("S001", "S002"):  # what the in-memory pools held: each volume's kept slices with context
        v, img = load_volume(source_path(cfg, s))
        stack = volume_slices(v, img.affine, volume_window(cfg, "x", v), cfg)
        expected.append(with_context(stack, 2)[foreground_fraction(stack) >= cfg.min_foreground])
    expected = torch.from_numpy(np.concatenate(expected))
    assert torch.equal(sx.load_all(), expected)
    assert torch.equal(sx.fetch([3, 0, 3]), expected[[3, 0, 3]])
    assert sx.fetch([1]).shape == (1, 5, 32, 32) and sx.with_context(0).fetch([1]).shape == (1, 1, 32, 32)


def test_store_is_reused_and_rebuilt_when_a_volume_changes(tiny_config, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    for f in tiny_config.data.split_file, *[f"{tiny_config.data.root}/S00{n}_T1.nii.gz" for n in range(1, 7)]:
        os.symlink(f, root / os.path.basename(f))
    cfg = replace(tiny_config.data, root=str(root), split_file=str(root / "split.csv"), task="folders",
                  source_pattern="{subject}_T1.nii.gz", cache_dir=str(tmp_path / "cache"))
    a, _ = training_stores(cfg)
    mtime = (a.path.parent / "meta.json").stat().st_mtime_ns
    b, _ = training_stores(cfg)
    assert b.path == a.path and (b.path.parent / "meta.json").stat().st_mtime_ns == mtime  # not prepared again
    os.unlink(root / "S001_T1.nii.gz")
    write_nifti(root / "S001_T1.nii.gz", phantom(seed=99))  # an edited training volume
    c, _ = training_stores(cfg)
    assert c.path != a.path and not torch.equal(c.fetch([0]), a.fetch([0]))
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted({a.path.parent.name, c.path.parent.name})


def test_paired_store_aligns_source_and_target(tiny_config, tmp_path):
    # source = target file: a paired store holds the same slice at every index of both domains
    cfg = replace(tiny_config.data, task="folders", source_pattern="{subject}_T1.nii.gz", cache_dir=str(tmp_path))
    sx, sy = training_stores(cfg, paired=True)
    assert sx.subjects == sy.subjects and set(sx.subjects) == {"S001", "S002"}
    assert torch.equal(sx.load_all(), sy.load_all())
    ux, uy = training_stores(cfg)  # unpaired: Y from the train_y subjects instead
    assert set(uy.subjects) == {"S003", "S004"} and not torch.equal(ux.fetch([0]), uy.fetch([0]))
