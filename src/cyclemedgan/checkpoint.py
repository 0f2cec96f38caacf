"""Checkpoints that carry their config.

A run directory (or a shipped checkpoint directory) holds:
  config.json          the full ``Config`` the run was trained with
  model.safetensors    network weights, keys prefixed by network (g1., g2., d1., d2., ...)
  meta.json            step, total steps, done flag, wall time, target window, code version
  training_state.pt    optimizer / scheduler / RNG state for resuming (runs only, not shipped)
``translate`` needs only config.json, meta.json and the generator weights.

Crash safety (a kill -9 at any instant leaves a consistent checkpoint): every file of a new
checkpoint is first written and fsync'd under a ``.tmp`` name; then ``commit.json`` (the list of
files to move) is written atomically; then each ``.tmp`` file is renamed into place; then
``commit.json`` is removed. Whoever opens the directory next (``recover``) finishes an interrupted
commit (``commit.json`` present: every ``.tmp`` file is complete, so the renames are redone) or
discards an unfinished write (``.tmp`` files without ``commit.json``: the previous checkpoint is
still whole). meta.json records the step, and a training state whose step differs is refused.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

from cyclemedgan import __version__
from cyclemedgan.config import Config, read_config_json, save_config
from cyclemedgan.errors import UserError

WEIGHTS, CONFIG, META, STATE = "model.safetensors", "config.json", "meta.json", "training_state.pt"
COMMIT = "commit.json"
PAUSE_ENV = "CYCLEMEDGAN_TEST_CHECKPOINT_PAUSE"  # seconds to sleep between renames (crash tests only)


def _fsync_write(path: Path, write) -> None:
    write(path)
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(run_dir: str | Path) -> None:
    """Bring a checkpoint directory to a consistent state after a crash (see the module doc)."""
    run_dir = Path(run_dir)
    commit = run_dir / COMMIT
    if commit.is_file():
        try:
            names = json.loads(commit.read_text())["files"]
        except (ValueError, KeyError, TypeError):
            names = None  # written atomically, so unreadable only if tampered with
        if names is None:
            raise UserError(f"{commit} is unreadable; delete the run directory to start over")
        for name in names:
            tmp = run_dir / (name + ".tmp")
            if tmp.is_file():
                tmp.replace(run_dir / name)
        _fsync_dir(run_dir)
        commit.unlink()
    for tmp in run_dir.glob("*.tmp"):
        tmp.unlink()  # an unfinished write: the previous checkpoint is whole

def code_version() -> str:
    """Package version plus the git commit of the source tree, when there is one."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"{__version__}+{sha}" if sha else __version__


def save_checkpoint(run_dir: Path, cfg: Config, nets: dict[str, nn.Module], meta: dict,
                    state: dict | None = None, dtype: torch.dtype = torch.float32) -> None:
    """Write weights, config and meta; ``state`` (optimizers...) goes to training_state.pt.
    Crash-safe: all files or none of them change (see the module doc)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    recover(run_dir)
    tensors = {f"{name}.{k}": v.detach().to("cpu", dtype).contiguous()
               for name, net in nets.items() for k, v in net.state_dict().items()}
    meta = {**meta, "version": code_version()}
    writers = {CONFIG: lambda p: save_config(cfg, p),
               WEIGHTS: lambda p: save_file(tensors, str(p)),
               META: lambda p: p.write_text(json.dumps(meta, indent=2))}
    if state is not None:
        state = {**state, "step": meta.get("step", state.get("step"))}
        writers[STATE] = lambda p: torch.save(state, p)
    for name, write in writers.items():
        _fsync_write(run_dir / (name + ".tmp"), write)
        os.chmod(run_dir / (name + ".tmp"), 0o644)
    order = [n for n in (WEIGHTS, STATE, CONFIG, META) if n in writers]  # meta.json last
    _fsync_write(run_dir / (COMMIT + ".tmp"), lambda p: p.write_text(json.dumps({"files": order})))
    (run_dir / (COMMIT + ".tmp")).replace(run_dir / COMMIT)
    _fsync_dir(run_dir)
    pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
    for name in order:
        (run_dir / (name + ".tmp")).replace(run_dir / name)
        if pause:
            import time

            time.sleep(pause)
    _fsync_dir(run_dir)
    (run_dir / COMMIT).unlink()


def read_run(run_dir: str | Path) -> tuple[Config, dict]:
    """(config, meta) of a run or shipped checkpoint directory; a clear error if it is not one."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"checkpoint directory not found: {run_dir}")
    if (run_dir / COMMIT).is_file() or any(run_dir.glob("*.tmp")):
        recover(run_dir)
    for name in (CONFIG, META, WEIGHTS):
        if not (run_dir / name).is_file():
            raise UserError(f"{run_dir} is not a checkpoint directory (no {name})")
    try:
        cfg = read_config_json(run_dir / CONFIG)
        meta = json.loads((run_dir / META).read_text())
    except (ValueError, TypeError) as e:
        raise UserError(f"{run_dir}: unreadable checkpoint config: {e}") from None
    return cfg, meta


def load_weights(run_dir: str | Path, nets: dict[str, nn.Module]) -> None:
    """Load the named networks from model.safetensors (any stored dtype -> the net's dtype)."""
    try:
        tensors = load_file(str(Path(run_dir) / WEIGHTS))
    except Exception as e:  # truncated or not a safetensors file
        raise UserError(f"{Path(run_dir) / WEIGHTS}: unreadable weights ({str(e).splitlines()[0]})") from None
    for name, net in nets.items():
        prefix = name + "."
        sd = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        if not sd:
            raise UserError(f"{run_dir}: no weights for '{name}' in {WEIGHTS}")
        ref = net.state_dict()
        net.load_state_dict({k: v.to(ref[k].dtype) if k in ref else v for k, v in sd.items()})


def stored_nets(run_dir: str | Path) -> set[str]:
    """The network names in a checkpoint's model.safetensors (the prefixes of its keys)."""
    from safetensors import safe_open

    try:
        with safe_open(str(Path(run_dir) / WEIGHTS), "pt") as f:
            return {k.split(".", 1)[0] for k in f.keys()}
    except Exception as e:  # truncated or not a safetensors file
        raise UserError(f"{Path(run_dir) / WEIGHTS}: unreadable weights ({str(e).splitlines()[0]})") from None


def load_state(run_dir: Path) -> dict | None:
    """The resumable training state, loaded without unpickling arbitrary objects
    (``weights_only=True``: tensors, numbers, strings, lists and dicts only)."""
    if run_dir.is_dir():
        recover(run_dir)
    path = run_dir / STATE
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # truncated, corrupt or not a training state
        raise UserError(f"{path}: unreadable training state ({type(e).__name__}); "
                        "delete the run directory to start over") from None
    meta_path = run_dir / META
    step = json.loads(meta_path.read_text()).get("step") if meta_path.is_file() else None
    if step is not None and state.get("step") != step:
        raise UserError(f"{path} is from step {state.get('step')} but {meta_path} from step {step}; "
                        "the checkpoint is inconsistent, delete the run directory to start over")
    return state


def load_extractor(path: str | Path):
    """The frozen BiGAN feature extractor stored in ``path`` by ``pretrain-extractor``."""
    from cyclemedgan.networks.bigan import BiGANDiscriminator
    from cyclemedgan.networks.feature_extractor import FeatureExtractor

    cfg, _ = read_run(path)
    e = cfg.extractor
    disc = BiGANDiscriminator(e.image_size, e.latent_dim, e.width)
    extractor = FeatureExtractor(disc)
    load_weights(path, {"extractor": extractor})
    return extractor
