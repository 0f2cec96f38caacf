"""translate on motion-corrupted MR with and without a negative background (data.clip_negative)."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from cyclemedgan.config import load_config
from cyclemedgan.data.paths import clean_path
from cyclemedgan.data.io import load_volume
from cyclemedgan.data.motion import corrupt_volume, subject_seed
from cyclemedgan.metrics import head_mask, psnr
from cyclemedgan.translate import Translator

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tune_head():
    """A tune subject: clean volume, and TorchIO's motion output unclipped (real part: ringing
    leaves negative voxels) and clipped at 0 (the project's simulation)."""
    cfg = load_config("configs/motion-ixi-sim.yaml")
    subject = "IXI056-HH-1327"
    clean, img = load_volume(clean_path(cfg.data, subject))
    raw, _ = corrupt_volume(clean, img.affine, cfg.data.motion, subject_seed(cfg.data.motion, subject), clip=False)
    assert (raw < 0).mean() > 0.05  # a real negative background, not a few voxels
    return clean, raw, np.clip(raw, 0, None), img.affine


def _corrector(tmp_path, clip: bool) -> Translator:
    folder = tmp_path / f"clip-{clip}"
    shutil.copytree("weights/motion-ixi", folder)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["data"]["clip_negative"] = clip
    (folder / "config.json").write_text(json.dumps(cfg))
    return Translator(folder)


def test_negative_background_does_not_change_the_correction(tmp_path, tune_head):
    clean, raw, clipped, affine = tune_head
    head = head_mask(clean)
    dr = float(clean.max() - clean.min())
    on = _corrector(tmp_path, clip=True)
    a, b = on(clipped, affine), on(raw, affine)
    np.testing.assert_array_equal(a[head], b[head])  # the same correction inside the head
    for inp, out in ((clipped, a), (raw, b)):  # and neither worse than its input
        assert psnr(out, clean, head, dr) > psnr(inp, clean, head, dr)
    off = _corrector(tmp_path, clip=False)  # without the clip the window moves with the background
    c = off(raw, affine)
    assert np.abs(c[head] - a[head]).max() > 1.0


def test_inference_does_not_load_the_training_package():
    """translate (import and one checkpoint loaded) needs no module of cyclemedgan.training."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from cyclemedgan.translate import Translator; "
            "Translator('weights/pet2ct-sts'); "
            "bad = [m for m in sys.modules if m.startswith('cyclemedgan.training')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_translate_builds_and_loads_only_the_generator_it_uses():
    """One generator per direction: no discriminator, no other generator, no feature extractor
    (weights/pet2ct-sts is a Cycle-MedGAN: the whole model holds G1, G2, D1, D2)."""
    ab, ba = Translator(REPO / "weights" / "pet2ct-sts"), Translator(REPO / "weights" / "pet2ct-sts", "BtoA")
    assert list(ab.model.generator_nets()) == ["g1"] and list(ba.model.generator_nets()) == ["g2"]
    n = sum(p.numel() for p in ab.model.parameters())
    from cyclemedgan.checkpoint import read_run
    from cyclemedgan.models import build_model

    cfg, _ = read_run(REPO / "weights" / "pet2ct-sts")
    assert n == sum(p.numel() for p in build_model(cfg, inference=True).g1.parameters())
    assert not hasattr(ab.model, "d1") and not hasattr(ab.model, "extractor")
