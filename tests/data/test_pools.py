"""Training slice pools: no slice of a validation subject may ever reach training; paired pools
(train_x pairs, simulated pairs of the clean train_y subjects, bulk pseudo-pairs)."""
import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch

from cyclemedgan.config import replace
from cyclemedgan.data.pools import training_pools
from cyclemedgan.data.split import read_split

from cyclemedgan.data.units import volume_slices, volume_window

from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.data.io import load_volume


def _hashes(stack) -> set[str]:
    return {hashlib.sha1(np.ascontiguousarray(s).tobytes()).hexdigest() for s in stack}


def test_validation_slices_never_reach_training(tiny_config):
    cfg = tiny_config.data
    pool_x, pool_y = training_pools(cfg)
    pairs = validation_pairs(cfg)
    val_subjects = {p.subject for p in pairs}
    assert val_subjects == {"S005", "S006"}
    assert not val_subjects & (set(pool_x.subjects) | set(pool_y.subjects))
    assert set(pool_x.subjects) == {"S001", "S002"} and set(pool_y.subjects) == {"S003", "S004"}
    # content check: no training slice equals any validation slice, in either domain
    train = _hashes(pool_x.slices[:, 0].numpy()) | _hashes(pool_y.slices[:, 0].numpy())
    for p in pairs:
        for path, domain in ((p.source, "x"), (p.target, "y")):
            v, img = load_volume(path)
            assert not _hashes(volume_slices(v, img.affine, volume_window(cfg, domain, v), cfg)) & train
    # and the check is able to fail: a training volume's own slices are found
    v, img = load_volume(pairs[0].target.parent / "S003_T1.nii.gz")
    stack = volume_slices(v, img.affine, volume_window(cfg, "y", v), cfg)
    assert _hashes(stack) & train


def test_pools_hold_head_slices_in_range(tiny_config):
    pool_x, pool_y = training_pools(tiny_config.data)
    for pool in (pool_x, pool_y):
        assert pool.slices.shape[1:] == (1, 32, 32)
        assert pool.slices.min() >= -1 and pool.slices.max() <= 1
        assert len(pool) < 2 * 40  # empty slices were skipped


def test_folders_task_reads_both_domains_from_files(tiny_config):
    from dataclasses import replace

    cfg = replace(tiny_config.data, task="folders", source_pattern="{subject}_T2.nii.gz")
    pool_x, pool_y = training_pools(cfg)
    assert set(pool_x.subjects) == {"S001", "S002"} and set(pool_y.subjects) == {"S003", "S004"}
    pairs = validation_pairs(cfg)
    assert [p.source.name for p in pairs] == ["S005_T2.nii.gz", "S006_T2.nii.gz"]
    assert [p.target.name for p in pairs] == ["S005_T1.nii.gz", "S006_T1.nii.gz"]


def test_bulk_pseudo_pairs_use_no_ct(tiny_config, tmp_path):
    """``paired.pairs: bulk``: each train_x source paired with a two-class pseudo-CT made from that
    source alone (above the threshold 0 HU, else -1000 HU), never with any subject's real target."""
    from dataclasses import replace

    from cyclemedgan.config import PairedConfig
    from cyclemedgan.data.pools import training_stores

    from cyclemedgan.data.units import bulk_from_source

    vol = np.array([0.0, 0.01, 0.03, 2.0], np.float32)
    np.testing.assert_array_equal(bulk_from_source(vol, 0.02), [-1000.0, -1000.0, 0.0, 0.0])
    cfg = replace(tiny_config.data, task="folders", source_pattern="{subject}_T2.nii.gz", window_y="fixed",
                  range_y=(-1000.0, 1500.0), output_window="domain", evaluation="ct", cache_dir=str(tmp_path))
    pairing = PairedConfig(pairs="bulk", bulk_threshold=0.5)
    sx, sy = training_stores(cfg, True, pairing)
    assert set(sx.subjects) == {"S001", "S002"} and len(sx) == len(sy)
    x, y = sx.load_all().numpy(), sy.load_all().numpy()
    air, body = -1.0, 2 * 1000.0 / 2500.0 - 1  # -1000 HU and 0 HU in the [-1000, 1500] window
    assert (np.isclose(y, air, atol=1e-6) | np.isclose(y, body, atol=1e-6)).all()
    assert (y == air).any() and (y > air).any()
    assert ((x > x.min()) | (y == air)).all()  # the source's own background is always air
    # a different threshold is a different store, not a stale one
    sx2, sy2 = training_stores(cfg, True, replace(pairing, bulk_threshold=300.0))
    assert (sy2.load_all().numpy() > air).sum() < (y > air).sum()


def test_paired_pools_are_aligned_and_hold_only_train_x(tiny_config):
    px, py = training_pools(tiny_config.data, paired=True)
    assert px.subjects == py.subjects and set(px.subjects) == {"S001", "S002"}
    assert px.slices.shape == py.slices.shape
    # the same slices of the same subjects: corrupted and clean differ, but correlate strongly
    a, b = px.slices.flatten().numpy(), py.slices.flatten().numpy()
    assert not np.array_equal(a, b) and np.corrcoef(a, b)[0, 1] > 0.8


def test_simulated_pairs_come_from_the_clean_train_y_subjects_only(tiny_config):
    cfg = replace(tiny_config, paired={"pairs": "train_y"})
    px, py = training_pools(cfg.data, True, cfg.paired)
    train_x = {r.subject for r in read_split(cfg.data.split_file) if r.role == "train_x"}
    assert px.subjects == py.subjects and set(px.subjects).isdisjoint(train_x)
    assert set(px.subjects) == set(training_pools(tiny_config.data)[1].subjects)  # the train_y subjects
    a, b = px.slices.flatten().numpy(), py.slices.flatten().numpy()  # simulated motion vs its clean truth
    assert not np.array_equal(a, b) and np.corrcoef(a, b)[0, 1] > 0.8
    px2, _ = training_pools(cfg.data, True, replace(cfg, paired={"draws": 2}).paired)
    assert len(px2) == 2 * len(px) and torch.equal(px2.slices[: len(px)], px.slices)
    assert not torch.equal(px2.slices[len(px):], px.slices)  # a second, different simulation
    pc, yc = training_pools(cfg.data, True, replace(cfg, paired={"clean_pairs": True}).paired)
    assert torch.equal(pc.slices[len(px):], yc.slices[len(px):])  # the clean slices paired with themselves
    with pytest.raises(ValueError, match="needs data.task 'motion'"):
        replace(cfg, data={"task": "folders", "source_pattern": "{subject}.nii.gz"})


def test_ct_sim_pairs_are_train_y_targets_with_simulated_sources(tiny_config, tmp_path):
    """``paired.pairs: ct_sim``: sources simulated from each train_y target, paired with that real
    target; no train_x subject is paired and no validation subject enters; draws add new sources."""
    from dataclasses import replace

    from cyclemedgan.config import PairedConfig
    from cyclemedgan.data.pools import training_stores

    import shutil

    from cyclemedgan.data.io import save_volume

    root = tmp_path / "petct"  # the tiny phantoms as CT (HU: air, fat, soft tissue, bone) and PET (SUV)
    root.mkdir()
    shutil.copy(tiny_config.data.split_file, root / "split.csv")
    for r in read_split(tiny_config.data.split_file):
        t1, img = load_volume(Path(tiny_config.data.root) / f"{r.subject}_T1.nii.gz")
        save_volume(np.where(t1 > 100, t1 - 450, -1000.0), img, root / f"{r.subject}_ct.nii.gz")
        save_volume(t1 / 600.0, img, root / f"{r.subject}_pet.nii.gz")
    cfg = replace(tiny_config.data, task="folders", root=str(root), split_file=str(root / "split.csv"),
                  source_pattern="{subject}_pet.nii.gz", file_pattern="{subject}_ct.nii.gz", window_x="log",
                  range_x=(0.0, 3.0), window_y="fixed", range_y=(-1000.0, 1500.0), output_window="domain",
                  evaluation="ct", cache_dir=str(tmp_path / "cache"))
    rows = read_split(cfg.split_file)
    train_y = {r.subject for r in rows if r.role == "train_y"}
    sx, sy = training_stores(cfg, True, PairedConfig(pairs="ct_sim"))
    assert set(sx.subjects) == train_y and sx.subjects == sy.subjects
    _, unpaired_y = training_stores(cfg)
    assert _hashes(sy.load_all().numpy()[:, 0]) == _hashes(unpaired_y.load_all().numpy()[:, 0])  # the real targets
    sx2, sy2 = training_stores(cfg, True, PairedConfig(pairs="ct_sim", draws=2))
    assert len(sx2) == 2 * len(sx) and torch.equal(sy2.load_all()[len(sx):], sy.load_all())
    assert not torch.equal(sx2.load_all()[len(sx):], sx.load_all())  # a second, different simulation
    sxb, syb = training_stores(cfg, True, PairedConfig(pairs="ct_sim", sim_bone="fat"))  # its own store
    assert torch.equal(syb.load_all(), sy.load_all()) and not torch.equal(sxb.load_all(), sx.load_all())
