"""The tune curve: during training, translate the ``tune`` subjects' volumes and score them.

Tune subjects are paired, never train, and are not the validation subjects: settings and the
best checkpoint are chosen on them, so the validation numbers stay an honest estimate. Each
score runs the same path as ``translate`` + ``evaluate`` (whole volumes, windows, output mapped
back to the input's units, head mask of the target, data range of the target), with SSIM and
PSNR only (VIF is slower and not used for selection). The input's own scores are computed once.

Selection score: PSNR gain over the baseline (dB) + 30 x SSIM gain, so that the project's two
targets (+1 dB, +0.03 SSIM) weigh the same. The baseline is the uncorrected input ("input") for
image tasks; for synthetic CT (``data.evaluation: ct``) it is the bulk-density reference ("ref",
``metrics_ct.bulk_density``), and the scores are the HU scores of ``metrics_ct`` (with MAE).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from cyclemedgan.config import Config
from cyclemedgan.data.datasets import validation_pairs
from cyclemedgan.data.io import load_volume, to_canonical
from cyclemedgan.metrics import head_mask, psnr, ssim
from cyclemedgan.metrics_ct import bulk_density, ct_scores

SSIM_WEIGHT = 30.0  # 0.03 SSIM counts as much as 1 dB PSNR


@dataclass
class _Subject:
    name: str
    source: np.ndarray
    affine: np.ndarray
    target: np.ndarray  # canonical
    mask: np.ndarray  # canonical (tumour mask for evaluation ct, where there is one)
    data_range: float


def baseline_name(cfg: Config) -> str:
    """What a tune score is measured against: "input" (image tasks) or "ref" (bulk density, CT)."""
    return "ref" if cfg.data.evaluation == "ct" else "input"


def selection_score(scores: dict[str, float], base: str = "input") -> float:
    """(PSNR - PSNR of the baseline) + 30 (SSIM - SSIM of the baseline): higher is better."""
    return (scores["psnr"] - scores[f"psnr_{base}"]) + SSIM_WEIGHT * (scores["ssim"] - scores[f"ssim_{base}"])


class TuneSet:
    """The tune subjects of ``cfg``'s split, loaded once; ``score(model)`` -> mean scores."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.ct = cfg.data.evaluation == "ct"
        self.base = baseline_name(cfg)
        self.subjects: list[_Subject] = []
        for p in validation_pairs(cfg.data, role="tune"):
            src, img = load_volume(p.source)
            tgt, timg = load_volume(p.target)
            target = to_canonical(tgt, timg.affine)
            if self.ct:
                mask = to_canonical(load_volume(p.labels)[0] > 0, timg.affine) if p.labels else None
            else:
                mask = to_canonical(load_volume(p.mask)[0] > 0, timg.affine) if p.mask else head_mask(target)
            self.subjects.append(_Subject(p.subject, src, img.affine, target, mask,
                                          float(target.max() - target.min())))
        if not self.subjects:
            self.base_scores = {}
        elif self.ct:
            self.base_scores = self._mean([ct_scores(bulk_density(s.target), s.target, s.mask) for s in self.subjects])
        else:
            self.base_scores = self.scores([s.source for s in self.subjects])

    def __len__(self) -> int:
        return len(self.subjects)

    def scores(self, preds: list[np.ndarray]) -> dict[str, float]:
        """Mean SSIM and PSNR (and MAE for CT) of one prediction per tune subject (each on its
        source grid)."""
        rows = []
        for s, pred in zip(self.subjects, preds):
            pc = to_canonical(pred, s.affine)
            if self.ct:
                rows.append(ct_scores(pc, s.target, s.mask))
            else:
                rows.append({"ssim": ssim(pc, s.target, s.mask, s.data_range),
                             "psnr": psnr(pc, s.target, s.mask, s.data_range)})
        return self._mean(rows)

    def _mean(self, rows: list[dict]) -> dict[str, float]:
        keys = ("ssim", "psnr", "mae", "bone_dice") if self.ct else ("ssim", "psnr")
        return {k: float(np.mean([r[k] for r in rows])) for k in keys}

    @torch.no_grad()
    def score(self, model, meta: dict) -> dict[str, float]:
        """Translate every tune subject with ``model`` (X -> Y) -> {ssim, psnr, ssim_<base>,
        psnr_<base>, score} (+ mae, mae_ref, bone_dice, bone_dice_ref for CT), means over the tune subjects."""
        from cyclemedgan.translate import Translator

        was_training = model.training
        model.eval()
        translator = Translator.of_model(self.cfg, meta, model)
        preds = [translator(s.source, s.affine) for s in self.subjects]
        model.train(was_training)
        out = self.scores(preds)
        out.update({f"{k}_{self.base}": v for k, v in self.base_scores.items()})
        out["score"] = selection_score(out, self.base)
        return out
