"""``train``: a run around ``Trainer.step`` -- data, resume, the loop, logs, tune curve, checkpoints.

Logs go to ``metrics.csv`` and TensorBoard (``tb/``) in the run directory, sample grids to
``samples/`` (``runlog.py``); checkpoints with their config to the run directory itself (see
``checkpoint``). A run that stopped part-way resumes from its last checkpoint, on the batches an
uninterrupted run would have seen (batch n is a function of (seed, n): ``data/loader.py``); a
finished run is not retrained. With ``train.tune_every`` > 0 the tune subjects are scored every
that many steps and the best checkpoint is kept in ``best/`` (``best.py``); ``translate
--checkpoint RUN`` uses the last, ``RUN/best`` the best. ``--minutes`` sets the length from the
measured step time (``budget.py``). Under torchrun rank 0 alone logs, scores and writes, and
checkpoints carry every rank's pools and RNG states (a run resumes on the same number of ranks).
"""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import torch
from tqdm import tqdm

from cyclemedgan.checkpoint import load_state, load_weights, read_run, save_checkpoint
from cyclemedgan.config import Config, replace
from cyclemedgan.data.paths import motion_log
from cyclemedgan.data.pools import training_stores
from cyclemedgan.data.loader import TrainingBatches, batch_stream
from cyclemedgan.data.split import read_split, subjects_with_role
from cyclemedgan.data.units import fixed_window
from cyclemedgan.errors import UserError
from cyclemedgan.models import build_model
from cyclemedgan.training.best import BestKeeper
from cyclemedgan.training.budget import StepBudget
from cyclemedgan.training.distributed import Dist, setup, weights_digest, world_size
from cyclemedgan.training.init_from import init_generators
from cyclemedgan.training.preflight import (check_extractor_split, check_no_held_out, check_same_config,
                                            check_start_for_tune_roles)
from cyclemedgan.training.runlog import RunLog
from cyclemedgan.training.state import STATE_FORMAT, TrainState
from cyclemedgan.training.trainer import Trainer, compile_networks, set_threads


def _data(cfg: Config, d: Dist):
    """The training slice stores (rank 0 prepares them), the val subjects and the tune set."""
    paired = cfg.method == "paired" or (cfg.method == "unit" and cfg.unit.paired)
    if not d.main:
        d.barrier()  # rank 0 prepares the slice store first
    pool_x, pool_y = training_stores(cfg.data, paired, cfg.paired)
    if d.main:
        d.barrier()
    split = read_split(cfg.data.split_file)
    val = set(subjects_with_role(split, "val"))
    check_no_held_out(val | set(subjects_with_role(split, "tune")), set(pool_x.subjects) | set(pool_y.subjects))
    check_extractor_split(cfg, val)
    tune_set = None
    if cfg.train.tune_every > 0 and d.main:
        from cyclemedgan.training.tune import TuneSet

        tune_set = TuneSet(cfg)
        if not len(tune_set):
            raise UserError(f"train.tune_every is set but {cfg.data.split_file} has no subject of role tune")
        missing = [r for r in cfg.train.tune_roles if r not in tune_set.roles]
        if missing:
            raise UserError(f"train.tune_roles: {cfg.data.split_file} has no subject of role {missing[0]}")
        check_start_for_tune_roles(cfg)
    return pool_x, pool_y, paired, val, tune_set


def _model(cfg: Config, d: Dist):
    tc = cfg.train
    model = build_model(cfg).to(d.device)
    if tc.channels_last:
        model = model.to(memory_format=torch.channels_last)
    if tc.compile:
        compile_networks(model, tc.compile_backend)
    if d.world > 1:
        torch.manual_seed(tc.seed + d.rank)  # random draws inside the model differ per rank
    return model


def _restore(trainer: Trainer, run_dir: Path, saved: dict | None, state: TrainState) -> None:
    """Weights, optimizers and RNGs from the run's checkpoint, or the start (``train.init_from``)."""
    cfg = trainer.cfg
    if saved is None:
        if cfg.train.init_from:
            init_generators(cfg, cfg.train.init_from, trainer.gens)
        return
    load_weights(run_dir, {**trainer.gens, **trainer.discs})
    trainer.load_state_dict(saved, state.step)
    if trainer.d.main:
        print(f"{run_dir}: resuming at step {state.step}/{state.total_steps}")


def _meta(cfg: Config, d: Dist, state: TrainState, done: bool, stores, data_s: float) -> dict:
    pool_x, pool_y = stores
    return {"step": state.step, "steps": state.total_steps, "done": done, "elapsed_s": round(state.elapsed_s, 1),
            "data_prep_s": round(data_s, 1), "machine": f"{platform.machine()} {torch.get_num_threads()} threads",
            "device": str(d.device), "method": cfg.method,
            "fitted_windows": {"x": [pool_x.fitted_window().lo, pool_x.fitted_window().hi],
                               "y": [pool_y.fitted_window().lo, pool_y.fitted_window().hi]},
            "train_slices": {"x": len(pool_x), "y": len(pool_y)}, "world_size": d.world,
            "data_wait_s": round(state.data_wait_s, 3), "data_wait_first_s": round(state.data_wait_first_s or 0.0, 3),
            "best_tune": {k: v for k, v in state.best.items() if k != "score" or v != float("-inf")}}


def _checkpoint(trainer: Trainer, run_dir: Path, state: TrainState, meta: dict) -> None:
    """Collective under torchrun: every rank's pools and RNG states go to rank 0."""
    d, mine = trainer.d, trainer.rank_state()
    ranks = d.gather({**mine, "weights_sha1": weights_digest(trainer.nets())} if d.world > 1 else mine)
    if not d.main:
        return
    saved = {"format": STATE_FORMAT, **trainer.state_dict(), **state.to_checkpoint(), **mine}
    if d.world > 1:  # each rank's weights, to show DDP kept them identical
        meta["weights_sha1_per_rank"] = [r.pop("weights_sha1") for r in ranks]
        saved["ranks"] = ranks
    save_checkpoint(run_dir, replace(trainer.cfg, train={"steps": state.total_steps}), trainer.nets(), meta, saved)


def train(cfg: Config, run_dir: str | Path, minutes: float | None = None, progress: bool = True,
          stop_at: int | None = None) -> Path:
    """Train ``cfg`` into ``run_dir``; returns it. ``minutes`` (optional) replaces ``train.steps``
    by the number of steps that fit that wall time (``budget.py``; the final config records it).
    ``stop_at`` stops after that step with a checkpoint, as an interrupted run would (it resumes
    later). A run directory that already holds this config is resumed, or left alone when finished."""
    run_dir = Path(run_dir)
    if (run_dir / "meta.json").is_file():
        check_same_config(cfg, run_dir, ignore_steps=minutes is not None)
        cfg, meta = read_run(run_dir)
        if meta.get("done"):
            print(f"{run_dir}: already trained ({meta['step']} steps); not retraining")
            return run_dir
    tc = cfg.train
    if world_size() > 1 and minutes is not None:
        raise UserError("--minutes is not supported under torchrun (ranks would disagree on the steps); "
                        "set train.steps")
    if tc.batch_size % world_size():
        raise UserError(f"train.batch_size {tc.batch_size} (the global batch) must be a multiple of the "
                        f"{world_size()} ranks")
    d = setup()
    set_threads(tc.threads)
    torch.manual_seed(tc.seed)
    t_data = time.time()
    pool_x, pool_y, paired, val, tune_set = _data(cfg, d)
    t_data = time.time() - t_data
    model = _model(cfg, d)
    saved = load_state(run_dir)
    state = TrainState.from_checkpoint(saved) if saved else TrainState(total_steps=tc.steps)
    trainer = Trainer(cfg, model, d, state, run_dir)
    _restore(trainer, run_dir, saved, state)
    minutes = None if saved else minutes
    trainer.start(run_dir if saved else None)
    return _loop(cfg, run_dir, d, model, trainer, state, (pool_x, pool_y), paired, val, tune_set, t_data,
                 minutes, progress, stop_at)


def _services(cfg: Config, run_dir: Path, d: Dist, stores, val: set[str], tune_set):
    """Rank 0's run log and best-on-tune keeper (None elsewhere); writes the motion parameters."""
    if not d.main:
        return None, None
    run_dir.mkdir(parents=True, exist_ok=True)
    if cfg.data.task == "motion":
        subs = sorted(set(stores[0].subjects) | val)
        (run_dir / "motion_params.json").write_text(json.dumps(motion_log(cfg.data, subs), indent=1))
    keeper = BestKeeper(cfg, run_dir, tune_set) if tune_set else None
    return RunLog(run_dir, keeper.keys if keeper else []), keeper


def _write_row(log: RunLog, bar: tqdm, state: TrainState, lr: float, losses: dict, tuned: dict) -> None:
    row = {"step": state.step, "time_s": round(state.elapsed_s, 2), "lr": lr,
           **{k: round(v.item(), 5) for k, v in losses.items()}, **tuned}
    log.write(row)
    bar.set_postfix(G=f"{row['G/total']:.3f}", **({"D": f"{row['D/total']:.3f}"} if "D/total" in row else {}),
                    **({"tune": f"{row['tune/score']:+.2f}"} if tuned else {}))


def _batches(cfg: Config, stores, paired: bool, d: Dist) -> TrainingBatches:
    """The run's numbered training batches (``data/loader.py``), this rank's share of each."""
    c = cfg.data
    return TrainingBatches(*stores, paired, cfg.train.batch_size, c.crop, c.flip, cfg.train.seed, d.rank, d.world,
                           c.rot90, c.source_scale, fixed_window(c, "x"))


def _next_batch(stream, device: torch.device, fmt, state: TrainState) -> tuple[torch.Tensor, torch.Tensor]:
    """The next (x, y) batch on ``device``; the time waited for it goes to ``state``'s data-wait counters."""
    t_wait = time.time()
    x, y = (t.to(device, non_blocking=True, memory_format=fmt) for t in next(stream))
    if state.data_wait_first_s is None:  # includes starting the loader's workers
        state.data_wait_first_s = time.time() - t_wait
    else:  # the step waiting for data: 0 when the workers keep up
        state.data_wait_s += time.time() - t_wait
    state.batch += 1
    return x, y


def _loop(cfg, run_dir, d, model, trainer, state, stores, paired, val, tune_set, t_data, minutes,
          progress, stop_at) -> Path:
    tc = cfg.train
    log, keeper = _services(cfg, run_dir, d, stores, val, tune_set)
    fixed = [p.fetch(torch.linspace(0, len(p) - 1, 4).long()) for p in stores]
    centre = slice(cfg.data.context_slices, cfg.data.context_slices + 1)  # of 2.5D stacks
    meta = lambda done: _meta(cfg, d, state, done, stores, t_data)  # noqa: E731
    windows = {"fitted_windows": meta(False)["fitted_windows"]}
    score = lambda: keeper(model, windows, state, meta(False), trainer.ema)  # noqa: E731
    t0, elapsed0 = time.time(), state.elapsed_s
    budget = StepBudget(minutes, tc.decay_start) if minutes is not None else None
    bar = tqdm(total=state.total_steps, initial=state.step, disable=not progress or not d.main, desc=cfg.name,
               unit="step")
    if keeper and tc.init_from and state.step == 0:  # the start itself competes for best/ (step 0)
        print(f"start ({tc.init_from}): tune score {score()['tune/score']:+.3f}")
    model.train()
    fmt = torch.channels_last if tc.channels_last else torch.contiguous_format
    stream = batch_stream(_batches(cfg, stores, paired, d), state.batch, tc.workers,
                          pin_memory=d.device.type == "cuda")
    try:
        while state.step < state.total_steps:
            x, y = _next_batch(stream, d.device, fmt, state)
            losses = trainer.step(x, y, state.step + 1)
            if losses is None:
                continue
            state.step += 1
            state.elapsed_s = elapsed0 + time.time() - t0
            bar.update(1)
            if budget is not None:
                state.total_steps = bar.total = budget.total(state.step, state.total_steps)
            last = state.step == state.total_steps
            do_tune = keeper is not None and (state.step % tc.tune_every == 0 or last)
            if d.main and (state.step % tc.log_every == 0 or last or do_tune):
                t_tune, tuned = time.time(), score() if do_tune else {}
                t0 += time.time() - t_tune if do_tune else 0.0  # scoring is not training time
                _write_row(log, bar, state, trainer.lr(), losses, tuned)
            if d.main and (state.step % tc.sample_every == 0 or last):
                log.samples(state.step, model, *fixed, centre, not paired, d.device)
            if (state.step % tc.checkpoint_every == 0 or state.step == stop_at) and not last:
                _checkpoint(trainer, run_dir, state, meta(False))
            if state.step == stop_at and not last:
                if d.main:
                    print(f"stopped at step {state.step}/{state.total_steps} -> {run_dir} (resumes from here)")
                return run_dir
    finally:
        del stream  # stops the loader's workers
        bar.close()
        if log is not None:
            log.close()
    _checkpoint(trainer, run_dir, state, meta(True))
    if d.main:
        print(f"trained {state.step} steps in {state.elapsed_s / 60:.1f} min -> {run_dir}")
        if state.best["score"] > float("-inf"):
            print(keeper.summary(state.best))
    return run_dir
