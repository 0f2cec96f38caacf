"""The training loop: the only place that owns optimizers, lr schedules and autocast.

One step (Zhu et al. 2017): update G1 and G2 on the generator objective (Eq. 6), then D1 and D2
on real images against fakes drawn from the image pools. Adam for both, lr constant for the
first ``decay_start`` fraction of steps, then linearly to zero. Logs go to ``metrics.csv`` and
TensorBoard (``tb/``) in the run directory; sample grids to ``samples/``; checkpoints with
their config to the run directory itself (see ``checkpoint``). A run that stopped part-way
resumes from its last checkpoint; a finished run is not retrained.

With ``train.tune_every`` > 0 the tune subjects are translated and scored every that many steps
(``tune.py``); their SSIM / PSNR, and the input's, go to metrics.csv and TensorBoard, and the
checkpoint with the best tune score is kept in ``best/`` beside the last one (the run directory).
``translate --checkpoint RUN`` uses the last, ``--checkpoint RUN/best`` the best.

Training batches may be random crops (``data.crop``) and flips (``data.flip``) of the slices. The
``paired`` method (the supervised upper bound) draws each source slice with its own target slice.
Slices are read from the on-disk store (``data/store.py``) by ``train.workers`` DataLoader
processes; batch n is a function of (seed, n) alone (``data/loader.py``), so a resumed run sees
the batches an uninterrupted one would.

Under torchrun (``distributed.py``) every rank trains on its share of each global batch, DDP
averages the gradients, image pools stay per rank, and rank 0 alone logs, scores the tune
subjects, writes samples and checkpoints (with every rank's pools and generator states, so a run
resumes on the same number of ranks).
"""
from __future__ import annotations

import csv
import json
import platform
import time
from pathlib import Path

import torch
import torch.nn as nn
from tqdm import tqdm

from cyclemedgan.config import Config, learns_train_x_targets, replace, to_dict
from cyclemedgan.data.datasets import motion_log, training_stores
from cyclemedgan.data.loader import TrainingBatches, batch_stream
from cyclemedgan.data.loader import augment as _augment  # noqa: F401 (diagnose.py uses it)
from cyclemedgan.data.split import read_split, subjects_with_role
from cyclemedgan.device import use_bf16
from cyclemedgan.errors import UserError
from cyclemedgan.models import build_model
from cyclemedgan.models.cyclegan import GENERATOR_FIELDS, UNIT_FIELDS
from cyclemedgan.checkpoint import load_state, load_weights, read_run, save_checkpoint
from cyclemedgan.training.distributed import averaged, setup, weights_digest, world_size
from cyclemedgan.training.image_pool import ImagePool


CALIBRATE_AT = (6, 50, 300, 2000)  # steps at which ``minutes`` re-estimates the number of steps


def lr_factor(step: int, total: int, decay_start: float) -> float:
    """1 until ``decay_start * total`` steps, then linear to 0 at ``total``."""
    start = int(decay_start * total)
    if step < start:
        return 1.0
    return max(0.0, (total - step) / max(1, total - start))


def set_threads(n: int) -> None:
    if n > 0:
        torch.set_num_threads(n)


def save_sample_grid(path: Path, rows: list[tuple[str, torch.Tensor]]) -> None:
    """rows of (title, (N, 1, H, W) in [-1, 1]) -> one PNG, grey in [-1, 1] for all."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = rows[0][1].shape[0]
    fig, axes = plt.subplots(n, len(rows), figsize=(2 * len(rows), 2 * n), squeeze=False)
    for j, (title, imgs) in enumerate(rows):
        for i in range(n):
            ax = axes[i][j]
            ax.imshow(imgs[i, 0].float().numpy().T, cmap="gray", vmin=-1, vmax=1, origin="lower")
            ax.axis("off")
            if i == 0:
                ax.set_title(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _first_difference(a: dict, b: dict, prefix: str = "") -> str | None:
    for k in sorted(set(a) | set(b)):
        if isinstance(a.get(k), dict) and isinstance(b.get(k), dict):
            diff = _first_difference(a[k], b[k], f"{prefix}{k}.")
            if diff:
                return diff
        elif a.get(k) != b.get(k):
            return f"{prefix}{k}: {b.get(k)!r} in the run, {a.get(k)!r} now"
    return None


def check_same_config(cfg: Config, run_dir: Path, ignore_steps: bool) -> None:
    """A run directory is resumed or reused only for the config it was trained with."""
    old, _ = read_run(run_dir)
    a, b = to_dict(cfg), to_dict(old)
    for t in (a, b):
        t["train"]["note"] = ""
        t["train"]["workers"] = 0  # how batches are fetched does not change them
        if ignore_steps:
            t["train"]["steps"] = 0
    diff = _first_difference(a, b)
    if diff:
        raise UserError(f"{run_dir} holds a run with another config ({diff}); "
                        "choose another output directory or delete it")


def check_extractor_split(cfg: Config, val_subjects: set[str]) -> None:
    """The feature extractor must not have seen a validation subject of this split."""
    if not (cfg.method != "unit" and (cfg.loss.lambda_cp > 0 or cfg.loss.lambda_cs > 0)):
        return
    if not Path(cfg.loss.extractor).is_dir():
        return  # build_model says so
    _, meta = read_run(cfg.loss.extractor)
    seen = meta.get("train_subjects")
    if seen is None:
        raise UserError(f"{cfg.loss.extractor}/meta.json does not list the subjects it was trained on "
                        "(train_subjects); cannot rule out that it saw a validation subject")
    overlap = val_subjects & set(seen)
    if overlap:
        raise UserError(f"the feature extractor {cfg.loss.extractor} was trained on validation subject(s) "
                        f"{sorted(overlap)}; train one on this split's training subjects")




def check_start_for_tune_roles(cfg: Config) -> None:
    """With ``train_x`` among the tune roles, refuse a start (``train.init_from``, and the start's
    own start) that learnt from the ``train_x`` subjects' targets: they would score their own pairs."""
    if "train_x" not in cfg.train.tune_roles:
        return
    source, seen = cfg.train.init_from, set()
    while source and source not in seen:
        seen.add(source)
        src_cfg, _ = read_run(source)
        if learns_train_x_targets(src_cfg):
            raise UserError(f"train.tune_roles holds train_x, but the start {source} was trained on the train_x "
                            "subjects' own targets: score on tune only")
        parent = src_cfg.train.init_from  # the start's own start, where it is still on disk
        source = parent if parent and Path(parent).exists() else ""


def compile_networks(model: nn.Module, backend: str = "inductor") -> list[str]:
    """``torch.compile`` each generator, discriminator and the feature extractor in place
    (``nn.Module.compile``: parameters and checkpoint names unchanged); returns their names."""
    nets = {**model.generator_nets(), **model.discriminator_nets()}
    if getattr(model, "extractor", None) is not None:
        nets["extractor"] = model.extractor
    for net in nets.values():
        net.compile(backend=backend)
    return list(nets)


def init_generators(cfg: Config, source: str | Path, nets: dict[str, nn.Module]) -> list[str]:
    """Start ``nets`` from the generators stored in ``source`` (a run, best/ or export folder)
    that have the same names (g1 of a ``paired`` run starts G1 of a CycleGAN). The generator
    settings must agree; returns the names loaded."""
    src_cfg, _ = read_run(source)
    fields = UNIT_FIELDS if cfg.method == "unit" else GENERATOR_FIELDS[cfg.model.generator]
    for k in fields:
        if getattr(src_cfg.model, k) != getattr(cfg.model, k):
            raise UserError(f"train.init_from {source}: model.{k} is {getattr(src_cfg.model, k)!r} there, "
                            f"{getattr(cfg.model, k)!r} here")
    src_nets = build_model(src_cfg, inference=True).generator_nets()
    shared = {k: v for k, v in nets.items() if k in src_nets}
    if not shared:
        raise UserError(f"train.init_from {source}: no generator of this model ({', '.join(nets)}) in it")
    load_weights(source, shared)
    print(f"generators {', '.join(shared)} start from {source}")
    return list(shared)


def train(cfg: Config, run_dir: str | Path, minutes: float | None = None, progress: bool = True,
          stop_at: int | None = None) -> Path:
    """Train ``cfg`` into ``run_dir``; returns it. ``minutes`` (optional) replaces
    ``train.steps`` by the number of steps that fit that wall time, measured on the first steps and
    re-measured at ``CALIBRATE_AT`` while the lr is constant (the lr decay then spans those steps;
    the final config records the number); a run 10% past the budget stops there. ``stop_at``
    stops after that step with a checkpoint, as an interrupted run would (it resumes later).
    A run directory that already holds this config is resumed, or left alone when finished."""
    run_dir = Path(run_dir)
    if (run_dir / "meta.json").is_file():
        check_same_config(cfg, run_dir, ignore_steps=minutes is not None)
        old_cfg, meta = read_run(run_dir)
        if meta.get("done"):
            print(f"{run_dir}: already trained ({meta['step']} steps); not retraining")
            return run_dir
        cfg = old_cfg
    tc = cfg.train
    world = world_size()
    if world > 1 and minutes is not None:
        raise UserError("--minutes is not supported under torchrun (ranks would disagree on the steps); "
                        "set train.steps")
    if tc.batch_size % world:
        raise UserError(f"train.batch_size {tc.batch_size} (the global batch) must be a multiple of the "
                        f"{world} ranks")
    d = setup()
    set_threads(tc.threads)
    torch.manual_seed(tc.seed)
    g = torch.Generator().manual_seed(tc.seed + d.rank)  # the image pools' draws, per rank

    t_data = time.time()
    paired = cfg.method == "paired" or (cfg.method == "unit" and cfg.unit.paired)
    if not d.main:
        d.barrier()  # rank 0 prepares the slice store first
    pool_x, pool_y = training_stores(cfg.data, paired=paired)
    if d.main:
        d.barrier()
    split = read_split(cfg.data.split_file)
    val_subjects = set(subjects_with_role(split, "val"))
    held_out = val_subjects | set(subjects_with_role(split, "tune"))
    leaked = held_out & (set(pool_x.subjects) | set(pool_y.subjects))
    if leaked:  # cannot happen with a valid split file; checked anyway
        raise UserError(f"validation or tune subjects in the training pools: {sorted(leaked)}")
    check_extractor_split(cfg, val_subjects)
    tune_set = None
    if tc.tune_every > 0 and d.main:
        from cyclemedgan.training.tune import TuneSet

        tune_set = TuneSet(cfg)
        if not len(tune_set):
            raise UserError(f"train.tune_every is set but {cfg.data.split_file} has no subject of role tune")
        missing = [r for r in tc.tune_roles if r not in tune_set.roles]
        if missing:
            raise UserError(f"train.tune_roles: {cfg.data.split_file} has no subject of role {missing[0]}")
        check_start_for_tune_roles(cfg)
    t_data = time.time() - t_data

    device = d.device
    model = build_model(cfg).to(device)
    if tc.channels_last:
        model = model.to(memory_format=torch.channels_last)
    if tc.compile:
        compile_networks(model, tc.compile_backend)
    if d.world > 1:
        torch.manual_seed(tc.seed + d.rank)  # random draws inside the model differ per rank
    nets = {**model.generator_nets(), **model.discriminator_nets()}
    params_g = [p for net in model.generator_nets().values() for p in net.parameters()]
    params_d = [p for net in model.discriminator_nets().values() for p in net.parameters()]
    fused = True if tc.fused_adam else None
    opt_g = torch.optim.Adam(params_g, lr=tc.lr, betas=(tc.beta1, tc.beta2), weight_decay=tc.weight_decay,
                             fused=fused)
    lr_d = tc.lr_d or tc.lr
    opt_d = (torch.optim.Adam(params_d, lr=lr_d, betas=(tc.beta1, tc.beta2), weight_decay=tc.weight_decay,
                              fused=fused) if params_d else None)
    total = {"steps": tc.steps}

    def factor(step: int) -> float:
        return lr_factor(step, total["steps"], tc.decay_start)

    sched_g = torch.optim.lr_scheduler.LambdaLR(opt_g, factor)
    sched_d = torch.optim.lr_scheduler.LambdaLR(opt_d, factor) if opt_d else None
    pool_fake_x = ImagePool(tc.pool_size, g)
    pool_fake_y = ImagePool(tc.pool_size, g)

    step, elapsed0, batch = 0, 0.0, 0
    best = {"score": float("-inf"), "step": 0}
    state = load_state(run_dir)
    if state is None and tc.init_from:
        init_generators(cfg, tc.init_from, model.generator_nets())
    if state is not None:
        load_weights(run_dir, nets)
        opt_g.load_state_dict(state["opt_g"])
        if opt_d is not None:
            opt_d.load_state_dict(state["opt_d"])
        best = state.get("best", best)
        step, elapsed0 = state["step"], state["elapsed_s"]
        batch = state.get("batch", step)
        total["steps"] = state["total_steps"]
        ranks = state.get("ranks", [state])
        if len(ranks) != d.world:
            raise UserError(f"{run_dir} was trained on {len(ranks)} rank(s); resume it with "
                            f"torchrun --nproc_per_node {len(ranks)} (now {d.world})")
        mine = ranks[d.rank]
        g.set_state(mine["rng"])
        torch.set_rng_state(mine["torch_rng"])
        pool_fake_x.images = [t.to(device) for t in mine["pool_x"]]
        pool_fake_y.images = [t.to(device) for t in mine["pool_y"]]
        for sched in (sched_g, sched_d):
            if sched is not None:
                sched.last_epoch = step
        for opt, base in ((opt_g, tc.lr), (opt_d, lr_d)):
            for group in (opt.param_groups if opt is not None else []):
                group["lr"] = base * factor(step)
        minutes = None
        if d.main:
            print(f"{run_dir}: resuming at step {step}/{total['steps']}")
    gen_losses = averaged(model.generator_nets(), model.generator_losses, d)  # DDP under torchrun
    disc_losses = averaged(model.discriminator_nets(), model.discriminator_losses, d) if opt_d else None

    csv_path = run_dir / "metrics.csv"
    writer = csv_file = csv_writer = None
    if d.main:
        run_dir.mkdir(parents=True, exist_ok=True)
        if cfg.data.task == "motion":
            subs = sorted(set(pool_x.subjects) | val_subjects)
            (run_dir / "motion_params.json").write_text(json.dumps(motion_log(cfg.data, subs), indent=1))
        from torch.utils.tensorboard import SummaryWriter

        writer = SummaryWriter(str(run_dir / "tb"))
        csv_file = csv_path.open("a", newline="")
    fixed_x = pool_x.fetch(torch.linspace(0, len(pool_x) - 1, 4).long())
    fixed_y = pool_y.fetch(torch.linspace(0, len(pool_y) - 1, 4).long())
    mid = slice(cfg.data.context_slices, cfg.data.context_slices + 1)  # centre slice of 2.5D stacks
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16(tc.bf16, device))
    windows = {"fitted_windows": {"x": [pool_x.fitted_window().lo, pool_x.fitted_window().hi],
                                  "y": [pool_y.fitted_window().lo, pool_y.fitted_window().hi]}}
    tune_keys = []
    if tune_set:
        tune_keys = [f"tune/{k}" for k in tune_set.keys()]

    def run_meta(done: bool) -> dict:
        return {"step": step, "steps": total["steps"], "done": done, "elapsed_s": round(elapsed, 1),
                "data_prep_s": round(t_data, 1), "machine": f"{platform.machine()} {torch.get_num_threads()} threads",
                "device": str(device), "method": cfg.method, **windows,
                "train_slices": {"x": len(pool_x), "y": len(pool_y)}, "world_size": d.world,
                "data_wait_s": round(waited["s"], 3), "data_wait_first_s": round(waited["first"] or 0.0, 3),
                "best_tune": {k: v for k, v in best.items() if k != "score" or v != float("-inf")}}

    def checkpoint(done: bool) -> None:
        """Collective under torchrun: every rank's pools and generator states go to rank 0."""
        mine = {"rng": g.get_state(), "torch_rng": torch.get_rng_state(),
                "pool_x": [t.cpu() for t in pool_fake_x.images], "pool_y": [t.cpu() for t in pool_fake_y.images]}
        ranks = d.gather({**mine, "weights_sha1": weights_digest(nets)} if d.world > 1 else mine)
        if not d.main:
            return
        final_cfg = replace(cfg, train={"steps": total["steps"]})
        state = {"opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict() if opt_d else None, "step": step,
                 "elapsed_s": elapsed, "total_steps": total["steps"], "batch": batch, **mine, "best": best}
        meta = run_meta(done)
        if d.world > 1:  # each rank's weights, to show DDP kept them identical
            meta["weights_sha1_per_rank"] = [r.pop("weights_sha1") for r in ranks]
            state["ranks"] = ranks
        save_checkpoint(run_dir, final_cfg, nets, meta, state)

    def tune(row: dict) -> None:
        """Score the tune subjects; keep the generators in best/ when they beat the best so far."""
        from cyclemedgan.training.tune import better

        scores = tune_set.score(model, windows)
        row.update({f"tune/{k}": round(v, 5) for k, v in scores.items()})
        if better(scores, best, tune_set.base):
            best.update(score=scores["score"], step=step, **{k: v for k, v in scores.items() if k != "score"})
            final_cfg = replace(cfg, train={"steps": total["steps"]})
            save_checkpoint(run_dir / "best", final_cfg, model.generator_nets(),
                            {**run_meta(False), "done": True, "best_of": str(run_dir),
                             "selected_on": f"{' + '.join(tune_set.roles)} subjects: "
                             + ("body MAE below the reference first, then " if tune_set.base == "ref" else "")
                             + f"PSNR gain + 30 x SSIM gain over the {tune_set.base}"})

    def nonfinite(losses: dict, who: str) -> bool:
        """True (skip this step) for a NaN / Inf loss while skips remain; else stop with one line."""
        bad = [k for k, v in losses.items() if not torch.isfinite(v.detach()).all()]
        if not d.any(bool(bad)):  # all ranks skip or stop together
            return False
        what = f"{who} loss {bad[0]} is {losses[bad[0]].item()}" if bad else f"a {who} loss of another rank is not finite"
        skipped["n"] += 1
        if skipped["n"] <= tc.skip_nonfinite:
            print(f"step {step + 1}: {what}; step skipped ({skipped['n']} of {tc.skip_nonfinite} allowed)")
            return True
        bar.close()
        raise UserError(f"step {step + 1}: {what}; training stopped, "
                        f"the last good checkpoint in {run_dir} is kept (train.skip_nonfinite allows skipping)")

    skipped, waited = {"n": 0}, {"s": 0.0, "first": None}
    t0 = t_wall = time.time()
    elapsed = elapsed0
    bar = tqdm(total=total["steps"], initial=step, disable=not progress or not d.main, desc=cfg.name, unit="step")
    t_calib = None
    if tune_set and tc.init_from and step == 0:  # the start itself competes for best/ (step 0)
        start_row: dict = {}
        tune(start_row)
        print(f"start ({tc.init_from}): tune score {start_row['tune/score']:+.3f}")
    model.train()
    batches = TrainingBatches(pool_x, pool_y, paired, tc.batch_size, cfg.data.crop, cfg.data.flip, tc.seed,
                              d.rank, d.world)
    stream = batch_stream(batches, batch, tc.workers, pin_memory=device.type == "cuda")
    fmt = torch.channels_last if tc.channels_last else torch.contiguous_format
    while step < total["steps"]:
        t_wait = time.time()
        x, y = next(stream)
        if waited["first"] is None:  # includes starting the loader's workers
            waited["first"] = time.time() - t_wait
        else:  # the step waiting for data: 0 when the workers keep up
            waited["s"] += time.time() - t_wait
        batch += 1
        x = x.to(device, non_blocking=True, memory_format=fmt)
        y = y.to(device, non_blocking=True, memory_format=fmt)
        for p in params_d:
            p.requires_grad_(False)
        with autocast:
            losses_g, images = gen_losses(x, y)
        if nonfinite(losses_g, "generator"):
            for p in params_d:
                p.requires_grad_(True)
            continue
        opt_g.zero_grad(set_to_none=True)
        losses_g["total"].backward()
        opt_g.step()
        for p in params_d:
            p.requires_grad_(True)
        losses_d = {}
        if opt_d is not None:
            fake_x = pool_fake_x.query(images["fake_x"].float())
            fake_y = pool_fake_y.query(images["fake_y"].float())
            with autocast:
                losses_d = disc_losses(x, y, fake_x, fake_y)
            if nonfinite(losses_d, "discriminator"):
                continue
            opt_d.zero_grad(set_to_none=True)
            losses_d["total"].backward()
            opt_d.step()
            sched_d.step()
        sched_g.step()
        step += 1
        elapsed = elapsed0 + time.time() - t0
        bar.update(1)

        if minutes is not None:
            if step == 2:
                t_calib = time.time()
            elif step in CALIBRATE_AT and step < tc.decay_start * total["steps"]:
                # re-measured while lr is still constant: the first steps of a GPU run (kernel
                # tuning, other jobs starting beside it) are slower than the rest
                per_step = (time.time() - t_calib) / (step - 2)
                total["steps"] = max(step + 1, int((minutes * 60 - (time.time() - t_wall)) / per_step) + step)
                bar.total = total["steps"]
                bar.refresh()
            elif time.time() - t_wall > 1.1 * minutes * 60 and step < total["steps"]:
                print(f"step {step}: past the {minutes} min budget by 10%; stopping here")
                total["steps"] = step
        do_tune = tune_set is not None and (step % tc.tune_every == 0 or step == total["steps"])
        if d.main and (step % tc.log_every == 0 or step == total["steps"] or do_tune):
            row = {"step": step, "time_s": round(elapsed, 2), "lr": opt_g.param_groups[0]["lr"]}
            row.update({f"G/{k}": round(v.item(), 5) for k, v in losses_g.items()})
            row.update({f"D/{k}": round(v.item(), 5) for k, v in losses_d.items()})
            if do_tune:
                t_tune = time.time()
                tune(row)
                t0 += time.time() - t_tune  # scoring is not training time
            if csv_writer is None:
                fields = list(row) + [k for k in tune_keys if k not in row]
                resumed = csv_path.stat().st_size > 0
                if resumed:  # keep the columns the file already has (a run from an older version may have fewer)
                    with csv_path.open(newline="") as f:
                        fields = next(csv.reader(f), fields)
                csv_writer = csv.DictWriter(csv_file, fieldnames=fields, restval="", extrasaction="ignore")
                if not resumed:
                    csv_writer.writeheader()
            csv_writer.writerow(row)
            csv_file.flush()
            for k, v in row.items():
                if k not in ("step",):
                    writer.add_scalar(k, v, step)
            bar.set_postfix(G=f"{row['G/total']:.3f}", **({"D": f"{row['D/total']:.3f}"} if losses_d else {}),
                            **({"tune": f"{row['tune/score']:+.2f}"} if do_tune else {}))
        if d.main and (step % tc.sample_every == 0 or step == total["steps"]):
            with torch.no_grad():
                model.eval()
                fy = model.translate(fixed_x.to(device), "AtoB").cpu()
                fx = None if paired else model.translate(fixed_y.to(device), "BtoA").cpu()
                model.train()
            save_sample_grid(run_dir / "samples" / f"step{step:06d}.png",
                             [("x", fixed_x[:, mid]), ("G1(x)", fy[:, mid]), ("y", fixed_y[:, mid])]
                             + ([("G2(y)", fx[:, mid])] if fx is not None else []))
        if (step % tc.checkpoint_every == 0 or step == stop_at) and step < total["steps"]:
            checkpoint(done=False)
        if step == stop_at and step < total["steps"]:
            del stream  # stops the loader's workers
            bar.close()
            if d.main:
                writer.close()
                csv_file.close()
                print(f"stopped at step {step}/{total['steps']} -> {run_dir} (resumes from here)")
            return run_dir
    del stream
    bar.close()
    if d.main:
        writer.close()
        csv_file.close()
    checkpoint(done=True)
    if d.main:
        print(f"trained {step} steps in {elapsed / 60:.1f} min -> {run_dir}")
    if d.main and best["score"] > float("-inf"):
        base = tune_set.base if tune_set else "input"
        print(f"best tune score {best['score']:+.3f} at step {best['step']} (SSIM {best['ssim']:.4f} vs {base} "
              f"{best[f'ssim_{base}']:.4f}, PSNR {best['psnr']:.2f} vs {best[f'psnr_{base}']:.2f} dB) -> {run_dir / 'best'}")
    return run_dir

