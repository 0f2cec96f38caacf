"""``train --minutes``: the number of steps that fit a wall-time budget, measured as the run goes."""
from __future__ import annotations

import time

CALIBRATE_AT = (6, 50, 300, 2000)  # steps at which the number of steps is re-estimated


class StepBudget:
    """Re-estimates a run's length at ``CALIBRATE_AT`` while the lr is still constant (the decay
    then spans the steps that fit); a run 10% past the budget stops where it is."""

    def __init__(self, minutes: float, decay_start: float):
        self.minutes, self.decay_start = minutes, decay_start
        self.t_start, self.t_calib = time.time(), None

    def total(self, step: int, total: int) -> int:
        """The run's length after ``step`` steps (was ``total``)."""
        now = time.time()
        if step == 2:
            self.t_calib = now
        elif step in CALIBRATE_AT and step < self.decay_start * total and self.t_calib is not None:
            # the first steps (kernel tuning, other jobs starting beside it) are slower than the rest
            per_step = (now - self.t_calib) / (step - 2)
            return max(step + 1, int((self.minutes * 60 - (now - self.t_start)) / per_step) + step)
        elif now - self.t_start > 1.1 * self.minutes * 60 and step < total:
            print(f"step {step}: past the {self.minutes} min budget by 10%; stopping here")
            return step
        return total
