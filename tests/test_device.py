"""train.bf16: "auto" autocasts only where bf16 is native (mocked CPU and CUDA capabilities)."""
import pytest
import torch

from cyclemedgan.device import native_bf16, use_bf16

CPU = torch.device("cpu")


@pytest.mark.parametrize("avx512_bf16, amx, native", [(True, False, True), (False, True, True), (False, False, False)])
def test_auto_follows_the_cpu_flags(monkeypatch, avx512_bf16, amx, native):
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")  # says nothing of bf16
    assert native_bf16(CPU) is native
    assert use_bf16("auto", CPU) is native
    assert use_bf16("true", CPU) and not use_bf16("false", CPU)


@pytest.mark.parametrize("supported", [True, False])
def test_auto_on_cuda_asks_the_gpu_not_the_cpu(monkeypatch, supported):
    """On a CUDA device "auto" follows torch.cuda.is_bf16_supported(), whatever the host CPU has."""
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: supported)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: not supported)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: not supported)
    gpu = torch.device("cuda")
    assert native_bf16(gpu) is supported
    assert use_bf16("auto", gpu) is supported
    assert use_bf16("true", gpu) and not use_bf16("false", gpu)
