"""The tune curve: during training, translate the ``tune`` subjects' volumes and score them.

Tune subjects are paired, never train, and are not the validation subjects: settings and the
best checkpoint are chosen on them, so the validation numbers stay an honest estimate. Each
score runs the same path as ``translate`` + ``evaluate`` (whole volumes, windows, output mapped
back to the input's units, head mask of the target, data range of the target), with SSIM and
PSNR only (VIF is slower and not used for selection). The input's own scores are computed once.

Subjects scored: those of ``train.tune_roles`` ("tune"; with "train_x" also the subjects whose
sources an unpaired run trains on, never their targets: more subjects for a noisy choice, at the
cost of inputs the generator has seen). With several roles each role's score and MAE are logged too.
For the motion task ``train.tune_draws`` > 1 scores each tune subject on that many motion draws
(one simulated volume each, same motion model as val), averaged with the others.

Selection score: PSNR gain over the baseline (dB) + 30 x SSIM gain, so that the project's two
targets (+1 dB, +0.03 SSIM) weigh the same; for synthetic CT a body MAE below the reference's
comes first (``better``). The baseline is the uncorrected input ("input") for
image tasks; for synthetic CT (``data.evaluation: ct``) it is the bulk-density reference ("ref",
``metrics_ct.bulk_density``), and the scores are the HU scores of ``metrics_ct`` (with MAE).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from cyclemedgan.config import Config
from cyclemedgan.data.paths import simulated_path
from cyclemedgan.data.validation import validation_pairs
from cyclemedgan.data.io import load_volume, to_canonical
from cyclemedgan.metrics import head_mask, psnr, ssim
from cyclemedgan.metrics_ct import bulk_density, ct_scores

SSIM_WEIGHT = 30.0  # 0.03 SSIM counts as much as 1 dB PSNR
# what the tune curve logs of ``metrics_ct.ct_scores`` for synthetic CT (bone MAE: mean over the
# patients with bone, NaN-safe)
CT_TUNE_KEYS = ("ssim", "psnr", "mae", "bone_dice", "bone_surface_dice", "mae_bone")


@dataclass
class _Subject:
    name: str
    role: str
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


def better(new: dict[str, float], old: dict[str, float], base: str = "input") -> bool:
    """Does the tune result ``new`` beat ``old`` (each a ``TuneSet.score`` dict)? The higher
    selection score wins, except for synthetic CT (base "ref"): there a checkpoint whose mean body
    MAE is below the bulk-density reference's beats one whose MAE is not, whatever the scores (a
    synthetic CT that does not beat the reference on MAE is of no use; the score alone, driven by
    SSIM, can prefer one)."""
    if base == "ref" and "mae" in new and "mae" in old:
        below_new, below_old = new["mae"] < new["mae_ref"], old["mae"] < old["mae_ref"]
        if below_new != below_old:
            return below_new
    return new["score"] > old["score"]


class TuneSet:
    """The tune subjects of ``cfg``'s split, loaded once; ``score(model)`` -> mean scores."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.ct = cfg.data.evaluation == "ct"
        self.base = baseline_name(cfg)
        self.subjects: list[_Subject] = []
        pairs = [(role, p) for role in cfg.train.tune_roles for p in validation_pairs(cfg.data, role=role)]
        if cfg.data.task == "motion" and cfg.train.tune_draws > 1:  # more draws of val's motion model
            same = replace(cfg.data, motion=replace(cfg.data.motion, bank_events=()))
            pairs += [("tune", replace(p, subject=f"{p.subject}#{d}", source=simulated_path(same, p.subject, d)))
                      for role, p in list(pairs) if role == "tune" for d in range(1, cfg.train.tune_draws)]
        for role, p in pairs:
            src, img = load_volume(p.source)
            tgt, timg = load_volume(p.target)
            target = to_canonical(tgt, timg.affine)
            if self.ct:
                mask = to_canonical(load_volume(p.labels)[0] > 0, timg.affine) if p.labels else None
            else:
                mask = to_canonical(load_volume(p.mask)[0] > 0, timg.affine) if p.mask else head_mask(target)
            self.subjects.append(_Subject(p.subject, role, src, img.affine, target, mask,
                                          float(target.max() - target.min())))
        self.roles = tuple(dict.fromkeys(s.role for s in self.subjects))
        if not self.subjects:
            self.base_rows = []
        elif self.ct:
            self.base_rows = [ct_scores(bulk_density(s.target), s.target, s.mask) for s in self.subjects]
        else:
            self.base_rows = self._rows([s.source for s in self.subjects])
        self.base_scores = self._mean(self.base_rows) if self.base_rows else {}

    def keys(self) -> list[str]:
        """The names ``score`` returns, in a fixed order (metrics.csv columns, without "tune/")."""
        extra = [k for m in CT_TUNE_KEYS[2:] for k in (m, f"{m}_{self.base}")] if self.ct else []
        per_role = [f"{r}/{k}" for r in self.roles for k in (["score", "mae"] if self.ct else ["score"])]
        return ["ssim", "psnr", f"ssim_{self.base}", f"psnr_{self.base}", *extra, "score",
                *(per_role if len(self.roles) > 1 else [])]

    def __len__(self) -> int:
        return len(self.subjects)

    def scores(self, preds: list[np.ndarray]) -> dict[str, float]:
        """Mean SSIM and PSNR (and MAE for CT) of one prediction per tune subject (each on its
        source grid)."""
        return self._mean(self._rows(preds))

    def _rows(self, preds: list[np.ndarray]) -> list[dict[str, float]]:
        rows = []
        for s, pred in zip(self.subjects, preds):
            pc = to_canonical(pred, s.affine)
            if self.ct:
                rows.append(ct_scores(pc, s.target, s.mask))
            else:
                rows.append({"ssim": ssim(pc, s.target, s.mask, s.data_range),
                             "psnr": psnr(pc, s.target, s.mask, s.data_range)})
        return rows

    def _mean(self, rows: list[dict]) -> dict[str, float]:
        keys = CT_TUNE_KEYS if self.ct else ("ssim", "psnr")
        return {k: float(np.nanmean([r[k] for r in rows])) for k in keys}

    @torch.no_grad()
    def score(self, model, meta: dict) -> dict[str, float]:
        """Translate every tune subject with ``model`` (X -> Y) -> {ssim, psnr, ssim_<base>,
        psnr_<base>, score} (+ each of ``CT_TUNE_KEYS[2:]`` and its _ref for CT), means over the tune subjects."""
        from cyclemedgan.translate import Translator

        was_training = model.training
        model.eval()
        translator = Translator.of_model(self.cfg, meta, model)
        preds = [translator(s.source, s.affine) for s in self.subjects]
        model.train(was_training)
        rows = self._rows(preds)
        out = self._with_base(self._mean(rows), self.base_scores)
        if len(self.roles) > 1:
            for role in self.roles:
                mine = [i for i, s in enumerate(self.subjects) if s.role == role]
                part = self._with_base(self._mean([rows[i] for i in mine]),
                                       self._mean([self.base_rows[i] for i in mine]))
                out.update({f"{role}/{k}": part[k] for k in ("score", "mae") if k in part})
        return out

    def _with_base(self, scores: dict[str, float], base: dict[str, float]) -> dict[str, float]:
        out = {**scores, **{f"{k}_{self.base}": v for k, v in base.items()}}
        out["score"] = selection_score(out, self.base)
        return out
