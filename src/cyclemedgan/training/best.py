"""The tune curve and best/: score the tune subjects, keep the generators that score best.

``best/`` is a checkpoint of the generators alone (with the run's config and meta), the one
``export`` ships; ``translate --checkpoint RUN/best`` uses it. With ``train.ema`` the EMA weights
are scored and kept (under the generators' own names)."""
from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from cyclemedgan.checkpoint import save_checkpoint
from cyclemedgan.config import Config, replace
from cyclemedgan.training.state import TrainState


class BestKeeper:
    """Scores ``model`` on ``tune_set`` (``tune.TuneSet``) and writes ``run_dir/best`` on a new best."""

    def __init__(self, cfg: Config, run_dir: Path, tune_set):
        self.cfg, self.dir, self.tune_set = cfg, run_dir / "best", tune_set
        self.keys = [f"tune/{k}" for k in tune_set.keys()]
        how = "body MAE below the reference first, then " if tune_set.base == "ref" else ""
        self.selected_on = (f"{' + '.join(tune_set.roles)} subjects: {how}PSNR gain + 30 x SSIM gain over "
                            f"the {tune_set.base}")

    def __call__(self, model, windows: dict, state: TrainState, meta: dict, ema=None) -> dict:
        """The tune scores as "tune/..." entries; best/ and ``state.best`` updated when they win."""
        from cyclemedgan.training.tune import better

        with ema.swapped() if ema is not None else nullcontext():
            scores = self.tune_set.score(model, windows)
            if better(scores, state.best, self.tune_set.base):
                state.best = {"score": scores["score"], "step": state.step,
                              **{k: v for k, v in scores.items() if k != "score"}}
                final_cfg = replace(self.cfg, train={"steps": state.total_steps})
                save_checkpoint(self.dir, final_cfg, model.generator_nets(),
                                {**meta, "best_tune": state.best, "done": True, "best_of": str(self.dir.parent),
                                 "selected_on": self.selected_on})
        return {f"tune/{k}": round(v, 5) for k, v in scores.items()}

    def summary(self, best: dict) -> str:
        base = self.tune_set.base
        return (f"best tune score {best['score']:+.3f} at step {best['step']} (SSIM {best['ssim']:.4f} vs {base} "
                f"{best[f'ssim_{base}']:.4f}, PSNR {best['psnr']:.2f} vs {best[f'psnr_{base}']:.2f} dB) -> {self.dir}")
