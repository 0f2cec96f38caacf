"""``train --minutes``: the run's length re-estimated from the measured step time."""
from types import SimpleNamespace

from cyclemedgan.training import budget
from cyclemedgan.training.budget import StepBudget


def test_step_budget_re_estimates_from_the_steps_after_the_first_two(monkeypatch, capsys):
    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr(budget, "time", SimpleNamespace(time=lambda: clock.now))
    b = StepBudget(minutes=1.0, decay_start=0.5)  # 60 s, started at t = 0
    clock.now = 10.0  # two slow first steps (start-up)
    assert b.total(2, 1000) == 1000
    clock.now = 14.0  # steps 3..6 at 1 s each: 46 s left, 46 more steps
    assert b.total(6, 1000) == 52
    clock.now = 40.0
    assert b.total(50, 52) == 52  # past decay_start * total: the decay has begun, no new estimate
    clock.now = 65.0  # 8% past the budget: goes on
    assert b.total(51, 52) == 52
    clock.now = 67.0  # 10% past it: stops where it is
    assert b.total(51, 52) == 51
    assert "past the 1.0 min budget by 10%" in capsys.readouterr().out


def test_a_fast_start_still_leaves_at_least_one_more_step(monkeypatch):
    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr(budget, "time", SimpleNamespace(time=lambda: clock.now))
    b = StepBudget(minutes=0.1, decay_start=1.0)  # 6 s
    b.total(2, 100)
    clock.now = 5.9  # 4 steps took 5.9 s: no time for another at that pace
    assert b.total(6, 100) == 7
