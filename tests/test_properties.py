"""Property-based tests (hypothesis): windows and their inverses, slice fitting and its inverse,
and the orientation round trip that translate relies on to write outputs on the input's grid."""
import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cyclemedgan.data.intensity import Window
from cyclemedgan.data.io import from_canonical, to_canonical
from cyclemedgan.data.slices import SliceFitter

finite = st.floats(-5000, 5000, allow_nan=False, width=32)


@st.composite
def windows(draw):
    lo = draw(st.floats(-2000, 2000))
    width = draw(st.floats(0.01, 5000))
    log = draw(st.sampled_from([0.0, 0.001, 0.01, 1.0]))
    if log and lo + log <= 0:
        lo = -log / 2
    return Window(lo, lo + width, log_offset=log)


@settings(max_examples=200, deadline=None)
@given(windows(), arrays(np.float32, st.integers(1, 50), elements=finite))
def test_window_maps_into_unit_range_and_inverts_inside(w, x):
    y = w.forward(x)
    assert y.dtype == np.float32 and np.all(y >= -1) and np.all(y <= 1)
    back = w.inverse(y)
    assert np.all(back >= np.float32(w.lo) - 1e-3 * abs(w.lo) - 1e-6)
    inside = np.clip(x, w.lo, w.hi)
    tol = 1e-5 * max(abs(w.lo), abs(w.hi), 1.0) + 1e-4 * (w.hi - w.lo)
    np.testing.assert_allclose(back, inside, atol=tol, rtol=1e-4)
    assert np.all(np.diff(w.forward(np.sort(x))) >= 0)  # monotonic


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.sampled_from([16, 24, 32]), st.integers(0, 2**31 - 1))
def test_pad_crop_fit_then_unfit_returns_what_was_kept(h, w, size, seed):
    x = np.random.default_rng(seed).uniform(-1, 1, (2, h, w)).astype(np.float32)
    f = SliceFitter((h, w), size, "pad_crop")
    y = f.fit(x)
    assert y.shape == (2, size, size)
    back = f.unfit(y, fill=x)  # what the crop cut away comes from the input, as in translate
    np.testing.assert_array_equal(back, x)
    if h <= size and w <= size:  # padding only: the padded border is the background
        assert (y == -1).sum() == 2 * (size * size - h * w) + (x == -1).sum()


@settings(max_examples=60, deadline=None)
@given(st.integers(4, 30), st.integers(4, 30), st.integers(0, 2**31 - 1))
def test_resize_fit_then_unfit_keeps_shape_and_smooth_content(h, w, seed):
    yy, xx = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    x = (0.5 * yy * xx)[None].astype(np.float32)  # smooth: survives bilinear resampling
    f = SliceFitter((h, w), 32, "resize")
    back = f.unfit(f.fit(x))
    assert back.shape == x.shape
    assert np.abs(back - x).max() < 0.15


AXES = list(itertools.permutations(range(3)))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(AXES), st.tuples(*[st.sampled_from([-1.0, 1.0])] * 3),
       st.tuples(*[st.floats(0.5, 5.0)] * 3), st.tuples(*[st.integers(2, 7)] * 3))
def test_canonical_round_trip_for_any_axis_order_and_flip(perm, signs, zooms, shape):
    affine = np.zeros((4, 4))
    for col, (axis, sign, zoom) in enumerate(zip(perm, signs, zooms)):
        affine[axis, col] = sign * zoom
    affine[:3, 3] = [10.0, -20.0, 30.0]
    affine[3, 3] = 1.0
    data = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    can = to_canonical(data, affine)
    np.testing.assert_array_equal(from_canonical(can, affine), data)
    # canonical axes run R, A, S: the voxel with the largest world x is last along axis 0
    ijk = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), -1).reshape(-1, 3)
    world = ijk @ affine[:3, :3].T + affine[:3, 3]
    xs = from_canonical(np.broadcast_to(np.arange(can.shape[0])[:, None, None], can.shape).astype(np.float32),
                        affine).reshape(-1)
    order = np.argsort(world[:, 0], kind="stable")
    assert np.all(np.diff(xs[order]) >= 0)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(AXES), st.tuples(*[st.sampled_from([-1.0, 1.0])] * 3),
       st.tuples(*[st.floats(0.8, 3.0)] * 3), st.tuples(*[st.integers(6, 20)] * 3), st.integers(0, 2**31 - 1))
def test_translate_writes_on_the_input_grid_for_any_orientation(perm, signs, zooms, shape, seed):
    """Through the whole translate path (canonical reorientation, slicing, fitting to the network's
    size, back), a volume in any axis order and flip comes back on its own grid with its own
    affine; with a residual model at its identity start, the values come back exactly, so every
    voxel returned to the voxel it came from."""
    import tempfile
    from pathlib import Path

    import nibabel as nib

    from conftest import REPO, write_nifti
    from cyclemedgan.config import load_config
    from cyclemedgan.data.io import load_volume, save_volume
    from cyclemedgan.models import build_model
    from cyclemedgan.translate import Translator

    cfg = load_config(REPO / "configs" / "motion-ixi.yaml",
                      ["model.ngf=4", "model.n_blocks=1", "data.image_size=16", "data.crop=[0,0]"])
    affine = np.zeros((4, 4))
    for col, (axis, sign, zoom) in enumerate(zip(perm, signs, zooms)):
        affine[axis, col] = sign * zoom
    affine[:3, 3] = [5.0, -7.0, 11.0]
    affine[3, 3] = 1.0
    vol = np.random.default_rng(seed).gamma(2.0, 100.0, shape).astype(np.float32)
    translator = Translator.of_model(cfg, {}, build_model(cfg, inference=True).eval())
    with tempfile.TemporaryDirectory() as tmp:
        src = write_nifti(Path(tmp) / "in.nii.gz", vol, affine=affine)
        data, img = load_volume(src)
        out = Path(tmp) / "out.nii.gz"
        save_volume(translator(data, img.affine), img, out)
        back = nib.load(str(out))
        np.testing.assert_allclose(back.affine, affine, atol=1e-5)
        np.testing.assert_array_equal(np.asarray(back.dataobj), vol)
