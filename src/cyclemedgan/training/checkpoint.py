"""Checkpoints that carry their config.

A run directory (or a shipped checkpoint directory) holds:
  config.json          the full ``Config`` the run was trained with
  model.safetensors    network weights, keys prefixed by network (g1., g2., d1., d2., ...)
  meta.json            step, total steps, done flag, wall time, target window, code version
  training_state.pt    optimizer / scheduler / RNG state for resuming (runs only, not shipped)
``translate`` needs only config.json, meta.json and the generator weights.
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

    Files are written under temporary names and renamed, weights first and meta.json last, so
    a reader never sees a meta.json that points at missing or half-written weights."""
    run_dir.mkdir(parents=True, exist_ok=True)
    save_config(cfg, run_dir / (CONFIG + ".tmp"))
    (run_dir / (CONFIG + ".tmp")).replace(run_dir / CONFIG)
    tensors = {f"{name}.{k}": v.detach().to("cpu", dtype).contiguous()
               for name, net in nets.items() for k, v in net.state_dict().items()}
    save_file(tensors, str(run_dir / (WEIGHTS + ".tmp")))
    os.chmod(run_dir / (WEIGHTS + ".tmp"), 0o644)
    (run_dir / (WEIGHTS + ".tmp")).replace(run_dir / WEIGHTS)
    if state is not None:
        torch.save(state, run_dir / (STATE + ".tmp"))
        (run_dir / (STATE + ".tmp")).replace(run_dir / STATE)
    meta = {**meta, "version": code_version()}
    (run_dir / (META + ".tmp")).write_text(json.dumps(meta, indent=2))
    (run_dir / (META + ".tmp")).replace(run_dir / META)


def read_run(run_dir: str | Path) -> tuple[Config, dict]:
    """(config, meta) of a run or shipped checkpoint directory; a clear error if it is not one."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"checkpoint directory not found: {run_dir}")
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
    tensors = load_file(str(Path(run_dir) / WEIGHTS))
    for name, net in nets.items():
        prefix = name + "."
        sd = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        if not sd:
            raise UserError(f"{run_dir}: no weights for '{name}' in {WEIGHTS}")
        ref = net.state_dict()
        net.load_state_dict({k: v.to(ref[k].dtype) if k in ref else v for k, v in sd.items()})


def load_state(run_dir: Path) -> dict | None:
    """The resumable training state, loaded without unpickling arbitrary objects
    (``weights_only=True``: tensors, numbers, strings, lists and dicts only)."""
    path = run_dir / STATE
    if not path.is_file():
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # truncated, corrupt or not a training state
        raise UserError(f"{path}: unreadable training state ({type(e).__name__}); "
                        "delete the run directory to start over") from None


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
