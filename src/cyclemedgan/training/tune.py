"""The tune curve: during training, translate the ``tune`` subjects' volumes and score them.

Tune subjects are paired, never train, and are not the validation subjects: settings and the
best checkpoint are chosen on them, so the validation numbers stay an honest estimate. Each
score runs the same path as ``translate`` + ``evaluate`` (whole volumes, windows, output mapped
back to the input's units, head mask of the target, data range of the target), with SSIM and
PSNR only (VIF is slower and not used for selection). The input's own scores are computed once.

Selection score: PSNR gain over the input (dB) + 30 x SSIM gain, so that the project's two
targets (+1 dB, +0.03 SSIM) weigh the same.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from cyclemedgan.config import Config
from cyclemedgan.data.datasets import validation_pairs
from cyclemedgan.data.io import load_volume, to_canonical
from cyclemedgan.metrics import head_mask, psnr, ssim

SSIM_WEIGHT = 30.0  # 0.03 SSIM counts as much as 1 dB PSNR


@dataclass
class _Subject:
    name: str
    source: np.ndarray
    affine: np.ndarray
    target: np.ndarray  # canonical
    mask: np.ndarray  # canonical
    data_range: float


def selection_score(scores: dict[str, float]) -> float:
    """(PSNR - PSNR of input) + 30 (SSIM - SSIM of input): higher is better."""
    return (scores["psnr"] - scores["psnr_input"]) + SSIM_WEIGHT * (scores["ssim"] - scores["ssim_input"])


class TuneSet:
    """The tune subjects of ``cfg``'s split, loaded once; ``score(model)`` -> mean scores."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.subjects: list[_Subject] = []
        for p in validation_pairs(cfg.data, role="tune"):
            src, img = load_volume(p.source)
            tgt, timg = load_volume(p.target)
            target = to_canonical(tgt, timg.affine)
            mask = to_canonical(load_volume(p.mask)[0] > 0, timg.affine) if p.mask else head_mask(target)
            self.subjects.append(_Subject(p.subject, src, img.affine, target, mask,
                                          float(target.max() - target.min())))
        self.input_scores = self.scores([s.source for s in self.subjects]) if self.subjects else {}

    def __len__(self) -> int:
        return len(self.subjects)

    def scores(self, preds: list[np.ndarray]) -> dict[str, float]:
        """Mean SSIM and PSNR of one prediction per tune subject (each on its source grid)."""
        rows = []
        for s, pred in zip(self.subjects, preds):
            pc = to_canonical(pred, s.affine)
            rows.append((ssim(pc, s.target, s.mask, s.data_range), psnr(pc, s.target, s.mask, s.data_range)))
        return {"ssim": float(np.mean([r[0] for r in rows])), "psnr": float(np.mean([r[1] for r in rows]))}

    @torch.no_grad()
    def score(self, model, meta: dict) -> dict[str, float]:
        """Translate every tune subject with ``model`` (X -> Y) -> {ssim, psnr, ssim_input,
        psnr_input, score}, means over the tune subjects."""
        from cyclemedgan.translate import Translator

        was_training = model.training
        model.eval()
        translator = Translator.of_model(self.cfg, meta, model)
        preds = [translator(s.source, s.affine) for s in self.subjects]
        model.train(was_training)
        out = self.scores(preds)
        out.update({f"{k}_input": v for k, v in self.input_scores.items()})
        out["score"] = selection_score(out)
        return out
