"""Training batches by number: reproducible, independent of workers, split disjointly over ranks."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from cyclemedgan.data.intensity import Window
from cyclemedgan.data.pools import training_stores
from cyclemedgan.data.loader import TrainingBatches, batch_stream, scale_source
from cyclemedgan.data.loader import augment as _augment


def _batches(tiny_config, tmp_path, **kw):
    source = kw.pop("source", "{subject}_T2.nii.gz")
    cfg = replace(tiny_config.data, task="folders", source_pattern=source, cache_dir=str(tmp_path))
    sx, sy = training_stores(cfg, paired=kw.get("paired", False))
    args = dict(paired=False, batch_size=4, crop=(16, 8), flip="h", seed=3)
    return lambda **more: TrainingBatches(sx, sy, **{**args, **kw, **more})


def test_batch_n_is_the_same_with_or_without_workers_and_differs_between_n(tiny_config, tmp_path):
    make = _batches(tiny_config, tmp_path)
    inline = [make()[n] for n in range(5, 8)]
    stream = batch_stream(make(), 5, workers=2)
    for want in inline:
        x, y = next(stream)
        assert torch.equal(x, want[0]) and torch.equal(y, want[1])
    del stream
    assert inline[0][0].shape == (4, 1, 16, 8)
    assert not torch.equal(inline[0][0], inline[1][0])
    assert not torch.equal(make(seed=4)[5][0], inline[0][0])


def test_ranks_take_disjoint_shares_that_make_up_the_global_batch(tiny_config, tmp_path):
    make = _batches(tiny_config, tmp_path)
    x, y = make()[11]
    r0, r1 = make(rank=0, world=2)[11], make(rank=1, world=2)[11]
    assert r0[0].shape[0] == r1[0].shape[0] == 2
    assert torch.equal(torch.stack([r0[0], r1[0]], 1).flatten(0, 1), x)  # rank r: items r, r + 2, ...
    assert torch.equal(torch.stack([r0[1], r1[1]], 1).flatten(0, 1), y)


def test_paired_batches_share_indices_crops_and_flips(tiny_config, tmp_path):
    # source = target file: paired batches are then identical in both domains, unpaired ones not
    make = _batches(tiny_config, tmp_path, paired=True, source="{subject}_T1.nii.gz")
    for n in range(3):
        x, y = make()[n]
        assert x.shape == (4, 1, 16, 8) and torch.equal(x, y)
    x, y = make(paired=False)[0]
    assert not torch.equal(x, y)


def test_flips_and_quarter_turns_are_lossless_and_shared_by_a_pair():
    """flip 'hv' + rot90: every output is one of the 8 symmetries of the square slice, voxel for
    voxel (a CT keeps its HU), the target gets its source's, and all four turns occur."""
    from cyclemedgan.data.loader import apply_augment, augment_params

    g = torch.Generator().manual_seed(3)
    x = torch.rand(64, 1, 8, 8)
    y = x * 2 + 1
    params = augment_params(64, (8, 8), (0, 0), "hv", g, rot90=True)
    ax, ay = apply_augment(x, params), apply_augment(y, params)
    for k in range(64):
        images = [torch.rot90(x[k], r, dims=(-2, -1)) for r in range(4)]
        images += [im.flip(-1) for im in images]
        assert any(torch.equal(ax[k], im) for im in images)
    assert torch.equal(ay, ax * 2 + 1)
    assert set(params[6].tolist()) == {0, 1, 2, 3} and params[5].any() and params[2].any()


def test_rot90_is_refused_for_motion_where_it_turns_the_phase_encode_axis(tiny_config):
    from cyclemedgan.config import ConfigError, replace

    with pytest.raises(ConfigError, match="rot90"):
        replace(tiny_config, data={"rot90": True})


class _Mem:
    """An in-memory stand-in for a SliceStore: (N, S, S) slices, fetched as (B, 1, S, S)."""

    def __init__(self, a):
        self.a, self.shape = torch.from_numpy(a)[:, None], a.shape

    def __len__(self):
        return len(self.a)

    def fetch(self, idx):
        return self.a[torch.as_tensor(idx)].clone()


def _store(a):
    return _Mem(a)


def test_source_scale_multiplies_each_source_in_its_units_and_never_touches_the_target():
    """data.source_scale: each X image times one factor in U(a, b) in SUV, re-windowed; Y, the crops,
    flips and turns are those of the same batch without it (its draw comes last)."""
    w = Window(0.0, 3.0, log_offset=0.01)
    rng = np.random.default_rng(0)
    suv = rng.uniform(0.0, 2.5, (6, 16, 16)).astype(np.float32)
    ct = rng.uniform(-1, 1, (6, 16, 16)).astype(np.float32)
    store_x, store_y = _store(w.forward(suv)), _store(ct)
    kw = dict(paired=True, batch_size=4, crop=(8, 8), flip="hv", seed=3, rot90=True)
    x0, y0 = TrainingBatches(store_x, store_y, **kw)[5]
    x1, y1 = TrainingBatches(store_x, store_y, **kw, source_scale=(0.9, 1.1), window_x=w)[5]
    assert torch.equal(y0, y1)
    ratio = w.inverse(x1.numpy()) / w.inverse(x0.numpy())
    inside = w.inverse(x0.numpy()) > 0.05  # away from SUV 0, where the ratio is ill-defined
    per_image = [r[m] for r, m in zip(ratio, inside)]
    for r in per_image:
        assert 0.9 <= r.mean() <= 1.1 and np.ptp(r) < 1e-3
    assert np.ptp([r.mean() for r in per_image]) > 0.01  # one factor per image, not per batch
    with pytest.raises(ValueError, match="window"):
        TrainingBatches(store_x, store_y, **kw, source_scale=(0.9, 1.1))


def test_scale_source_saturates_at_the_window_top():
    w = Window(0.0, 3.0, log_offset=0.01)
    u = torch.from_numpy(w.forward(np.array([0.6, 2.9], dtype=np.float32).reshape(1, 1, 1, 2)))
    out = w.inverse(scale_source(u, w, torch.tensor([1.1])).numpy()).ravel()
    assert out[0] == pytest.approx(0.66, rel=1e-5) and out[1] == pytest.approx(3.0)


def test_crops_and_flips_keep_pairs_aligned():
    g = torch.Generator().manual_seed(0)
    a = torch.arange(2 * 16 * 16, dtype=torch.float32).reshape(2, 1, 16, 16)
    x, y = _augment([a, a.clone()], (16, 8), "h", g)
    assert x.shape == (2, 1, 16, 8) and torch.equal(x, y)
    for k in range(2):  # each crop keeps whole rows along H (the ghosting axis), maybe flipped
        rows = {tuple(r) for r in a[k, 0].T.tolist()}
        assert all(tuple(c) in rows or tuple(c[::-1]) in rows for c in x[k, 0].T.tolist())
    (z,) = _augment([a], (0, 0), "none", g)
    assert z is a
