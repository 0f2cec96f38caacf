"""Where the networks run: the first CUDA device when there is one, else the CPU."""
from __future__ import annotations

import torch


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def native_bf16(device: torch.device) -> bool:
    """True where bf16 arithmetic is native: a CUDA device that supports it, or a CPU with
    AVX512-BF16 or AMX (``torch.backends.cpu.get_cpu_capability()`` says only "AVX512" on
    both kinds, so the CPU's own flags are asked). On AVX2-only CPUs bf16 autocast is emulated
    and ~13x slower than fp32 for the U-Net step (``bench/step_time.py``)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


def use_bf16(setting: str, device: torch.device) -> bool:
    """``train.bf16`` ("auto", "true", "false") -> whether to autocast to bf16 on ``device``."""
    return setting == "true" or (setting == "auto" and native_bf16(device))
