"""Rigid head motion simulated in k-space on real 3D volumes (TorchIO ``RandomMotion``).

TorchIO resamples the volume at ``num_transforms + 1`` rigid poses and stitches their k-spaces
along time (Shaw et al. 2019), giving ghosting and blurring as in a real scan with head motion.
Each subject gets its own seed, so the corrupted data are reproducible; the sampled rotations
(degrees), translations (mm) and times (fraction of the acquisition) are returned for logging.
"""
from __future__ import annotations

import zlib

import numpy as np
import torch
import torchio as tio

from cyclemedgan.config import MotionConfig


def subject_seed(cfg: MotionConfig, subject: str) -> int:
    """A stable per-subject seed (independent of the order subjects are processed in)."""
    digits = "".join(ch for ch in subject if ch.isdigit())
    key = int(digits[:9]) if digits else zlib.crc32(subject.encode())
    return cfg.seed * 100003 + key


def corrupt_volume(
    volume: np.ndarray, affine: np.ndarray, cfg: MotionConfig, seed: int, clip: bool = True
) -> tuple[np.ndarray, dict]:
    """(I, J, K) float32 volume in its own units -> (motion-corrupted volume, sampled params).

    Intensities stay on the input's scale. TorchIO returns the real part of the stitched k-space,
    whose ringing leaves negative voxels; with ``clip`` (the project's simulation) a non-negative
    input's output is clipped at 0, as a magnitude image would be. The k-space segments are
    stitched along array axis ``cfg.kspace_axis`` (TorchIO's own: the last)."""
    order = [a for a in range(3) if a != cfg.kspace_axis] + [cfg.kspace_axis]  # TorchIO stitches the last
    if order != [0, 1, 2]:  # the same head in the same world space, its chosen axis last
        volume = volume.transpose(order)
        affine = np.concatenate([affine[:, order], affine[:, 3:]], axis=1)
    image = tio.ScalarImage(tensor=torch.from_numpy(np.ascontiguousarray(volume))[None], affine=affine)
    transform = tio.RandomMotion(
        degrees=cfg.degrees,
        translation=cfg.translation_mm,
        num_transforms=cfg.num_transforms,
        image_interpolation="linear",
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        out = transform(tio.Subject(image=image))
    applied = out.get_applied_transforms()[0]
    params = {
        "seed": seed,
        "degrees": np.asarray(applied.degrees["image"]).round(4).tolist(),
        "translation_mm": np.asarray(applied.translation["image"]).round(4).tolist(),
        "times": np.asarray(applied.times["image"]).round(4).tolist(),
    }
    corrupted = out["image"].data[0].numpy().astype(np.float32).transpose(np.argsort(order))
    return np.clip(corrupted, 0.0, None) if clip and volume.min() >= 0 else corrupted, params
