"""Where a run stands: the counters a checkpoint's training_state.pt restores beside the weights."""
from __future__ import annotations

from dataclasses import dataclass, field

# training_state.pt layout. 1: the counters and optimizer / RNG / pool states as top-level keys
# (sessions up to 7); 2: the same keys plus "format" and, with train.ema, the EMA weights saved as
# ema_<net> in model.safetensors. A format-1 state resumes as it is (no EMA copies: a run that
# now asks for train.ema starts its EMA from the restored weights).
STATE_FORMAT = 2


def no_best() -> dict:
    return {"score": float("-inf"), "step": 0}


@dataclass
class TrainState:
    """Counters of one run (rank 0's view); ``best`` holds the best tune scores and their step."""

    step: int = 0  # optimizer steps taken
    batch: int = 0  # batches drawn (above ``step`` when non-finite steps were skipped)
    total_steps: int = 0  # the run's length (set by ``--minutes`` once measured)
    elapsed_s: float = 0.0  # training wall time, tune scoring excluded
    best: dict = field(default_factory=no_best)
    skipped: int = 0  # non-finite steps skipped so far (this process)
    data_wait_s: float = 0.0  # time the step waited for a batch (0 when the workers keep up)
    data_wait_first_s: float | None = None  # the first batch's wait, loader start-up included

    def to_checkpoint(self) -> dict:
        return {"step": self.step, "elapsed_s": self.elapsed_s, "total_steps": self.total_steps,
                "batch": self.batch, "best": self.best}

    @classmethod
    def from_checkpoint(cls, state: dict) -> "TrainState":
        """From a training_state.pt of format 1 or 2 (format 1 may lack ``batch`` and ``best``)."""
        fmt = state.get("format", 1)
        if fmt > STATE_FORMAT:
            from cyclemedgan.errors import UserError

            raise UserError(f"training state of format {fmt}; this version reads up to {STATE_FORMAT}: "
                            "update cyclemedgan to resume it")
        return cls(step=state["step"], batch=state.get("batch", state["step"]), total_steps=state["total_steps"],
                   elapsed_s=state["elapsed_s"], best=state.get("best", no_best()))
