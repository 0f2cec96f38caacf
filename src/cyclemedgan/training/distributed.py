"""torchrun + DistributedDataParallel: one process per device, gradients averaged by DDP.

``torchrun --nproc_per_node N -m cyclemedgan train ...`` sets RANK, LOCAL_RANK and WORLD_SIZE;
``setup()`` joins the process group (nccl on CUDA, each rank on GPU LOCAL_RANK; gloo on the CPU)
once per process. Without torchrun (WORLD_SIZE unset or 1) everything here is a no-op, so the
single-process trainer runs unchanged.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from cyclemedgan.device import default_device


@dataclass(frozen=True)
class Dist:
    rank: int
    world: int
    device: torch.device

    @property
    def main(self) -> bool:
        """Rank 0: the only one that logs, writes samples and checkpoints."""
        return self.rank == 0

    def gather(self, obj) -> list | None:
        """Every rank's ``obj`` (picklable) on rank 0, in rank order; None on the others."""
        if self.world == 1:
            return [obj]
        out = [None] * self.world if self.main else None
        dist.gather_object(obj, out, dst=0)
        return out

    def any(self, flag: bool) -> bool:
        """True on every rank when ``flag`` is true on any (a decision all ranks must share)."""
        if self.world == 1:
            return flag
        t = torch.tensor([float(flag)], device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()


def world_size() -> int:
    """The number of ranks torchrun started (1 without torchrun); joins nothing."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def setup() -> Dist:
    """This process's rank, the number of ranks and its device; joins the group under torchrun."""
    world = world_size()
    if world <= 1:
        return Dist(0, 1, default_device())
    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        device, backend = torch.device("cuda", local), "nccl"
        torch.cuda.set_device(device)
    else:
        device, backend = torch.device("cpu"), "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend)
    return Dist(rank, world, device)


class _Through(nn.Module):
    """Holds ``nets`` for DDP and computes ``fn(*args)`` (a model's loss method) in forward."""

    def __init__(self, nets: dict[str, nn.Module], fn):
        super().__init__()
        self.nets = nn.ModuleDict(nets)
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def averaged(nets: dict[str, nn.Module], fn, d: Dist):
    """``fn`` (e.g. ``model.generator_losses``) whose backward averages the gradients of
    ``nets`` over all ranks (DDP); ``fn`` itself with one rank. Nets that ``fn`` leaves unused
    (the paired method's G2) are allowed."""
    if d.world == 1:
        return fn
    return nn.parallel.DistributedDataParallel(
        _Through(nets, fn), device_ids=[d.device.index] if d.device.type == "cuda" else None,
        find_unused_parameters=True, broadcast_buffers=False)


def weights_digest(nets: dict[str, nn.Module]) -> str:
    """sha1 of every parameter and buffer: equal on all ranks while DDP keeps them in step."""
    h = hashlib.sha1()
    for name, net in sorted(nets.items()):
        for k, v in sorted(net.state_dict().items()):
            h.update(k.encode())
            h.update(v.detach().float().cpu().numpy().tobytes())
    return h.hexdigest()[:16]
